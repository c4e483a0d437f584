import { Router } from 'express';
import { z } from 'zod';
import { candidatesFor, type Requirement, type ServiceDef, type StoreCatalog } from '../../../core/src/catalog/types.ts';
import { AppError } from '../../../core/src/errors.ts';
import { format, messagesFor, negotiateLocale } from '../../../core/src/i18n/index.ts';
import { applyCapacityChange } from '../../../core/src/lifecycle/capacity-change.ts';
import { addDays, localDateOf } from '../../../core/src/time/zoned.ts';
import { createService } from '../../../db/src/repositories/catalog-admin.repository.ts';
import {
  deactivateService,
  replaceServiceDurations,
  serviceDurations,
  serviceOfMerchant,
  updateService,
  updateStore,
} from '../../../db/src/repositories/service-admin.repository.ts';
import { actorOf, requireStaff, staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { parse } from '../http/validate.ts';
import { ownStoreCatalog } from '../stores/own-store.ts';

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const minutes = z.number().int().min(0).max(24 * 60);
const RequirementBody = z
  .object({
    kind: z.enum(['staff', 'room', 'equipment']),
    skill: z.string().min(1).max(40).nullable().default(null),
    quantity: z.number().int().min(1).max(1000).default(1),
    perPerson: z.boolean().default(false),
  })
  .strict();
const serviceFields = {
  name: z.string().min(1).max(60),
  category: z.string().min(1).max(40),
  description: z.string().max(500),
  durationMinutes: minutes.min(1),
  priceFen: z.number().int().min(0).max(100_000_000),
  bufferBeforeMinutes: minutes,
  bufferAfterMinutes: minutes,
  slotIntervalMinutes: minutes.min(1),
  minNoticeMinutes: z.number().int().min(0).max(60 * 24 * 365),
  maxPartySize: z.number().int().min(1).max(1000),
  requirements: z.array(RequirementBody).min(1).max(10),
};
const CreateServiceBody = z
  .object({
    ...serviceFields,
    description: serviceFields.description.default(''),
    bufferBeforeMinutes: minutes.default(0),
    bufferAfterMinutes: minutes.default(0),
    slotIntervalMinutes: minutes.min(1).default(30),
    minNoticeMinutes: serviceFields.minNoticeMinutes.default(60),
    maxPartySize: serviceFields.maxPartySize.default(1),
  })
  .strict();
const UpdateServiceBody = z.object(serviceFields).partial().strict();
const DurationsBody = z
  .object({ overrides: z.array(z.object({ resourceId: id, durationMinutes: minutes.min(1) }).strict()).max(200) })
  .strict()
  .refine((b) => new Set(b.overrides.map((o) => o.resourceId)).size === b.overrides.length, 'one override per resource');
const UpdateStoreBody = z
  .object({
    name: z.string().min(1).max(60),
    address: z.string().min(1).max(200),
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    phone: z.string().min(5).max(20).nullable(),
    perCustomerDailyLimit: z.number().int().min(0).max(100),
    holdSeconds: z.number().int().min(60).max(24 * 3600),
    horizonDays: z.number().int().min(1).max(365),
  })
  .partial()
  .strict();
const StoreParams = z.object({ storeId: id }).strict();
const ServiceParams = z.object({ id }).strict();

const ServiceView = z.object({ serviceId: z.number(), storeId: z.number(), active: z.boolean() }).passthrough();
const futureNote =
  'Durations and slot intervals must be multiples of the store’s cell size and every requirement must be met by at least one active resource (else 400 with the reason in `issues`). Changes apply to bookings made from now on: existing bookings keep the cells they hold. The catalog is invalidated at once.';
const docs: [method: 'post' | 'patch' | 'put', path: string, summary: string, request: Record<string, unknown>, status: number, schema: z.ZodType, description: string][] = [
  ['post', '/v1/merchant/stores/{storeId}/services', 'Create a service (owner or manager)', { params: StoreParams, body: { content: { 'application/json': { schema: CreateServiceBody } } } }, 201, ServiceView, futureNote],
  ['patch', '/v1/merchant/services/{id}', 'Change a service: texts, price, duration, buffers, grid, notice, party size, requirements (owner or manager)', { params: ServiceParams, body: { content: { 'application/json': { schema: UpdateServiceBody } } } }, 200, ServiceView, futureNote],
  ['post', '/v1/merchant/services/{id}/deactivate', 'Stop offering a service (owner or manager); existing bookings stay', { params: ServiceParams }, 200, ServiceView, 'The service leaves the catalog at once; bookings already made are kept.'],
  [
    'put',
    '/v1/merchant/services/{id}/durations',
    'Replace per-staff durations of a service (owner or manager)',
    { params: ServiceParams, body: { content: { 'application/json': { schema: DurationsBody } } } },
    200,
    z.object({ serviceId: z.number(), overrides: z.array(z.object({ resourceId: z.number(), durationMinutes: z.number() })) }),
    'Each override replaces the service’s duration when that staff member (a candidate of the first requirement) serves: the booking ends after their duration and every requirement of it holds that span. An empty list removes them. Existing bookings keep their cells.',
  ],
  [
    'patch',
    '/v1/merchant/stores/{storeId}',
    'Change store details and booking rules (owner or manager)',
    { params: StoreParams, body: { content: { 'application/json': { schema: UpdateStoreBody } } } },
    200,
    z.object({ store: z.object({}).passthrough(), cellsAdded: z.number() }),
    'A longer horizon materializes the inventory of the new days at once; a shorter one stops new bookings beyond it (existing ones stay).',
  ],
];
for (const [method, path, summary, request, status, schema, description] of docs) {
  describeRoute({ method, path, summary, description, auth: true, request, ok: { status, schema, description: 'Done' }, errors: [400, 401, 403, 404] } as Parameters<typeof describeRoute>[0]);
}

type Res = Parameters<typeof staffOf>[0];
type Messages = ReturnType<typeof messagesFor>['services'];

export function merchantServicesRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const managers = requireStaff(deps.tokens, ['owner', 'manager']);

  const ownStore = (res: Parameters<typeof staffOf>[0], storeId: number) => ownStoreCatalog(deps, res, storeId);

  async function ownService(res: Res, serviceId: number) {
    const row = await serviceOfMerchant(deps.db, staffOf(res).merchantId, serviceId);
    const staff = staffOf(res);
    if (!row || (staff.storeId !== null && staff.storeId !== row.store_id)) throw new AppError('NOT_FOUND', `service ${serviceId} not found`);
    return { row, catalog: await ownStore(res, row.store_id) };
  }

  async function view(storeId: number, serviceId: number, active = true) {
    deps.catalog.invalidate(storeId);
    const service = (await deps.catalog.get(storeId)).services.get(serviceId);
    return { serviceId, storeId, active: active && service !== undefined, ...(service ? serviceView(service) : {}) };
  }

  router.post('/v1/merchant/stores/:storeId/services', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const body = parse(CreateServiceBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    const m = messagesFor(negotiateLocale(req.headers['accept-language'])).services;
    checkRules(catalog, m, body);
    const serviceId = await createService(deps.db, { merchantId: catalog.store.merchantId, storeId, ...body }, deps.clock.now());
    res.status(201).json(await view(storeId, serviceId));
  });

  router.patch('/v1/merchant/services/:id', managers, async (req, res) => {
    const { id: serviceId } = parse(ServiceParams, req.params, 'params');
    const body = parse(UpdateServiceBody, req.body ?? {}, 'body');
    const { row, catalog } = await ownService(res, serviceId);
    const m = messagesFor(negotiateLocale(req.headers['accept-language'])).services;
    const current = catalog.services.get(serviceId);
    checkRules(catalog, m, {
      durationMinutes: body.durationMinutes ?? row.duration_minutes,
      slotIntervalMinutes: body.slotIntervalMinutes ?? row.slot_interval_minutes,
      requirements: body.requirements ?? current?.requirements ?? [],
    });
    await updateService(deps.db, catalog.store.merchantId, serviceId, body);
    res.json(await view(row.store_id, serviceId, row.status === 'active'));
  });

  router.post('/v1/merchant/services/:id/deactivate', managers, async (req, res) => {
    const { id: serviceId } = parse(ServiceParams, req.params, 'params');
    const { row, catalog } = await ownService(res, serviceId);
    await deactivateService(deps.db, catalog.store.merchantId, serviceId);
    res.json(await view(row.store_id, serviceId, false));
  });

  router.put('/v1/merchant/services/:id/durations', managers, async (req, res) => {
    const { id: serviceId } = parse(ServiceParams, req.params, 'params');
    const body = parse(DurationsBody, req.body ?? {}, 'body');
    const { row, catalog } = await ownService(res, serviceId);
    const m = messagesFor(negotiateLocale(req.headers['accept-language'])).services;
    const service = catalog.services.get(serviceId);
    const first = service?.requirements[0];
    const eligible = new Set(first ? candidatesFor(first, catalog.resources).map((r) => r.id) : []);
    body.overrides.forEach((o, index) => {
      if (!eligible.has(o.resourceId)) {
        throw new AppError('VALIDATION_FAILED', `resource ${o.resourceId} cannot perform service ${serviceId}`, {
          issues: [{ path: `body.overrides.${index}.resourceId`, message: format(m.overrideResource, { resourceId: o.resourceId }) }],
        });
      }
      onGrid(catalog, m, `body.overrides.${index}.durationMinutes`, o.durationMinutes);
    });
    await replaceServiceDurations(deps.db, { merchantId: catalog.store.merchantId, storeId: row.store_id, serviceId }, body.overrides, new Date(deps.clock.now()));
    deps.catalog.invalidate(row.store_id);
    res.json({ serviceId, overrides: await serviceDurations(deps.db, serviceId) });
  });

  router.patch('/v1/merchant/stores/:storeId', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const body = parse(UpdateStoreBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    const before = catalog.store.horizonDays;
    await updateStore(deps.db, catalog.store.merchantId, storeId, body);
    deps.catalog.invalidate(storeId);
    let cellsAdded = 0;
    if (body.horizonDays !== undefined && body.horizonDays > before) {
      // The new days get their inventory now (MySQL cells, Redis repaired), as a schedule change would.
      const today = localDateOf(deps.clock.now(), catalog.store.timezone);
      const dates: string[] = [];
      for (let day = before + 1; day <= body.horizonDays; day++) dates.push(addDays(today, day));
      cellsAdded = (await applyCapacityChange(deps, actorOf(res), storeId, dates)).cellsAdded;
    }
    const store = (await deps.catalog.get(storeId)).store;
    res.json({ store, cellsAdded });
  });

  return router;
}

