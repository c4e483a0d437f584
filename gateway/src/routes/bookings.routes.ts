import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';
import { negotiateLocale } from '../../../core/src/i18n/index.ts';
import { type AcceptDeps, acceptBooking } from '../../../core/src/lifecycle/accept.ts';
import { cancelBooking } from '../../../core/src/lifecycle/cancel.ts';
import { answersOfBooking } from '../../../core/src/lifecycle/answers.ts';
import { findVisibleBooking } from '../../../core/src/lifecycle/find.ts';
import { rescheduleBooking } from '../../../core/src/lifecycle/reschedule.ts';
import { listCustomerBookings } from '../../../db/src/repositories/booking.repository.ts';
import { JobNames, rebuildJobId, rebuildJobOptions } from '../../../workers/src/jobs/contracts.ts';
import { actorOf, requireCustomer } from '../auth/middleware.ts';
import { paymentViewOf, viewFromRow, viewOf } from '../bookings/booking-view.ts';
import { countReservation } from '../bookings/count-reservation.ts';
import { rescheduleDepsOf } from '../bookings/reschedule-deps.ts';
import type { GatewayDeps } from '../deps.ts';
import { checkBookingAnswers } from '../forms/booking-answers.ts';
import { formCacheOf } from '../forms/form-cache.ts';
import { describeRoute } from '../http/openapi.ts';
import {
  BookingAcceptedSchema,
  BookingIdParams,
  BookingViewSchema,
  CancelBody,
  CreateBookingBody,
  IdempotencyHeaders,
  RescheduleBody,
} from '../http/schemas.ts';
import { sendJson } from '../http/send-json.ts';
import { parse } from '../http/validate.ts';
import { queueRefunds } from '../payments/queue-refunds.ts';

describeRoute({
  method: 'post',
  path: '/v1/bookings',
  summary: 'Book a slot',
  description:
    'Reserves every resource the service needs and queues the booking in one atomic Redis step; answers in milliseconds with 202 PENDING. Poll GET /v1/bookings/{id} for CONFIRMED (or REJECTED/EXPIRED).',
  auth: true,
  request: { headers: IdempotencyHeaders, body: { content: { 'application/json': { schema: CreateBookingBody } } } },
  ok: { status: 202, schema: BookingAcceptedSchema, description: 'Accepted; a retry with the same Idempotency-Key returns the same booking' },
  errors: [400, 401, 404, 409, 422, 429, 503],
});
describeRoute({
  method: 'get',
  path: '/v1/bookings/{id}',
  summary: 'A booking of the logged-in customer',
  auth: true,
  request: { params: BookingIdParams },
  ok: { status: 200, schema: BookingViewSchema, description: 'The booking, PENDING until persisted' },
  errors: [401, 404],
});
describeRoute({
  method: 'post',
  path: '/v1/bookings/{id}/cancel',
  summary: 'Cancel a booking before it starts',
  auth: true,
  request: { params: BookingIdParams, body: { content: { 'application/json': { schema: CancelBody } } } },
  ok: { status: 200, schema: BookingViewSchema, description: 'The cancelled booking (cancelling twice answers the same)' },
  errors: [400, 401, 404, 409],
});
describeRoute({
  method: 'post',
  path: '/v1/bookings/{id}/reschedule',
  summary: 'Move a booking to another time (and optionally another staff member)',
  description:
    'AWAITING_PAYMENT or CONFIRMED bookings that have not started, at most 3 times. All or nothing: the old slot is released only if the new one is taken. The booking keeps its id, price, payment and check-in code; cancellation refunds then follow the new start time. Moving to the current slot changes nothing. A booking still PENDING answers 409 with Retry-After.',
  auth: true,
  request: { params: BookingIdParams, body: { content: { 'application/json': { schema: RescheduleBody } } } },
  ok: { status: 200, schema: BookingViewSchema, description: 'The booking at its new time' },
  errors: [400, 401, 404, 409, 429, 503],
});
describeRoute({
  method: 'get',
  path: '/v1/me/bookings',
  summary: 'The logged-in customer’s bookings, newest first',
  auth: true,
  ok: { status: 200, schema: z.object({ bookings: z.array(BookingViewSchema) }), description: 'Persisted bookings' },
  errors: [401],
});

export function bookingRoutes(deps: GatewayDeps): Router {
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
  const forms = formCacheOf(deps);

  router.post('/v1/bookings', auth, async (req, res) => {
    const actor = actorOf(res);
    if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'customers only');
    const { 'idempotency-key': idempotencyKey } = parse(IdempotencyHeaders, req.headers, 'headers');
    const body = parse(CreateBookingBody, req.body, 'body');
    const catalog = await deps.catalog.get(body.storeId);
    const locale = negotiateLocale(req.headers['accept-language']);
    // Before anything is reserved: bad answers are a 400 that leaves no trace.
    const answers = await checkBookingAnswers({ forms, phoneKeys: deps.phoneKeys, nowMs: deps.clock.now(), locale }, catalog, body.serviceId, body.answers);
    const result = await countReservation(deps.metrics, async () =>
      acceptBooking(acceptDeps, catalog, {
        customerId: actor.customerId,
        storeId: body.storeId,
        serviceId: body.serviceId,
        startMs: Date.parse(body.startAt),
        partySize: body.partySize,
        resourceId: body.resourceId,
        note: body.note,
        idempotencyKey,
        answers,
      }),
    );
    sendJson(res, 202, { bookingId: result.bookingId, status: result.status });
  });

  router.get('/v1/bookings/:id', auth, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const found = await findVisibleBooking(deps, actorOf(res), id);
    const view = viewOf(found, negotiateLocale(req.headers['accept-language']));
    // The customer's own answers, in full.
    const answers = await answersOfBooking(deps, found, { maskPhones: false, locale: negotiateLocale(req.headers['accept-language']) });
    res.json(found.kind === 'row' ? { ...view, payment: await paymentViewOf(deps.db, found.row), answers } : { ...view, answers });
  });

  router.post('/v1/bookings/:id/cancel', auth, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const { reason } = parse(CancelBody, req.body ?? {}, 'body');
    const actor = actorOf(res);
    const cancelled = await cancelBooking(deps, actor, id, reason);
    await queueRefunds(deps, cancelled.refundIds);
    res.json(viewOf(await findVisibleBooking(deps, actor, id), negotiateLocale(req.headers['accept-language'])));
  });

  const rescheduleDeps = rescheduleDepsOf(deps);
  router.post('/v1/bookings/:id/reschedule', auth, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const body = parse(RescheduleBody, req.body ?? {}, 'body');
    const actor = actorOf(res);
    await rescheduleBooking(rescheduleDeps, actor, id, { startMs: Date.parse(body.startAt), resourceId: body.resourceId });
    res.json(viewOf(await findVisibleBooking(deps, actor, id), negotiateLocale(req.headers['accept-language'])));
  });

  router.get('/v1/me/bookings', auth, async (req, res) => {
    const actor = actorOf(res);
    if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'customers only');
    const rows = await listCustomerBookings(deps.db, actor.customerId, 100);
    const locale = negotiateLocale(req.headers['accept-language']);
    res.json({ bookings: rows.map((row) => viewFromRow(row, locale)) });
  });

  return router;
}
