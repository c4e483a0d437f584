import { sql } from 'kysely';
import { FormFieldsSchema } from '../forms/definition.ts';
import { minuteOfDay, servicePolicy } from '../templates/index.ts';
import type { IndustryTemplate } from '../templates/types.ts';
import { createResource, createService, createStore, setWeeklyHours } from '../../../db/src/repositories/catalog-admin.repository.ts';
import { saveResourceAllocation, saveStoreStrategy } from '../../../db/src/repositories/catalog.repository.ts';
import { insertFormVersion } from '../../../db/src/repositories/booking-form.repository.ts';
import { upsertSettings } from '../../../db/src/repositories/notification.repository.ts';
import { upsertPolicy } from '../../../db/src/repositories/payment.repository.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import type { LifecycleDeps } from './deps.ts';
import { materializeStore } from './materialize.ts';
import { resolveTemplateTableMode } from '../restaurant/template.ts';
import { saveTableMode } from '../../../db/src/repositories/table-mode.repository.ts';

export interface NewStoreFromTemplate {
  merchantId: number;
  staffId: number | null;
  name: string;
  address: string;
  lat: number;
  lng: number;
  timezone: string;
  phone?: string | undefined;
}

export interface AppliedTemplate {
  storeId: number;
  /** True when this call found the store a previous call (a retry) had already made. */
  replayed: boolean;
  resources: { id: number; typeKey: string; kind: string; name: string }[];
  services: { id: number; key: string; name: string }[];
  counts: {
    resources: number;
    services: number;
    openingHours: number;
    paymentPolicies: number;
    onlinePayment: number;
    bookingForms: number;
    resourceAllocations: number;
    notificationSettings: number;
    inventoryCells: number;
  };
}

export type ApplyOutcome = { ok: true; applied: AppliedTemplate } | { ok: false; reason: 'NAME_TAKEN' };

/**
 * Creates a store and its whole catalog from an industry template in ONE MySQL
 * transaction (store, resources with skills, weekly hours, services with their
 * requirements, a payment/cancellation policy per service, booking forms,
 * allocation strategy and per-resource caps, and the merchant's notification
 * settings if it has none yet), then materializes its inventory.
 *
 * Idempotent per (merchant, store name): the merchant row is locked first, so a
 * retried request finds the store its first attempt committed and returns it
 * instead of creating a second one. A name already used by a store of another
 * industry is refused.
 *
 * @example const outcome = await applyTemplate(deps, templateByKey('hair_salon')!, { merchantId, staffId, name: '悦容美发·徐汇店', … });
 */
export async function applyTemplate(deps: LifecycleDeps, template: IndustryTemplate, input: NewStoreFromTemplate): Promise<ApplyOutcome> {
  const nowMs = deps.clock.now();
  const written = await inTransaction(deps.db, async (trx) => {
    await trx.selectFrom('merchants').select('id').where('id', '=', input.merchantId).forUpdate().executeTakeFirstOrThrow();
    const existing = await trx.selectFrom('stores').select(['id', 'industry']).where('merchant_id', '=', input.merchantId).where('name', '=', input.name).executeTakeFirst();
    if (existing) return existing.industry === template.industry ? { storeId: existing.id, replayed: true } : null;

    const merchantId = input.merchantId;
    const storeId = await createStore(
      trx,
      {
        merchantId,
        name: input.name,
        industry: template.industry,
        timezone: input.timezone,
        address: input.address,
        lat: input.lat,
        lng: input.lng,
        ...(input.phone === undefined ? {} : { phone: input.phone }),
        cellMinutes: template.cellMinutes,
        horizonDays: template.horizonDays,
        perCustomerDailyLimit: template.perCustomerDailyLimit,
      },
      nowMs,
    );
    await setWeeklyHours(trx, { merchantId, storeId, resourceId: null }, template.weeklyHours.map(([d, open, close]) => [d, open, close]));
    const idByUnitName = new Map<string, number>();
    for (const type of template.resourceTypes) {
      for (const unit of type.units) {
        const resourceId = await createResource(
          trx,
          { merchantId, storeId, kind: type.kind, name: unit.name, ...(unit.title ? { title: unit.title } : {}), capacity: type.capacity, skills: [...new Set([...type.skills, ...(unit.skills ?? [])])] },
          nowMs,
        );
        idByUnitName.set(unit.name, resourceId);
        if (unit.weeklyHours) await setWeeklyHours(trx, { merchantId, storeId, resourceId }, unit.weeklyHours.map(([d, open, close]) => [d, open, close]));
        if (unit.allocation) await saveResourceAllocation(trx, { merchantId, storeId, resourceId, ...unit.allocation }, new Date(nowMs));
      }
    }
    for (const service of template.services) {
      const serviceId = await createService(
        trx,
        {
          merchantId,
          storeId,
          name: service.name,
          category: service.category,
          description: service.description,
          durationMinutes: service.durationMinutes,
          priceFen: service.priceFen,
          bufferBeforeMinutes: service.bufferBeforeMinutes,
          bufferAfterMinutes: service.bufferAfterMinutes,
          slotIntervalMinutes: service.slotIntervalMinutes,
          minNoticeMinutes: service.minNoticeMinutes,
          maxPartySize: service.maxPartySize,
          requirements: service.requirements.map((r) => ({ ...r })),
        },
        nowMs,
      );
      await upsertPolicy(trx, merchantId, serviceId, servicePolicy(template, service), nowMs);
      if (service.form?.length) {
        await insertFormVersion(trx, { serviceId, merchantId, fields: FormFieldsSchema.parse(service.form), createdBy: input.staffId }, nowMs);
      }
    }
    await saveStoreStrategy(trx, merchantId, storeId, template.allocation, new Date(nowMs));
    if (template.tableMode) await saveTableMode(trx, merchantId, storeId, resolveTemplateTableMode(template.tableMode, idByUnitName), new Date(nowMs));
    // Notification settings are the merchant's, for all its stores: a template only fills them in while there are none.
    const hasSettings = await trx.selectFrom('notification_settings').select('merchant_id').where('merchant_id', '=', merchantId).executeTakeFirst();
    if (!hasSettings) {
      const n = template.notifications;
      await upsertSettings(
        trx,
        merchantId,
        {
          reminder_offsets: n.reminderOffsetsMinutes.join(','),
          quiet_start_minute: n.quietHours.startMinute,
          quiet_end_minute: n.quietHours.endMinute,
          review_delay_minutes: n.reviewDelayMinutes,
          digest_minute: n.digestMinute,
          sms_enabled: n.smsEnabled ? 1 : 0,
          subscribe_enabled: n.subscribeEnabled ? 1 : 0,
        },
        nowMs,
      );
    }
    return { storeId, replayed: false };
  });
  if (!written) return { ok: false, reason: 'NAME_TAKEN' };
  // After the commit: cells are created from what is now in MySQL (idempotent, so a replay only tops up).
  await materializeStore(deps, written.storeId);
  return { ok: true, applied: await describeStore(deps, template, written.storeId, written.replayed) };
}

