import type { Kysely } from 'kysely';
import type { Requirement } from '../../../core/src/catalog/types.ts';
import type { Database } from '../database.ts';

/** Merchant edits of services, their per-staff durations and store settings (gateway/src/routes/merchant-services.routes.ts). */

export interface ServicePatch {
  name?: string | undefined;
  category?: string | undefined;
  description?: string | undefined;
  durationMinutes?: number | undefined;
  priceFen?: number | undefined;
  bufferBeforeMinutes?: number | undefined;
  bufferAfterMinutes?: number | undefined;
  slotIntervalMinutes?: number | undefined;
  minNoticeMinutes?: number | undefined;
  maxPartySize?: number | undefined;
  requirements?: Requirement[] | undefined;
}

/** The service's store and status, when it belongs to the merchant. */
export async function serviceOfMerchant(db: Kysely<Database>, merchantId: number, serviceId: number) {
  return db
    .selectFrom('services')
    .select(['id', 'store_id', 'status', 'duration_minutes', 'slot_interval_minutes', 'buffer_before_minutes', 'buffer_after_minutes'])
    .where('id', '=', serviceId)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst();
}

/** Updates a service and, when given, replaces its requirements, in one transaction. Bookings keep the cells they hold. */
export async function updateService(db: Kysely<Database>, merchantId: number, serviceId: number, patch: ServicePatch): Promise<void> {
  const values = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.category !== undefined ? { category: patch.category } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.durationMinutes !== undefined ? { duration_minutes: patch.durationMinutes } : {}),
    ...(patch.priceFen !== undefined ? { price_fen: patch.priceFen } : {}),
    ...(patch.bufferBeforeMinutes !== undefined ? { buffer_before_minutes: patch.bufferBeforeMinutes } : {}),
    ...(patch.bufferAfterMinutes !== undefined ? { buffer_after_minutes: patch.bufferAfterMinutes } : {}),
    ...(patch.slotIntervalMinutes !== undefined ? { slot_interval_minutes: patch.slotIntervalMinutes } : {}),
    ...(patch.minNoticeMinutes !== undefined ? { min_notice_minutes: patch.minNoticeMinutes } : {}),
    ...(patch.maxPartySize !== undefined ? { max_party_size: patch.maxPartySize } : {}),
  };
  await db.transaction().execute(async (trx) => {
    if (Object.keys(values).length > 0) await trx.updateTable('services').set(values).where('id', '=', serviceId).where('merchant_id', '=', merchantId).execute();
    if (patch.requirements) {
      await trx.deleteFrom('service_requirements').where('service_id', '=', serviceId).where('merchant_id', '=', merchantId).execute();
      await trx
        .insertInto('service_requirements')
        .values(patch.requirements.map((r) => ({ merchant_id: merchantId, service_id: serviceId, resource_kind: r.kind, skill: r.skill, quantity: r.quantity, per_person: r.perPerson ? 1 : 0 })))
        .execute();
    }
  });
}

export async function deactivateService(db: Kysely<Database>, merchantId: number, serviceId: number): Promise<void> {
  await db.updateTable('services').set({ status: 'inactive' }).where('id', '=', serviceId).where('merchant_id', '=', merchantId).execute();
}

/** Replaces the per-staff durations of a service. */
export async function replaceServiceDurations(
  db: Kysely<Database>,
  target: { merchantId: number; storeId: number; serviceId: number },
  overrides: { resourceId: number; durationMinutes: number }[],
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('service_resource_durations').where('service_id', '=', target.serviceId).where('merchant_id', '=', target.merchantId).execute();
    if (overrides.length === 0) return;
    await trx
      .insertInto('service_resource_durations')
      .values(
        overrides.map((o) => ({
          service_id: target.serviceId,
          resource_id: o.resourceId,
          merchant_id: target.merchantId,
          store_id: target.storeId,
          duration_minutes: o.durationMinutes,
          updated_at: now,
        })),
      )
      .execute();
  });
}

export async function serviceDurations(db: Kysely<Database>, serviceId: number): Promise<{ resourceId: number; durationMinutes: number }[]> {
  const rows = await db.selectFrom('service_resource_durations').select(['resource_id', 'duration_minutes']).where('service_id', '=', serviceId).orderBy('resource_id').execute();
  return rows.map((r) => ({ resourceId: r.resource_id, durationMinutes: r.duration_minutes }));
}

export interface StorePatch {
  name?: string | undefined;
  address?: string | undefined;
  lat?: number | undefined;
  lng?: number | undefined;
  phone?: string | null | undefined;
  perCustomerDailyLimit?: number | undefined;
  holdSeconds?: number | undefined;
  horizonDays?: number | undefined;
}

export async function updateStore(db: Kysely<Database>, merchantId: number, storeId: number, patch: StorePatch): Promise<void> {
  const values = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.address !== undefined ? { address: patch.address } : {}),
    ...(patch.lat !== undefined ? { lat: patch.lat } : {}),
    ...(patch.lng !== undefined ? { lng: patch.lng } : {}),
    ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
    ...(patch.perCustomerDailyLimit !== undefined ? { per_customer_daily_limit: patch.perCustomerDailyLimit } : {}),
    ...(patch.holdSeconds !== undefined ? { hold_seconds: patch.holdSeconds } : {}),
    ...(patch.horizonDays !== undefined ? { horizon_days: patch.horizonDays } : {}),
  };
  if (Object.keys(values).length === 0) return;
  await db.updateTable('stores').set(values).where('id', '=', storeId).where('merchant_id', '=', merchantId).execute();
}
