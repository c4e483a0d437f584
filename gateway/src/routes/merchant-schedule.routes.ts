import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';
import { type AcceptDeps, acceptBooking } from '../../../core/src/lifecycle/accept.ts';
import { applyCapacityChange, type CapacityChangeReport } from '../../../core/src/lifecycle/capacity-change.ts';
import { encryptPhone, normalizePhone, phoneBlindIndex } from '../../../core/src/pii/phone.ts';
import { localDateOf } from '../../../core/src/time/zoned.ts';
import { appendEvents } from '../../../db/src/repositories/booking.repository.ts';
import { createResource } from '../../../db/src/repositories/catalog-admin.repository.ts';
import { openBookingFlags } from '../../../db/src/repositories/capacity.repository.ts';
import {
  deleteScheduleException,
  insertScheduleException,
  replaceWeeklyHours,
  resourceOfStore,
  storeSchedule,
  updateResource,
} from '../../../db/src/repositories/schedule-admin.repository.ts';
import { JobNames, rebuildJobId, rebuildJobOptions } from '../../../workers/src/jobs/contracts.ts';
import { actorOf, requireStaff, staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { IdempotencyHeaders } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';
import { ownStoreCatalog } from '../stores/own-store.ts';

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const skills = z.array(z.string().min(1).max(40)).max(20);
const toMinute = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

const StoreParams = z.object({ storeId: id }).strict();
const ResourceParams = z.object({ storeId: id, resourceId: id }).strict();
const ExceptionParams = z.object({ storeId: id, exceptionId: id }).strict();
const CreateResourceBody = z
  .object({ kind: z.enum(['staff', 'room', 'equipment']), name: z.string().min(1).max(60), title: z.string().max(60).optional(), capacity: z.number().int().min(1).max(1000).default(1), skills: skills.default([]) })
  .strict();
const UpdateResourceBody = z
  .object({ name: z.string().min(1).max(60).optional(), title: z.string().max(60).nullable().optional(), capacity: z.number().int().min(1).max(1000).optional(), skills: skills.optional(), active: z.boolean().optional() })
  .strict();
const Window = z
  .object({ weekday: z.number().int().min(1).max(7), open: hhmm, close: hhmm })
  .strict()
  .refine((w) => toMinute(w.open) < toMinute(w.close), 'open must be before close');
const HoursBody = z.object({ resourceId: id.nullable().default(null), windows: z.array(Window).max(70) }).strict();
const ExceptionBody = z
  .object({ date: localDate, resourceId: id.nullable().default(null), closed: z.boolean(), open: hhmm.optional(), close: hhmm.optional(), reason: z.string().max(100).default('') })
  .strict()
  .refine((e) => (e.closed ? e.open === undefined && e.close === undefined : e.open !== undefined && e.close !== undefined && toMinute(e.open) < toMinute(e.close)), 'closed, or open < close');
const WalkInBody = z
  .object({
    storeId: id,
    serviceId: id,
    startAt: z.iso.datetime({ offset: true }),
    partySize: z.number().int().min(1).max(100).default(1),
    resourceId: id.optional(),
    phone: z.string().min(11).max(20),
    source: z.enum(['walk_in', 'phone']),
    note: z.string().max(200).default(''),
  })
  .strict();
const FlagsQuery = z.object({ storeId: id.optional() }).strict();

const ReportSchema = z.object({
  dates: z.array(z.string()),
  cellsAdded: z.number(),
  cellsRaised: z.number(),
  cellsLowered: z.number(),
  moved: z.array(z.object({ bookingId: z.string(), fromResourceIds: z.array(z.number()), toResourceIds: z.array(z.number()) })),
  flagged: z.array(z.object({ bookingId: z.string(), reason: z.string() })),
  untouched: z.array(z.string()),
});
const changeNote =
  'Inventory follows at once: new or changed cells are written to MySQL and Redis is repaired for the affected dates. Where capacity is removed under bookings, each is moved to an equivalent free resource at the same time (RESOURCE_CHANGED, the customer is told) or, if none, flagged for the merchant (booking_flags, CAPACITY_FLAGGED, the customer is told). The answer reports moved, flagged and untouched bookings.';

const routes: [method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string, summary: string, request: Record<string, unknown>, status: number, schema: z.ZodType][] = [
  ['get', '/v1/merchant/stores/{storeId}/schedule', 'Resources with skills, weekly hours and upcoming date exceptions of a store', { params: StoreParams }, 200, z.object({}).passthrough()],
  ['post', '/v1/merchant/stores/{storeId}/resources', 'Add a staff member, room or machine (owner or manager)', { params: StoreParams, body: { content: { 'application/json': { schema: CreateResourceBody } } } }, 201, z.object({ resourceId: z.number(), change: ReportSchema })],
  ['patch', '/v1/merchant/stores/{storeId}/resources/{resourceId}', 'Rename, set capacity or skills, deactivate/reactivate a resource (owner or manager)', { params: ResourceParams, body: { content: { 'application/json': { schema: UpdateResourceBody } } } }, 200, z.object({ change: ReportSchema })],
  ['put', '/v1/merchant/stores/{storeId}/hours', 'Replace the weekly hours of the store (resourceId null) or of one resource (owner or manager)', { params: StoreParams, body: { content: { 'application/json': { schema: HoursBody } } } }, 200, z.object({ change: ReportSchema })],
  ['post', '/v1/merchant/stores/{storeId}/exceptions', 'Add a date exception: closed day or changed hours, store-wide or per resource (owner or manager)', { params: StoreParams, body: { content: { 'application/json': { schema: ExceptionBody } } } }, 201, z.object({ exceptionId: z.number(), change: ReportSchema })],
  ['delete', '/v1/merchant/stores/{storeId}/exceptions/{exceptionId}', 'Remove a date exception (owner or manager)', { params: ExceptionParams }, 200, z.object({ change: ReportSchema })],
];
for (const [method, path, summary, request, status, schema] of routes) {
  describeRoute({ method, path, summary, description: method === 'get' ? undefined : changeNote, auth: true, request, ok: { status, schema, description: 'Done' }, errors: [400, 401, 403, 404] } as Parameters<typeof describeRoute>[0]);
}
describeRoute({
  method: 'get',
  path: '/v1/merchant/booking-flags',
  summary: 'Open flags: bookings a capacity change could not move (any staff of the store)',
  auth: true,
  request: { query: FlagsQuery },
  ok: { status: 200, schema: z.object({ flags: z.array(z.object({ bookingId: z.string(), storeId: z.number(), reason: z.string(), deficitUnits: z.number() }).passthrough()) }), description: 'Flags' },
  errors: [400, 401, 403],
});
describeRoute({
  method: 'post',
  path: '/v1/merchant/bookings',
  summary: 'Walk-in or phone booking entered by staff for a customer identified by phone',
  description:
    'Same accept/reserve path as a customer booking (capacity, grid, notice, horizon, daily limit): 202 PENDING, then CONFIRMED by the persist worker, or 409 SLOT_SOLD_OUT. The customer is found (or created) by the phone number’s blind index; the source is recorded in a STAFF_ENTERED booking event.',
  auth: true,
  request: { headers: IdempotencyHeaders, body: { content: { 'application/json': { schema: WalkInBody } } } },
  ok: { status: 202, schema: z.object({ bookingId: z.string(), status: z.string(), customerId: z.number() }), description: 'Accepted' },
  errors: [400, 401, 403, 404, 409, 503],
});

export function merchantScheduleRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const anyStaff = requireStaff(deps.tokens);
  const managers = requireStaff(deps.tokens, ['owner', 'manager']);
  const acceptDeps: AcceptDeps = {
    db: deps.db,
    redis: deps.redis,
    keys: deps.keys,
    clock: deps.clock,
    newBookingId: deps.newBookingId,
    requestRebuild: async (storeId) => {
      await deps.maintenanceQueue.add(JobNames.rebuildInventory, { storeId, reason: 'reserve found no epoch' }, { ...rebuildJobOptions, jobId: rebuildJobId(storeId) });
    },
  };

  const ownStore = (res: Parameters<typeof staffOf>[0], storeId: number) => ownStoreCatalog(deps, res, storeId);

  async function ownResource(storeId: number, resourceId: number) {
    const resource = await resourceOfStore(deps.db, storeId, resourceId);
    if (!resource) throw new AppError('RESOURCE_NOT_FOUND', `resource ${resourceId} is not in store ${storeId}`);
    return resource;
  }

  async function changed(res: Parameters<typeof staffOf>[0], storeId: number, dates?: string[]): Promise<CapacityChangeReport> {
    deps.catalog.invalidate(storeId);
    return applyCapacityChange(deps, actorOf(res), storeId, dates);
  }

  router.get('/v1/merchant/stores/:storeId/schedule', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const catalog = await ownStore(res, storeId);
    const s = await storeSchedule(deps.db, storeId, localDateOf(deps.clock.now(), catalog.store.timezone));
    const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    res.json({
      resources: s.resources.map((r) => ({ ...r, active: r.status === 'active', skills: s.skills.filter((k) => k.resource_id === r.id).map((k) => k.skill) })),
      hours: s.hours.map((h) => ({ resourceId: h.resource_id, weekday: h.weekday, open: clock(h.open_minute), close: clock(h.close_minute) })),
      exceptions: s.exceptions.map((e) => ({
        exceptionId: e.id,
        date: e.local_date,
        resourceId: e.resource_id,
        closed: e.closed === 1,
        open: e.open_minute === null ? null : clock(e.open_minute),
        close: e.close_minute === null ? null : clock(e.close_minute),
        reason: e.reason,
      })),
    });
  });

  router.post('/v1/merchant/stores/:storeId/resources', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const body = parse(CreateResourceBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    const resourceId = await createResource(deps.db, { merchantId: catalog.store.merchantId, storeId, ...body }, deps.clock.now());
    res.status(201).json({ resourceId, change: await changed(res, storeId) });
  });

  router.patch('/v1/merchant/stores/:storeId/resources/:resourceId', managers, async (req, res) => {
    const { storeId, resourceId } = parse(ResourceParams, req.params, 'params');
    const body = parse(UpdateResourceBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    await ownResource(storeId, resourceId);
    await updateResource(deps.db, { merchantId: catalog.store.merchantId, resourceId, ...body });
    res.json({ change: await changed(res, storeId) });
  });

  router.put('/v1/merchant/stores/:storeId/hours', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const body = parse(HoursBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    if (body.resourceId !== null) await ownResource(storeId, body.resourceId);
    if (body.resourceId === null && body.windows.length === 0) throw new AppError('VALIDATION_FAILED', 'a store needs weekly hours; close days with exceptions');
    const windows = body.windows.map((w) => ({ weekday: w.weekday, openMinute: toMinute(w.open), closeMinute: toMinute(w.close) }));
    await replaceWeeklyHours(deps.db, { merchantId: catalog.store.merchantId, storeId, resourceId: body.resourceId }, windows);
    res.json({ change: await changed(res, storeId) });
  });

  router.post('/v1/merchant/stores/:storeId/exceptions', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const body = parse(ExceptionBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    if (body.resourceId !== null) await ownResource(storeId, body.resourceId);
    const exceptionId = await insertScheduleException(deps.db, {
      merchantId: catalog.store.merchantId,
      storeId,
      resourceId: body.resourceId,
      localDate: body.date,
      closed: body.closed,
      openMinute: body.open === undefined ? null : toMinute(body.open),
      closeMinute: body.close === undefined ? null : toMinute(body.close),
      reason: body.reason,
    });
    res.status(201).json({ exceptionId, change: await changed(res, storeId, [body.date]) });
  });

  router.delete('/v1/merchant/stores/:storeId/exceptions/:exceptionId', managers, async (req, res) => {
    const { storeId, exceptionId } = parse(ExceptionParams, req.params, 'params');
    await ownStore(res, storeId);
    const date = await deleteScheduleException(deps.db, storeId, exceptionId);
    if (date === null) throw new AppError('NOT_FOUND', `exception ${exceptionId} not found`);
    res.json({ change: await changed(res, storeId, [date]) });
  });

  router.get('/v1/merchant/booking-flags', anyStaff, async (req, res) => {
    const staff = staffOf(res);
    const query = parse(FlagsQuery, req.query, 'query');
    if (staff.storeId !== null && query.storeId !== undefined && query.storeId !== staff.storeId) throw new AppError('FORBIDDEN', 'staff may only see their own store');
    const flags = await openBookingFlags(deps.db, staff.merchantId, { storeId: staff.storeId ?? query.storeId });
    res.json({ flags: flags.map((f) => ({ ...f, createdAt: f.createdAt.toISOString() })) });
  });

  router.post('/v1/merchant/bookings', anyStaff, async (req, res) => {
    const { 'idempotency-key': idempotencyKey } = parse(IdempotencyHeaders, req.headers, 'headers');
    const body = parse(WalkInBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, body.storeId);
    const staff = staffOf(res);
    let phone: string;
    try {
      phone = normalizePhone(body.phone);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'not a mainland mobile number');
    }
    const customerId = await customerByPhone(deps, phone);
    const now = deps.clock.now();
    const result = await acceptBooking(acceptDeps, catalog, {
      customerId,
      storeId: body.storeId,
      serviceId: body.serviceId,
      startMs: Date.parse(body.startAt),
      partySize: body.partySize,
      resourceId: body.resourceId,
      note: body.note,
      idempotencyKey: `staff-${idempotencyKey}`,
    });
    if (result.outcome === 'reserved') {
      await appendEvents(deps.db, [
        {
          booking_id: result.bookingId,
          merchant_id: catalog.store.merchantId,
          type: 'STAFF_ENTERED',
          from_status: null,
          to_status: null,
          actor: `staff:${staff.staffId}`,
          payload: JSON.stringify({ source: body.source, staffId: staff.staffId }),
          occurred_at: new Date(now),
        },
      ]);
    }
    res.status(202).json({ bookingId: result.bookingId, status: result.status, customerId });
  });

  return router;
}

/** The customer with this phone's blind index, or a new one (openid = a stable placeholder derived from the index). */
async function customerByPhone(deps: GatewayDeps, phone: string): Promise<number> {
  const index = phoneBlindIndex(phone, deps.phoneKeys);
  const found = await deps.db.selectFrom('customers').select('id').where('phone_index', '=', index).orderBy('id').executeTakeFirst();
  if (found) return found.id;
  const enc = encryptPhone(phone, deps.phoneKeys);
  const now = new Date(deps.clock.now());
  await deps.db
    .insertInto('customers')
    .ignore()
    .values({ openid: `phone:${index.toString('hex').slice(0, 48)}`, unionid: null, phone_enc: enc.ciphertext, phone_key_id: enc.keyId, phone_index: index, created_at: now, last_login_at: now })
    .execute();
  const row = await deps.db.selectFrom('customers').select('id').where('phone_index', '=', index).orderBy('id').executeTakeFirstOrThrow();
  return row.id;
}
