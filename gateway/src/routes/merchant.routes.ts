import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';
import { negotiateLocale } from '../../../core/src/i18n/index.ts';
import { cancelBooking } from '../../../core/src/lifecycle/cancel.ts';
import { answersOfBooking } from '../../../core/src/lifecycle/answers.ts';
import { findVisibleBooking } from '../../../core/src/lifecycle/find.ts';
import { rescheduleBooking } from '../../../core/src/lifecycle/reschedule.ts';
import { listMerchantBookings } from '../../../db/src/repositories/booking.repository.ts';
import { openBookingFlags } from '../../../db/src/repositories/capacity.repository.ts';
import { listStores } from '../../../db/src/repositories/discovery.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { actorOf, requireStaff, staffOf } from '../auth/middleware.ts';
import { viewFromRow } from '../bookings/booking-view.ts';
import { merchantViewOf, withCustomers } from '../bookings/merchant-view.ts';
import { rescheduleDepsOf } from '../bookings/reschedule-deps.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { BookingIdParams, CancelBody, MerchantBookingViewSchema, MerchantBookingsQuery, RescheduleBody, StoreSummarySchema } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';
import { queueRefunds } from '../payments/queue-refunds.ts';
import { storeSummary } from '../stores/store-view.ts';

describeRoute({
  method: 'get',
  path: '/v1/merchant/stores',
  summary: 'Stores of the caller’s merchant',
  auth: true,
  ok: { status: 200, schema: z.object({ stores: z.array(StoreSummarySchema) }), description: 'Stores' },
  errors: [401, 403],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/bookings',
  summary: 'The merchant’s bookings (one store for store-bound staff)',
  auth: true,
  request: { query: MerchantBookingsQuery },
  ok: { status: 200, schema: z.object({ bookings: z.array(MerchantBookingViewSchema) }), description: 'Bookings, phone numbers masked' },
  errors: [400, 401, 403],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/bookings/{id}',
  summary: 'One booking of the merchant',
  auth: true,
  request: { params: BookingIdParams },
  ok: { status: 200, schema: MerchantBookingViewSchema, description: 'Booking' },
  errors: [401, 403, 404],
});
describeRoute({
  method: 'post',
  path: '/v1/merchant/bookings/{id}/cancel',
  summary: 'Cancel a customer’s booking (owner or manager)',
  auth: true,
  request: { params: BookingIdParams, body: { content: { 'application/json': { schema: CancelBody } } } },
  ok: { status: 200, schema: MerchantBookingViewSchema, description: 'Cancelled booking' },
  errors: [400, 401, 403, 404, 409],
});
describeRoute({
  method: 'post',
  path: '/v1/merchant/bookings/{id}/reschedule',
  summary: 'Move a customer’s booking to another time or staff member (owner or manager)',
  description: 'Same rules as the customer’s POST /v1/bookings/{id}/reschedule; the move is recorded with the staff member as actor.',
  auth: true,
  request: { params: BookingIdParams, body: { content: { 'application/json': { schema: RescheduleBody } } } },
  ok: { status: 200, schema: MerchantBookingViewSchema, description: 'The booking at its new time' },
  errors: [400, 401, 403, 404, 409, 429, 503],
});

export function merchantRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const anyStaff = requireStaff(deps.tokens);
  const managers = requireStaff(deps.tokens, ['owner', 'manager']);

  const foundView = (found: Awaited<ReturnType<typeof findVisibleBooking>>, acceptLanguage: string | undefined) => merchantViewOf(deps, found, acceptLanguage);

  router.get('/v1/merchant/stores', anyStaff, async (_req, res) => {
    const staff = staffOf(res);
    const rows = await listStores(deps.db, { merchantId: staff.merchantId, limit: 100, offset: 0 });
    res.json({
      stores: rows
        .filter((r) => staff.storeId === null || r.id === staff.storeId)
        .map(storeSummary),
    });
  });

  router.get('/v1/merchant/bookings', anyStaff, async (req, res) => {
    const staff = staffOf(res);
    const query = parse(MerchantBookingsQuery, req.query, 'query');
    if (staff.storeId !== null && query.storeId !== undefined && query.storeId !== staff.storeId) {
      throw new AppError('FORBIDDEN', 'staff may only see their own store');
    }
    const rows: BookingRow[] = await listMerchantBookings(deps.db, staff.merchantId, {
      storeId: staff.storeId ?? query.storeId,
      localDate: query.date,
      status: query.status,
      limit: query.limit,
    });
    const locale = negotiateLocale(req.headers['accept-language']);
    const views = await withCustomers(deps, rows.map((r) => ({ view: viewFromRow(r, locale), customerId: r.customer_id })));
    // Bookings a capacity change could not move carry their open flag (core/src/lifecycle/capacity-change.ts).
    const flags = new Map((await openBookingFlags(deps.db, staff.merchantId, { bookingIds: rows.map((r) => r.id) })).map((f) => [f.bookingId, f]));
    res.json({
      bookings: views.map((v) => {
        const flag = flags.get(v.bookingId);
        return flag ? { ...v, flag: { reason: flag.reason, deficitUnits: flag.deficitUnits, flaggedAt: flag.createdAt.toISOString() } } : v;
      }),
    });
  });

  router.get('/v1/merchant/bookings/:id', anyStaff, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const found = await findVisibleBooking(deps, actorOf(res), id);
    // Staff see the answers with phone numbers masked, like every other phone.
    const answers = await answersOfBooking(deps, found, { maskPhones: true, locale: negotiateLocale(req.headers['accept-language']) });
    res.json({ ...(await foundView(found, req.headers['accept-language'])), answers });
  });

  router.post('/v1/merchant/bookings/:id/cancel', managers, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const { reason } = parse(CancelBody, req.body ?? {}, 'body');
    const actor = actorOf(res);
    const cancelled = await cancelBooking(deps, actor, id, reason === 'CUSTOMER_REQUEST' ? 'MERCHANT_REQUEST' : reason);
    await queueRefunds(deps, cancelled.refundIds);
    res.json(await foundView(await findVisibleBooking(deps, actor, id), req.headers['accept-language']));
  });

  const rescheduleDeps = rescheduleDepsOf(deps);
  router.post('/v1/merchant/bookings/:id/reschedule', managers, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const body = parse(RescheduleBody, req.body ?? {}, 'body');
    const actor = actorOf(res);
    await rescheduleBooking(rescheduleDeps, actor, id, { startMs: Date.parse(body.startAt), resourceId: body.resourceId });
    res.json(await foundView(await findVisibleBooking(deps, actor, id), req.headers['accept-language']));
  });

  return router;
}
