import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';
import { format, type Locale, messagesFor, negotiateLocale } from '../../../core/src/i18n/index.ts';
import type { StoreCatalog } from '../../../core/src/catalog/types.ts';
import type { AcceptDeps } from '../../../core/src/lifecycle/accept.ts';
import { acceptSequence } from '../../../core/src/lifecycle/sequence.ts';
import { cancelSeries, createSeries, getSeries, type SeriesView } from '../../../core/src/lifecycle/series.ts';
import { MAX_SEQUENCE_STEPS } from '../../../core/src/sequences/sequence-plan.ts';
import { MAX_SERIES_COUNT } from '../../../core/src/sequences/series-dates.ts';
import { JobNames, rebuildJobId, rebuildJobOptions } from '../../../workers/src/jobs/contracts.ts';
import { actorOf, requireCustomer } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { BookingAcceptedSchema, IdempotencyHeaders } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';
import { queueRefunds } from '../payments/queue-refunds.ts';

const bodyId = z.number().int().positive().max(2 ** 53 - 1);
const instant = z.iso.datetime({ offset: true, error: '须为带时区的 ISO 8601 时间' }).meta({ example: '2026-12-02T10:00:00+08:00' });

export const CreateSequenceBody = z
  .object({
    storeId: bodyId,
    startAt: instant,
    steps: z
      .array(
        z
          .object({
            serviceId: bodyId,
            resourceId: bodyId.optional().meta({ description: 'Staff member or room for this step; omit for "any"' }),
          })
          .strict(),
        { error: 'steps 须为服务项目列表' },
      )
      .min(2, `至少需要 2 个服务项目`)
      .max(MAX_SEQUENCE_STEPS, `最多 ${MAX_SEQUENCE_STEPS} 个服务项目`),
    sameStaff: z.boolean().default(false).meta({ description: 'One staff member performs every step (each step must need exactly one staff member)' }),
    note: z.string().trim().max(200).default(''),
  })
  .strict()
  .meta({ id: 'CreateSequence' });

export const SequenceAcceptedSchema = BookingAcceptedSchema.extend({
  priceFen: z.number(),
  startAt: z.string(),
  endAt: z.string(),
  steps: z.array(z.object({ serviceId: z.number(), startAt: z.string(), endAt: z.string(), priceFen: z.number() })),
}).meta({ id: 'SequenceAccepted' });

export const CreateSeriesBody = z
  .object({
    storeId: bodyId,
    serviceId: bodyId,
    firstStartAt: instant,
    count: z.number({ error: 'count 须为数字' }).int('count 须为整数').min(1, 'count 至少为 1').max(MAX_SERIES_COUNT, `count 最多为 ${MAX_SERIES_COUNT}`),
    everyWeeks: z.union([z.literal(1), z.literal(2)], { error: 'everyWeeks 只能是 1 或 2' }).default(1),
    resourceId: bodyId.optional().meta({ description: 'The same staff member or room every week; omit for "any"' }),
    onConflict: z.enum(['skip', 'all-or-nothing'], { error: "onConflict 只能是 'skip' 或 'all-or-nothing'" }),
    note: z.string().trim().max(200).default(''),
  })
  .strict()
  .meta({ id: 'CreateSeries' });

export const SeriesIdParams = z.object({ id: z.coerce.number({ error: 'id 须为数字' }).int().positive().max(2 ** 53 - 1) });

