import type { Kysely } from 'kysely';
import { NO_PRIORITY, type PriorityConfig, type ServicePriority } from '../../../core/src/priority/admission.ts';
import type { Database } from '../database.ts';
import type { AuditLogRow, MemberTier, MerchantMemberRow } from '../tables/priority.table.ts';

/** A store's VIP-reserved shares per service and its weekly customer limit (none when never set). */
export async function loadPriority(db: Kysely<Database>, storeId: number): Promise<PriorityConfig> {
  const [services, limits] = await Promise.all([
    db.selectFrom('service_priority_settings').select(['service_id', 'vip_reserved_units', 'vip_cutoff_minutes']).where('store_id', '=', storeId).execute(),
    db.selectFrom('store_booking_limits').select('customer_weekly_limit').where('store_id', '=', storeId).executeTakeFirst(),
  ]);
  if (services.length === 0 && !limits) return NO_PRIORITY;
  return {
    customerWeeklyLimit: limits?.customer_weekly_limit ?? 0,
    services: new Map<number, ServicePriority>(
      services.filter((s) => s.vip_reserved_units > 0).map((s) => [s.service_id, { vipReservedUnits: s.vip_reserved_units, vipCutoffMinutes: s.vip_cutoff_minutes }]),
    ),
  };
}

export async function saveServicePriority(
  db: Kysely<Database>,
  row: { merchantId: number; storeId: number; serviceId: number; vipReservedUnits: number; vipCutoffMinutes: number },
  now: Date,
): Promise<void> {
  await db
    .insertInto('service_priority_settings')
    .values({ service_id: row.serviceId, store_id: row.storeId, merchant_id: row.merchantId, vip_reserved_units: row.vipReservedUnits, vip_cutoff_minutes: row.vipCutoffMinutes, updated_at: now })
    .onDuplicateKeyUpdate({ vip_reserved_units: row.vipReservedUnits, vip_cutoff_minutes: row.vipCutoffMinutes, updated_at: now })
    .execute();
}

export async function saveWeeklyLimit(db: Kysely<Database>, merchantId: number, storeId: number, limit: number, now: Date): Promise<void> {
  await db
    .insertInto('store_booking_limits')
    .values({ store_id: storeId, merchant_id: merchantId, customer_weekly_limit: limit, updated_at: now })
    .onDuplicateKeyUpdate({ customer_weekly_limit: limit, updated_at: now })
    .execute();
}

export async function memberTier(db: Kysely<Database>, merchantId: number, customerId: number): Promise<MemberTier | null> {
  const row = await db.selectFrom('merchant_members').select('tier').where('merchant_id', '=', merchantId).where('customer_id', '=', customerId).executeTakeFirst();
  return row?.tier ?? null;
}

export async function upsertMember(db: Kysely<Database>, merchantId: number, customerId: number, tier: MemberTier, note: string, now: Date): Promise<void> {
  await db
    .insertInto('merchant_members')
    .values({ merchant_id: merchantId, customer_id: customerId, tier, note, created_at: now, updated_at: now })
    .onDuplicateKeyUpdate({ tier, note, updated_at: now })
    .execute();
}

export async function removeMember(db: Kysely<Database>, merchantId: number, customerId: number): Promise<boolean> {
  const result = await db.deleteFrom('merchant_members').where('merchant_id', '=', merchantId).where('customer_id', '=', customerId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listMembers(db: Kysely<Database>, merchantId: number, limit: number): Promise<MerchantMemberRow[]> {
  return db.selectFrom('merchant_members').selectAll().where('merchant_id', '=', merchantId).orderBy('customer_id').limit(limit).execute();
}

export async function customerExists(db: Kysely<Database>, customerId: number): Promise<boolean> {
  return (await db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst()) !== undefined;
}

/** Appends an audit entry; a replay of the same (action, target) writes nothing and returns the first entry. */
export async function appendAudit(
  db: Kysely<Database>,
  entry: { merchantId: number; storeId: number | null; actorStaffId: number; action: string; target: string; reason: string },
  now: Date,
): Promise<AuditLogRow> {
  await db
    .insertInto('audit_log')
    .ignore()
    .values({ merchant_id: entry.merchantId, store_id: entry.storeId, actor_staff_id: entry.actorStaffId, action: entry.action, target: entry.target, reason: entry.reason, at: now })
    .execute();
  return db.selectFrom('audit_log').selectAll().where('action', '=', entry.action).where('target', '=', entry.target).executeTakeFirstOrThrow();
}

export async function listAudit(db: Kysely<Database>, merchantId: number, filter: { storeId?: number | undefined; limit: number }): Promise<AuditLogRow[]> {
  let query = db.selectFrom('audit_log').selectAll().where('merchant_id', '=', merchantId);
  if (filter.storeId !== undefined) query = query.where('store_id', '=', filter.storeId);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}
