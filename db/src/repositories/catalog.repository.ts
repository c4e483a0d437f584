import type { Kysely } from 'kysely';
import { type AllocationConfig, DEFAULT_ALLOCATION, type ResourceAllocation } from '../../../core/src/allocation/strategy.ts';
import type { Requirement, ResourceDef, ServiceDef, StoreCatalog, StoreInfo } from '../../../core/src/catalog/types.ts';
import type { Database } from '../database.ts';
import type { StoreRow } from '../tables/store.table.ts';
import { loadPriority } from './priority.repository.ts';
import { loadTableMode } from './table-mode.repository.ts';

export function storeInfoFromRow(row: StoreRow): StoreInfo {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    name: row.name,
    industry: row.industry,
    timezone: row.timezone,
    cellMinutes: row.cell_minutes,
    horizonDays: row.horizon_days,
    perCustomerDailyLimit: row.per_customer_daily_limit,
    holdSeconds: row.hold_seconds,
  };
}

export async function findStore(db: Kysely<Database>, storeId: number): Promise<StoreRow | undefined> {
  return db.selectFrom('stores').selectAll().where('id', '=', storeId).where('status', '=', 'active').executeTakeFirst();
}

/** Everything the booking path needs about one active store, or undefined. */
export async function loadStoreCatalog(db: Kysely<Database>, storeId: number): Promise<StoreCatalog | undefined> {
  const store = await findStore(db, storeId);
  if (!store) return undefined;
  const [services, requirements, resources, skills, allocation, priority, durations] = await Promise.all([
    db.selectFrom('services').selectAll().where('store_id', '=', storeId).where('status', '=', 'active').execute(),
    db
      .selectFrom('service_requirements as r')
      .innerJoin('services as s', 's.id', 'r.service_id')
      .select(['r.service_id', 'r.resource_kind', 'r.skill', 'r.quantity', 'r.per_person'])
      .where('s.store_id', '=', storeId)
      .orderBy('r.id')
      .execute(),
    db.selectFrom('resources').selectAll().where('store_id', '=', storeId).where('status', '=', 'active').orderBy('id').execute(),
    db
      .selectFrom('resource_skills as k')
      .innerJoin('resources as r', 'r.id', 'k.resource_id')
      .select(['k.resource_id', 'k.skill'])
      .where('r.store_id', '=', storeId)
      .execute(),
    loadAllocation(db, storeId),
    loadPriority(db, storeId),
    db.selectFrom('service_resource_durations').select(['service_id', 'resource_id', 'duration_minutes']).where('store_id', '=', storeId).execute(),
  ]);
  const durationsByService = new Map<number, Record<number, number>>();
  for (const d of durations) durationsByService.set(d.service_id, { ...durationsByService.get(d.service_id), [d.resource_id]: d.duration_minutes });
  const requirementsByService = new Map<number, Requirement[]>();
  for (const r of requirements) {
    const list = requirementsByService.get(r.service_id) ?? [];
    list.push({ kind: r.resource_kind, skill: r.skill, quantity: r.quantity, perPerson: r.per_person === 1 });
    requirementsByService.set(r.service_id, list);
  }
  const skillsByResource = new Map<number, string[]>();
  for (const s of skills) skillsByResource.set(s.resource_id, [...(skillsByResource.get(s.resource_id) ?? []), s.skill]);

  const serviceDefs = new Map<number, ServiceDef>();
  for (const s of services) {
    serviceDefs.set(s.id, {
      id: s.id,
      merchantId: s.merchant_id,
      storeId: s.store_id,
      name: s.name,
      category: s.category,
      durationMinutes: s.duration_minutes,
      priceFen: s.price_fen,
      bufferBeforeMinutes: s.buffer_before_minutes,
      bufferAfterMinutes: s.buffer_after_minutes,
      slotIntervalMinutes: s.slot_interval_minutes,
      minNoticeMinutes: s.min_notice_minutes,
      maxPartySize: s.max_party_size,
      requirements: requirementsByService.get(s.id) ?? [],
      ...(durationsByService.has(s.id) ? { durationByResource: durationsByService.get(s.id) } : {}),
    });
  }
  const resourceDefs: ResourceDef[] = resources.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    capacity: r.capacity,
    skills: skillsByResource.get(r.id) ?? [],
  }));
  const tableMode = await loadTableMode(db, storeId);
  return { store: storeInfoFromRow(store), services: serviceDefs, resources: resourceDefs, allocation, priority, tableMode };
}

/** A store's allocation strategy and per-resource weights and caps (first_fit, none, when never set). */
export async function loadAllocation(db: Kysely<Database>, storeId: number): Promise<AllocationConfig> {
  const [settings, resources] = await Promise.all([
    db.selectFrom('store_allocation_settings').select('strategy').where('store_id', '=', storeId).executeTakeFirst(),
    db.selectFrom('resource_allocation_settings').select(['resource_id', 'weight', 'daily_cap']).where('store_id', '=', storeId).execute(),
  ]);
  if (!settings && resources.length === 0) return DEFAULT_ALLOCATION;
  return {
    strategy: settings?.strategy ?? 'first_fit',
    resources: new Map<number, ResourceAllocation>(resources.map((r) => [r.resource_id, { weight: r.weight, dailyCap: r.daily_cap }])),
  };
}

export async function saveStoreStrategy(db: Kysely<Database>, merchantId: number, storeId: number, strategy: AllocationConfig['strategy'], now: Date): Promise<void> {
  await db
    .insertInto('store_allocation_settings')
    .values({ store_id: storeId, merchant_id: merchantId, strategy, updated_at: now })
    .onDuplicateKeyUpdate({ strategy, updated_at: now })
    .execute();
}

/** Sets one resource's weight and cap; the caller has checked that the resource is the merchant's. */
export async function saveResourceAllocation(
  db: Kysely<Database>,
  row: { merchantId: number; storeId: number; resourceId: number; weight: number; dailyCap: number | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('resource_allocation_settings')
    .values({ resource_id: row.resourceId, store_id: row.storeId, merchant_id: row.merchantId, weight: row.weight, daily_cap: row.dailyCap, updated_at: now })
    .onDuplicateKeyUpdate({ weight: row.weight, daily_cap: row.dailyCap, updated_at: now })
    .execute();
}

/** The last staff member who served the customer in a completed booking at this store, or null. */
export async function lastCompletedResource(db: Kysely<Database>, storeId: number, customerId: number): Promise<number | null> {
  const row = await db
    .selectFrom('bookings')
    .select('resource_id')
    .where('store_id', '=', storeId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'COMPLETED')
    .where('resource_id', 'is not', null)
    .orderBy('starts_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.resource_id ?? null;
}

export async function activeStoreIds(db: Kysely<Database>): Promise<number[]> {
  const rows = await db.selectFrom('stores').select('id').where('status', '=', 'active').orderBy('id').execute();
  return rows.map((r) => r.id);
}

export async function resourceNames(db: Kysely<Database>, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('resources').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
