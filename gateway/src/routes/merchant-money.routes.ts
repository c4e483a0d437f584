import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';
import { checkIn, checkInByCode, completeBooking, markNoShow } from '../../../core/src/lifecycle/attendance.ts';
import { findVisibleBooking } from '../../../core/src/lifecycle/find.ts';
import { payAtStore } from '../../../core/src/payments/policy.ts';
import { localDateOf, localDayBounds } from '../../../core/src/time/zoned.ts';
import { listStores } from '../../../db/src/repositories/discovery.repository.ts';
import { ledgerOf, ledgerTotals, policiesOf, upsertPolicy } from '../../../db/src/repositories/payment.repository.ts';
import { actorOf, requireStaff, staffOf } from '../auth/middleware.ts';
import { merchantViewOf } from '../bookings/merchant-view.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import {
  BillDateQuery,
  BookingIdParams,
  CheckInBody,
  IdParams,
  LedgerQuery,
  LedgerSchema,
  MerchantBookingViewSchema,
  PaymentPolicyBody,
} from '../http/schemas.ts';
import { parse } from '../http/validate.ts';
import { queueRefunds } from '../payments/queue-refunds.ts';

const attendance = (path: string, summary: string, body?: z.ZodType) =>
  describeRoute({
    method: 'post',
    path,
    summary,
    auth: true,
    request: { params: BookingIdParams, ...(body ? { body: { content: { 'application/json': { schema: body } } } } : {}) },
    ok: { status: 200, schema: MerchantBookingViewSchema, description: 'The booking after the change (repeating it answers the same)' },
    errors: [400, 401, 403, 404, 409],
  });
attendance('/v1/merchant/bookings/{id}/check-in', 'Check a customer in with their one-time code (核销)', CheckInBody);
attendance('/v1/merchant/bookings/{id}/complete', 'Mark a checked-in booking completed (opens the review)');
attendance('/v1/merchant/bookings/{id}/no-show', 'Mark a confirmed booking whose start has passed as a no-show (deposit forfeited by policy)');
describeRoute({
  method: 'post',
  path: '/v1/merchant/check-in',
  summary: 'Check in by code alone: finds today’s confirmed booking in the caller’s stores',
  auth: true,
  request: { body: { content: { 'application/json': { schema: CheckInBody } } } },
  ok: { status: 200, schema: MerchantBookingViewSchema, description: 'The checked-in booking' },
  errors: [400, 401, 403, 409],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/services/{id}/payment-policy',
  summary: 'How a service is paid and what cancelling costs',
  auth: true,
  request: { params: IdParams },
  ok: { status: 200, schema: PaymentPolicyBody, description: 'Policy (pay at store when never set)' },
  errors: [401, 403, 404],
});
describeRoute({
  method: 'put',
  path: '/v1/merchant/services/{id}/payment-policy',
  summary: 'Set a service’s payment mode (none / deposit / full), deposit targeting and cancellation policy',
  auth: true,
  request: { params: IdParams, body: { content: { 'application/json': { schema: PaymentPolicyBody } } } },
  ok: { status: 200, schema: PaymentPolicyBody, description: 'Saved policy; applies to bookings persisted from now on' },
  errors: [400, 401, 403, 404],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/ledger',
  summary: 'Every money movement of the merchant (payments in, refunds out) between two local dates, with totals',
  auth: true,
  request: { query: LedgerQuery },
  ok: { status: 200, schema: LedgerSchema, description: 'Ledger' },
  errors: [400, 401, 403],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/payments/reconciliation',
  summary: 'Reports of the daily comparison with WeChat Pay’s trade bill (owners)',
  auth: true,
  request: { query: BillDateQuery },
  ok: { status: 200, description: 'Reports for the bill date, newest first' },
  errors: [400, 401, 403],
});