export const SeriesSchema = z
  .object({
    seriesId: z.number(),
    storeId: z.number(),
    serviceId: z.number(),
    resourceId: z.number().nullable(),
    status: z.enum(['CREATING', 'ACTIVE', 'FAILED', 'CANCELLED']),
    onConflict: z.enum(['skip', 'all-or-nothing']),
    everyWeeks: z.number(),
    count: z.number(),
    booked: z.number(),
    occurrences: z.array(
      z.object({
        index: z.number(),
        startAt: z.string(),
        localDate: z.string(),
        outcome: z.enum(['BOOKED', 'REFUSED', 'RELEASED', 'CANCELLED', 'NOT_TRIED']),
        reason: z.string().nullable().meta({ description: 'Error code of a refusal (SLOT_SOLD_OUT, SLOT_UNAVAILABLE, SLOT_BEYOND_HORIZON …)' }),
        reasonMessage: z.string().nullable(),
        bookingId: z.string().nullable(),
        bookingStatus: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'BookingSeries' });

describeRoute({
  method: 'post',
  path: '/v1/bookings/sequence',
  summary: 'Book several services back to back as one booking',
  description:
    'Step i starts when step i−1 ends (plus buffers, rounded up to the store’s cell grid). One atomic reserve: every step is taken or nothing. One booking (price = sum, span = first start → last end). sameStaff: one staff member does every step. Sequences cannot be rescheduled (409 SEQUENCE_NOT_RESCHEDULABLE); cancel works as usual.',
  auth: true,
  request: { headers: IdempotencyHeaders, body: { content: { 'application/json': { schema: CreateSequenceBody } } } },
  ok: { status: 202, schema: SequenceAcceptedSchema, description: 'Accepted; poll GET /v1/bookings/{id}' },
  errors: [400, 401, 404, 409, 422, 429, 503],
});
describeRoute({
  method: 'post',
  path: '/v1/bookings/series',
  summary: 'Book a recurring weekly series (up to 20)',
  description:
    'Each occurrence is an ordinary booking at the same local time every 1 or 2 weeks. skip: refused dates are reported. all-or-nothing: if any date is refused, the taken ones are cancelled again (compensation, not one transaction) and the answer is 409 SERIES_CONFLICT listing the refused dates. A retry with the same Idempotency-Key books nothing new.',
  auth: true,
  request: { headers: IdempotencyHeaders, body: { content: { 'application/json': { schema: CreateSeriesBody } } } },
  ok: { status: 201, schema: SeriesSchema, description: 'The series and the outcome of every date (200 for a retry)' },
  errors: [400, 401, 404, 409, 422, 503],
});
describeRoute({
  method: 'get',
  path: '/v1/bookings/series/{id}',
  summary: 'A recurring series of the logged-in customer',
  auth: true,
  request: { params: SeriesIdParams },
  ok: { status: 200, schema: SeriesSchema, description: 'The series' },
  errors: [401, 404],
});
describeRoute({
  method: 'post',
  path: '/v1/bookings/series/{id}/cancel',
  summary: 'Cancel the series’ occurrences that have not started',
  auth: true,
  request: { params: SeriesIdParams },
  ok: { status: 200, schema: SeriesSchema, description: 'The cancelled series' },
  errors: [401, 404],
});

/** Values of the refusal messages' placeholders ({days}, {minutes}, {limit}), from the store and service. */
function paramsOf(catalog: StoreCatalog, serviceId: number): Record<string, number> {
  return {
    days: catalog.store.horizonDays,
    limit: catalog.store.perCustomerDailyLimit,
    minutes: catalog.services.get(serviceId)?.minNoticeMinutes ?? 0,
  };
}

function seriesJson(view: SeriesView, locale: Locale, catalog: StoreCatalog): z.infer<typeof SeriesSchema> {
  const messages = messagesFor(locale).errors as Record<string, string>;
  const params = paramsOf(catalog, view.serviceId);
  return {
    seriesId: view.id,
    storeId: view.storeId,
    serviceId: view.serviceId,
    resourceId: view.resourceId,
    status: view.status,
    onConflict: view.onConflict,
    everyWeeks: view.everyWeeks,
    count: view.count,
    booked: view.booked,
    occurrences: view.occurrences.map((o) => ({
      index: o.index,
      startAt: new Date(o.startMs).toISOString(),
      localDate: o.localDate,
      outcome: o.outcome,
      reason: o.reason,
      reasonMessage: o.reason && messages[o.reason] ? format(messages[o.reason]!, params) : null,
      bookingId: o.bookingId,
      bookingStatus: o.bookingStatus,
    })),
  };
}

export function seriesRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const auth = requireCustomer(deps.tokens);
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
  const timeZoneOf = async (storeId: number) => (await deps.catalog.get(storeId)).store.timezone;

  router.post('/v1/bookings/sequence', auth, async (req, res) => {
    const actor = actorOf(res);
    if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'customers only');
    const { 'idempotency-key': idempotencyKey } = parse(IdempotencyHeaders, req.headers, 'headers');
    const body = parse(CreateSequenceBody, req.body, 'body');
    const catalog = await deps.catalog.get(body.storeId);
    const result = await acceptSequence(acceptDeps, catalog, {
      customerId: actor.customerId,
      storeId: body.storeId,
      startMs: Date.parse(body.startAt),
      steps: body.steps,
      sameStaff: body.sameStaff,
      note: body.note,
      idempotencyKey,
    });
    const iso = (ms: number) => new Date(ms).toISOString();
    res.status(202).json({
      bookingId: result.bookingId,
      status: result.status,
      priceFen: result.plan.priceFen,
      startAt: iso(result.plan.startMs),
      endAt: iso(result.plan.endMs),
      steps: result.plan.steps.map((s) => ({ serviceId: s.serviceId, startAt: iso(s.startMs), endAt: iso(s.endMs), priceFen: s.priceFen })),
    });
  });

  router.post('/v1/bookings/series', auth, async (req, res) => {
    const actor = actorOf(res);
    if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'customers only');
    const { 'idempotency-key': idempotencyKey } = parse(IdempotencyHeaders, req.headers, 'headers');
    const body = parse(CreateSeriesBody, req.body, 'body');
    const catalog = await deps.catalog.get(body.storeId);
    const locale = negotiateLocale(req.headers['accept-language']);
    const { view, created } = await createSeries(acceptDeps, catalog, {
      customerId: actor.customerId,
      storeId: body.storeId,
      serviceId: body.serviceId,
      firstStartMs: Date.parse(body.firstStartAt),
      count: body.count,
      everyWeeks: body.everyWeeks,
      resourceId: body.resourceId,
      onConflict: body.onConflict,
      note: body.note,
      idempotencyKey,
    });
    const json = seriesJson(view, locale, catalog);
    if (view.onConflict === 'all-or-nothing' && view.status === 'FAILED') {
      const refused = json.occurrences.filter((o) => o.outcome === 'REFUSED');
      throw new AppError('SERIES_CONFLICT', `series ${view.id}: ${refused.length} dates refused`, {
        issues: refused.map((o) => ({ path: `occurrences.${o.index}`, message: `${o.localDate}：${o.reasonMessage ?? o.reason}` })),
        params: { seriesId: view.id },
      });
    }
    res.status(created ? 201 : 200).json(json);
  });

  router.get('/v1/bookings/series/:id', auth, async (req, res) => {
    const { id } = parse(SeriesIdParams, req.params, 'params');
    const view = await getSeries(deps, actorOf(res), id, timeZoneOf);
    res.json(seriesJson(view, negotiateLocale(req.headers['accept-language']), await deps.catalog.get(view.storeId)));
  });

  router.post('/v1/bookings/series/:id/cancel', auth, async (req, res) => {
    const { id } = parse(SeriesIdParams, req.params, 'params');
    const { view, refundIds } = await cancelSeries(deps, actorOf(res), id, timeZoneOf);
    await queueRefunds(deps, refundIds);
    res.json(seriesJson(view, negotiateLocale(req.headers['accept-language']), await deps.catalog.get(view.storeId)));
  });

  return router;
}