async function describeStore(deps: LifecycleDeps, template: IndustryTemplate, storeId: number, replayed: boolean): Promise<AppliedTemplate> {
  const db = deps.db;
  const [resources, services, hours, policies, forms, allocations, settings, cells] = await Promise.all([
    db.selectFrom('resources').select(['id', 'kind', 'name']).where('store_id', '=', storeId).orderBy('id').execute(),
    db.selectFrom('services').select(['id', 'name']).where('store_id', '=', storeId).orderBy('id').execute(),
    db.selectFrom('opening_hours').select((eb) => eb.fn.countAll<number>().as('n')).where('store_id', '=', storeId).executeTakeFirstOrThrow(),
    db
      .selectFrom('payment_policies')
      .innerJoin('services', 'services.id', 'payment_policies.service_id')
      .select(['payment_policies.mode'])
      .where('services.store_id', '=', storeId)
      .execute(),
    db
      .selectFrom('booking_forms')
      .innerJoin('services', 'services.id', 'booking_forms.service_id')
      .select(sql<number>`COUNT(DISTINCT booking_forms.service_id)`.as('n'))
      .where('services.store_id', '=', storeId)
      .executeTakeFirstOrThrow(),
    db.selectFrom('resource_allocation_settings').select((eb) => eb.fn.countAll<number>().as('n')).where('store_id', '=', storeId).executeTakeFirstOrThrow(),
    db
      .selectFrom('notification_settings')
      .innerJoin('stores', 'stores.merchant_id', 'notification_settings.merchant_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('stores.id', '=', storeId)
      .executeTakeFirstOrThrow(),
    db.selectFrom('inventory_cells').select((eb) => eb.fn.countAll<number>().as('n')).where('store_id', '=', storeId).executeTakeFirstOrThrow(),
  ]);
  // Rows are created in template order, so the n-th row is the n-th unit / service of the template.
  const typeKeys = template.resourceTypes.flatMap((t) => t.units.map(() => t.key));
  const serviceKeys = template.services.map((s) => s.key);
  return {
    storeId,
    replayed,
    resources: resources.map((r, i) => ({ id: r.id, typeKey: typeKeys[i] ?? '', kind: r.kind, name: r.name })),
    services: services.map((s, i) => ({ id: s.id, key: serviceKeys[i] ?? '', name: s.name })),
    counts: {
      resources: resources.length,
      services: services.length,
      openingHours: Number(hours.n),
      paymentPolicies: policies.length,
      onlinePayment: policies.filter((p) => p.mode !== 'none').length,
      bookingForms: Number(forms.n),
      resourceAllocations: Number(allocations.n),
      notificationSettings: Number(settings.n),
      inventoryCells: Number(cells.n),
    },
  };
}
