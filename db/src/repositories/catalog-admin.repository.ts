import type { Kysely } from 'kysely';
import type { Requirement, ResourceKind } from '../../../core/src/catalog/types.ts';
import type { Database } from '../database.ts';
import type { StaffRole } from '../tables/staff-user.table.ts';

/** Writes for setting up merchants and their catalog (demo seed, tests, and later the merchant API). */

export async function createMerchant(db: Kysely<Database>, m: { name: string; industry: string; timezone?: string }, nowMs: number): Promise<number> {
  const result = await db
    .insertInto('merchants')
    .values({ name: m.name, industry: m.industry, timezone: m.timezone ?? 'Asia/Shanghai', status: 'active', created_at: new Date(nowMs) })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export interface NewStore {
  merchantId: number;
  name: string;
  industry: string;
  timezone?: string;
  address: string;
  lat: number;
  lng: number;
  phone?: string;
  cellMinutes?: number;
  horizonDays?: number;
  perCustomerDailyLimit?: number;
  holdSeconds?: number;
}

export async function createStore(db: Kysely<Database>, s: NewStore, nowMs: number): Promise<number> {
  const result = await db
    .insertInto('stores')
    .values({
      merchant_id: s.merchantId,
      name: s.name,
      industry: s.industry,
      timezone: s.timezone ?? 'Asia/Shanghai',
      address: s.address,
      lat: s.lat,
      lng: s.lng,
      phone: s.phone ?? null,
      cell_minutes: s.cellMinutes ?? 15,
      horizon_days: s.horizonDays ?? 14,
      per_customer_daily_limit: s.perCustomerDailyLimit ?? 3,
      hold_seconds: s.holdSeconds ?? 900,
      created_at: new Date(nowMs),
    })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export interface NewResource {
  merchantId: number;
  storeId: number;
  kind: ResourceKind;
  name: string;
  title?: string;
  capacity?: number;
  skills?: string[];
}

export async function createResource(db: Kysely<Database>, r: NewResource, nowMs: number): Promise<number> {
  const result = await db
    .insertInto('resources')
    .values({
      merchant_id: r.merchantId,
      store_id: r.storeId,
      kind: r.kind,
      name: r.name,
      title: r.title ?? null,
      capacity: r.capacity ?? 1,
      created_at: new Date(nowMs),
    })
    .executeTakeFirstOrThrow();
  const id = Number(result.insertId);
  if (r.skills?.length) {
    await db
      .insertInto('resource_skills')
      .values(r.skills.map((skill) => ({ resource_id: id, merchant_id: r.merchantId, skill })))
      .execute();
  }
  return id;
}

export interface NewService {
  merchantId: number;
  storeId: number;
  name: string;
  category: string;
  description?: string;
  durationMinutes: number;
  priceFen: number;
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  slotIntervalMinutes?: number;
  minNoticeMinutes?: number;
  maxPartySize?: number;
  requirements: Requirement[];
}

export async function createService(db: Kysely<Database>, s: NewService, nowMs: number): Promise<number> {
  const result = await db
    .insertInto('services')
    .values({
      merchant_id: s.merchantId,
      store_id: s.storeId,
      name: s.name,
      category: s.category,
      description: s.description ?? '',
      duration_minutes: s.durationMinutes,
      price_fen: s.priceFen,
      buffer_before_minutes: s.bufferBeforeMinutes ?? 0,
      buffer_after_minutes: s.bufferAfterMinutes ?? 0,
      slot_interval_minutes: s.slotIntervalMinutes ?? 30,
      min_notice_minutes: s.minNoticeMinutes ?? 60,
      max_party_size: s.maxPartySize ?? 1,
      created_at: new Date(nowMs),
    })
    .executeTakeFirstOrThrow();
  const id = Number(result.insertId);
  await db
    .insertInto('service_requirements')
    .values(
      s.requirements.map((r) => ({
        merchant_id: s.merchantId,
        service_id: id,
        resource_kind: r.kind,
        skill: r.skill,
        quantity: r.quantity,
        per_person: r.perPerson ? 1 : 0,
      })),
    )
    .execute();
  return id;
}

/** Weekly hours: `[weekday 1–7, 'HH:MM', 'HH:MM']`; resourceId null = the store. */
export async function setWeeklyHours(
  db: Kysely<Database>,
  target: { merchantId: number; storeId: number; resourceId: number | null },
  windows: [weekday: number, open: string, close: string][],
): Promise<void> {
  const toMinute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  await db
    .insertInto('opening_hours')
    .values(
      windows.map(([weekday, open, close]) => ({
        merchant_id: target.merchantId,
        store_id: target.storeId,
        resource_id: target.resourceId,
        weekday,
        open_minute: toMinute(open),
        close_minute: toMinute(close),
      })),
    )
    .execute();
}

export async function addScheduleException(
  db: Kysely<Database>,
  e: { merchantId: number; storeId: number; resourceId: number | null; localDate: string; closed: boolean; openMinute?: number; closeMinute?: number; reason?: string },
): Promise<void> {
  await db
    .insertInto('schedule_exceptions')
    .values({
      merchant_id: e.merchantId,
      store_id: e.storeId,
      resource_id: e.resourceId,
      local_date: e.localDate,
      closed: e.closed ? 1 : 0,
      open_minute: e.openMinute ?? null,
      close_minute: e.closeMinute ?? null,
      reason: e.reason ?? '',
    })
    .execute();
}

export async function createStaffUser(
  db: Kysely<Database>,
  u: { merchantId: number; storeId: number | null; username: string; displayName: string; passwordHash: string; role: StaffRole },
  nowMs: number,
): Promise<number> {
  const result = await db
    .insertInto('staff_users')
    .values({
      merchant_id: u.merchantId,
      store_id: u.storeId,
      username: u.username,
      display_name: u.displayName,
      password_hash: u.passwordHash,
      role: u.role,
      created_at: new Date(nowMs),
    })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}