function serviceView(s: ServiceDef) {
  return {
    name: s.name,
    category: s.category,
    durationMinutes: s.durationMinutes,
    priceFen: s.priceFen,
    bufferBeforeMinutes: s.bufferBeforeMinutes,
    bufferAfterMinutes: s.bufferAfterMinutes,
    slotIntervalMinutes: s.slotIntervalMinutes,
    minNoticeMinutes: s.minNoticeMinutes,
    maxPartySize: s.maxPartySize,
    requirements: s.requirements,
    durationByResource: s.durationByResource ?? {},
  };
}

function onGrid(catalog: StoreCatalog, m: Messages, path: string, value: number): void {
  const cell = catalog.store.cellMinutes;
  if (value % cell !== 0) {
    throw new AppError('VALIDATION_FAILED', `${path} is not a multiple of ${cell} minutes`, { issues: [{ path, message: format(m.notOnGrid, { field: path.split('.').pop()!, cell }) }] });
  }
}

/** Grid and satisfiability checks before any write. */
function checkRules(catalog: StoreCatalog, m: Messages, s: { durationMinutes: number; slotIntervalMinutes: number; requirements: Requirement[] }): void {
  onGrid(catalog, m, 'body.durationMinutes', s.durationMinutes);
  onGrid(catalog, m, 'body.slotIntervalMinutes', s.slotIntervalMinutes);
  s.requirements.forEach((r, index) => {
    // One candidate takes all the units (reserve.lua): some active resource must have the capacity alone.
    if (!candidatesFor(r, catalog.resources).some((c) => c.capacity >= r.quantity)) {
      throw new AppError('VALIDATION_FAILED', `requirement ${index} cannot be met by any active resource`, {
        issues: [{ path: `body.requirements.${index}`, message: format(m.unsatisfiable, { index: index + 1, kind: r.kind, skill: r.skill ? `·${r.skill}` : '', quantity: r.quantity }) }],
      });
    }
  });
}