export function merchantMoneyRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const anyStaff = requireStaff(deps.tokens);
  const managers = requireStaff(deps.tokens, ['owner', 'manager']);
  const owners = requireStaff(deps.tokens, ['owner']);

  async function merchantView(req: { headers: Record<string, unknown> }, res: Parameters<typeof actorOf>[0], bookingId: string) {
    return merchantViewOf(deps, await findVisibleBooking(deps, actorOf(res), bookingId), req.headers['accept-language'] as string | undefined);
  }

  function staffActor(res: Parameters<typeof actorOf>[0]) {
    const actor = actorOf(res);
    if (actor.kind !== 'merchant') throw new AppError('FORBIDDEN', 'staff only');
    return actor;
  }

  router.post('/v1/merchant/bookings/:id/check-in', anyStaff, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const { code } = parse(CheckInBody, req.body ?? {}, 'body');
    await checkIn(deps, staffActor(res), id, code);
    res.json(await merchantView(req, res, id));
  });

  router.post('/v1/merchant/check-in', anyStaff, async (req, res) => {
    const { code } = parse(CheckInBody, req.body ?? {}, 'body');
    const staff = staffOf(res);
    const stores = await listStores(deps.db, { merchantId: staff.merchantId, limit: 1000, offset: 0 });
    const mine = stores.filter((s) => staff.storeId === null || s.id === staff.storeId);
    // "Today" is each store's own local date; a merchant's stores may sit in different zones.
    let lastError: unknown;
    for (const zone of new Set(mine.map((s) => s.timezone))) {
      const ids = mine.filter((s) => s.timezone === zone).map((s) => s.id);
      try {
        const result = await checkInByCode(deps, staffActor(res), ids, localDateOf(deps.clock.now(), zone), code);
        return void res.json(await merchantView(req, res, result.bookingId));
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError ?? new AppError('CHECKIN_CODE_INVALID', 'no store to check in at');
  });

  router.post('/v1/merchant/bookings/:id/complete', anyStaff, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    await completeBooking(deps, staffActor(res), id);
    res.json(await merchantView(req, res, id));
  });

  router.post('/v1/merchant/bookings/:id/no-show', managers, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const result = await markNoShow(deps, staffActor(res), id);
    await queueRefunds(deps, result.refundIds);
    res.json(await merchantView(req, res, id));
  });

  async function ownService(merchantId: number, storeId: number | null, serviceId: number) {
    const service = await deps.db.selectFrom('services').select(['id', 'merchant_id', 'store_id']).where('id', '=', serviceId).executeTakeFirst();
    if (!service || service.merchant_id !== merchantId || (storeId !== null && service.store_id !== storeId)) {
      throw new AppError('SERVICE_NOT_FOUND', `service ${serviceId} not found`);
    }
    return service;
  }

  router.get('/v1/merchant/services/:id/payment-policy', anyStaff, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const staff = staffOf(res);
    await ownService(staff.merchantId, staff.storeId, id);
    res.json((await policiesOf(deps.db, [id])).get(id) ?? payAtStore);
  });

  router.put('/v1/merchant/services/:id/payment-policy', managers, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const policy = parse(PaymentPolicyBody, req.body ?? {}, 'body');
    const staff = staffOf(res);
    await ownService(staff.merchantId, staff.storeId, id);
    await upsertPolicy(deps.db, staff.merchantId, id, policy, deps.clock.now());
    res.json((await policiesOf(deps.db, [id])).get(id));
  });

  router.get('/v1/merchant/ledger', managers, async (req, res) => {
    const query = parse(LedgerQuery, req.query, 'query');
    const staff = staffOf(res);
    if (staff.storeId !== null && query.storeId !== undefined && query.storeId !== staff.storeId) throw new AppError('FORBIDDEN', 'staff may only see their own store');
    const merchant = await deps.db.selectFrom('merchants').select('timezone').where('id', '=', staff.merchantId).executeTakeFirstOrThrow();
    const range = {
      fromMs: localDayBounds(query.from, merchant.timezone).start,
      toMs: localDayBounds(query.to, merchant.timezone).end,
      storeId: staff.storeId ?? query.storeId,
    };
    const [entries, totals] = await Promise.all([ledgerOf(deps.db, staff.merchantId, { ...range, limit: query.limit }), ledgerTotals(deps.db, staff.merchantId, range)]);
    res.json({
      from: query.from,
      to: query.to,
      timezone: merchant.timezone,
      totals,
      entries: entries.map((e) => ({
        id: e.id,
        kind: e.kind,
        amountFen: e.amount_fen,
        bookingId: e.booking_id,
        storeId: e.store_id,
        providerRef: e.provider_ref,
        occurredAt: e.occurred_at.toISOString(),
      })),
    });
  });

  router.get('/v1/merchant/payments/reconciliation', owners, async (req, res) => {
    const { date } = parse(BillDateQuery, req.query, 'query');
    const staff = staffOf(res);
    const reports = await deps.db.selectFrom('payment_reconciliations').selectAll().where('bill_date', '=', date).orderBy('id', 'desc').limit(10).execute();
    // One WeChat Pay account serves every merchant: show each owner only the mismatches of their own orders.
    const mentioned = [...new Set(reports.flatMap((r) => (JSON.parse(r.mismatches) as { outTradeNo: string }[]).map((m) => m.outTradeNo)))];
    const own = new Set(
      mentioned.length === 0
        ? []
        : (await deps.db.selectFrom('payment_orders').select('out_trade_no').where('merchant_id', '=', staff.merchantId).where('out_trade_no', 'in', mentioned).execute()).map(
            (o) => o.out_trade_no,
          ),
    );
    res.json({
      date,
      reports: reports.map((r) => {
        const mismatches = (JSON.parse(r.mismatches) as { outTradeNo: string }[]).filter((m) => own.has(m.outTradeNo));
        return { createdAt: r.created_at.toISOString(), providerRows: r.provider_rows, mismatches };
      }),
    });
  });

  return router;
}
