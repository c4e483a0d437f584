import { createVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { reconcileBillDay } from '../../core/src/lifecycle/reconcile-payments.ts';
import { createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { createSalon, type SalonFixture } from '../../db/testing/fixtures.ts';
import { createFinishedBooking } from '../../db/testing/finished-bookings.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/**
 * Money through the whole stack: gateway, settlement workers and the fake
 * WeChat Pay (its own keys, real signatures and encrypted notifies). The
 * manual clock starts at 2026-12-01 08:00 Shanghai and only moves when a test
 * moves it, so deadlines pass exactly when a test says so.
 */
let stack: TestStack;
let salon: SalonFixture;
let otherSalon: SalonFixture;
let owner: string;
let otherOwner: string;

const MINUTE = 60_000;
const key = (() => {
  let n = 0;
  return () => `pay-key-${String(++n).padStart(6, '0')}`;
})();
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00+08:00`;
const TOMORROW = '2026-12-02';
const TODAY = '2026-12-01';

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function book(token: string, serviceId: number, startAt: string) {
  const accepted = await stack.request('POST', '/v1/bookings', { token, headers: { 'idempotency-key': key() }, body: { storeId: salon.storeId, serviceId, startAt } });
  expect(accepted.status).toBe(202);
  return waitForOutcome(stack, token, accepted.body.bookingId);
}

const bookingRow = (id: string) => stack.env.db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const statusOf = async (id: string) => (await bookingRow(id)).status;
const ledgerOf = (bookingId: string) => stack.env.db.selectFrom('ledger_entries').selectAll().where('booking_id', '=', bookingId).orderBy('id').execute();
const refundsOf = (bookingId: string) => stack.env.db.selectFrom('refunds').selectAll().where('booking_id', '=', bookingId).orderBy('id').execute();
const eventsOf = (bookingId: string, type: string) =>
  stack.env.db.selectFrom('booking_events').selectAll().where('booking_id', '=', bookingId).where('type', '=', type).execute();

async function startPaying(token: string, bookingId: string) {
  const started = await stack.request('POST', `/v1/bookings/${bookingId}/payment`, { token });
  expect(started.status).toBe(200);
  expect(started.body.status).toBe('PAY');
  return started.body as { outTradeNo: string; amountFen: number; requestPayment: Record<string, string> };
}

/**
 * MySQL and Redis agree on the salon's counters of a day (no drift left by revivals or refunds). Redis
 * follows MySQL right after the commit that changed it, so this waits briefly for them to meet.
 */
async function expectInventoryInSync(day: string) {
  const differences = async () => {
    const mysql = await stack.env.db.selectFrom('inventory_cells').select(['resource_id', 'starts_at', 'booked']).where('store_id', '=', salon.storeId).where('local_date', '=', day).execute();
    const redis = await stack.env.redis.hgetall(stack.env.keys.store(salon.storeId).booked(day));
    return mysql.filter((cell) => Number(redis[`${cell.resource_id}:${cell.starts_at.getTime() / MINUTE}`] ?? 0) !== cell.booked);
  };
  const deadline = Date.now() + 3000;
  while ((await differences()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(await differences()).toEqual([]);
}

beforeAll(async () => {
  stack = await startTestStack('payments', { pay: { billReadyAfterMs: 0 } });
  const now = stack.env.clock.now();
  salon = await createSalon(stack.env.db, now, { stylists: 2, perCustomerDailyLimit: 10, name: '付费发廊' });
  otherSalon = await createSalon(stack.env.db, now, { stylists: 1, name: '别家发廊' });
  for (const storeId of [salon.storeId, otherSalon.storeId]) await materializeStore(stack.env, storeId);
  const passwordHash = await hashPassword('pw-123456');
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: null, username: 'pay-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId: otherSalon.merchantId, storeId: null, username: 'other-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  owner = await stack.staffLogin('pay-owner', 'pw-123456');
  otherOwner = await stack.staffLogin('other-owner', 'pw-123456');
});

afterAll(async () => {
  await stack?.stop();
});

describe('payment policies (merchant API)', () => {
  it('when a manager sets full prepayment and a 30 % deposit, then they are stored and read back', async () => {
    const full = await stack.request('PUT', `/v1/merchant/services/${salon.haircutId}/payment-policy`, { token: owner, body: { mode: 'full', paymentWindowMinutes: 15 } });
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ mode: 'full', paymentWindowMinutes: 15, freeCancelHours: 24 });
    const deposit = await stack.request('PUT', `/v1/merchant/services/${salon.permId}/payment-policy`, {
      token: owner,
      body: { mode: 'deposit', depositPercent: 30, freeCancelHours: 24, lateCancelFeePercent: 50, noShowFeePercent: 100 },
    });
    expect(deposit.status).toBe(200);
    expect((await stack.request('GET', `/v1/merchant/services/${salon.permId}/payment-policy`, { token: owner })).body).toMatchObject({ depositPercent: 30, lateCancelFeePercent: 50 });
    // The store page announces it before anyone books.
    const services = (await stack.request('GET', `/v1/stores/${salon.storeId}`)).body.services;
    expect(services.find((s: any) => s.id === salon.haircutId).payment).toEqual({ mode: 'full', amountFen: 8800, appliesTo: 'all', freeCancelHours: 24 });
    expect(services.find((s: any) => s.id === salon.permId).payment).toEqual({ mode: 'deposit', amountFen: 11640, appliesTo: 'all', freeCancelHours: 24 });
  });

  it('when a policy is contradictory, then 400 says why and nothing is stored', async () => {
    const both = await stack.request('PUT', `/v1/merchant/services/${otherSalon.haircutId}/payment-policy`, {
      token: otherOwner,
      body: { mode: 'deposit', depositPercent: 30, depositFixedFen: 1000 },
    });
    expect([both.status, both.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(both.body.error.issues[0].message).toContain('二选一');
    const stored = await stack.env.db.selectFrom('payment_policies').selectAll().where('service_id', '=', otherSalon.haircutId).execute();
    expect(stored).toEqual([]);
  });

  it('when another merchant touches the policy, then it is not found (tenant isolation)', async () => {
    const foreign = await stack.request('PUT', `/v1/merchant/services/${salon.haircutId}/payment-policy`, { token: otherOwner, body: { mode: 'none' } });
    expect([foreign.status, foreign.body.error.code]).toEqual([400, 'SERVICE_NOT_FOUND']);
    expect((await stack.request('GET', `/v1/merchant/services/${salon.haircutId}/payment-policy`, { token: owner })).body.mode).toBe('full');
  });
});

describe('deposit targeting', () => {
  it('when a deposit targets customers with a prior no-show, then only they must pay; newcomers are confirmed at once', async () => {
    const flaky = await stack.login('pay-flaky');
    const newcomer = await stack.login('pay-newcomer');
    const bookAt = async (token: string, startAt: string) => {
      const accepted = await stack.request('POST', '/v1/bookings', { token, headers: { 'idempotency-key': key() }, body: { storeId: otherSalon.storeId, serviceId: otherSalon.haircutId, startAt } });
      expect(accepted.status).toBe(202);
      return waitForOutcome(stack, token, accepted.body.bookingId);
    };
    const first = await bookAt(flaky, at(TOMORROW, '10:00'));
    const customerId = (await bookingRow(first.bookingId)).customer_id;
    await createFinishedBooking(stack.env.db, { merchantId: otherSalon.merchantId, storeId: otherSalon.storeId, serviceId: otherSalon.haircutId, customerId, status: 'NO_SHOW', startMs: Date.parse(at('2026-11-20', '10:00')) });
    const policy = await stack.request('PUT', `/v1/merchant/services/${otherSalon.haircutId}/payment-policy`, {
      token: otherOwner,
      body: { mode: 'deposit', depositFixedFen: 2000, target: 'prior_no_shows', targetNoShows: 1 },
    });
    expect(policy.status).toBe(200);
    expect(await bookAt(flaky, at(TOMORROW, '12:00'))).toMatchObject({ status: 'AWAITING_PAYMENT', amountDueFen: 2000 });
    expect(await bookAt(newcomer, at(TOMORROW, '14:00'))).toMatchObject({ status: 'CONFIRMED', amountDueFen: 0 });
    const free = await stack.request('POST', `/v1/bookings/${first.bookingId}/payment`, { token: flaky });
    expect([free.status, free.body.error.code]).toEqual([409, 'PAYMENT_NOT_REQUIRED']);
  });
});

describe('paying a booking', () => {
  it('when a prepaid service is booked, then it awaits payment, holds its slot, and confirms once on duplicate notifies', async () => {
    const alice = await stack.login('pay-alice');
    const booking = await book(alice, salon.haircutId, at(TOMORROW, '10:00'));
    expect(booking).toMatchObject({ status: 'AWAITING_PAYMENT', amountDueFen: 8800, checkinCode: null });
    expect(Date.parse(booking.paymentDueAt)).toBe(stack.env.clock.now() + 15 * MINUTE);

    const started = await startPaying(alice, booking.bookingId);
    expect(started.amountFen).toBe(8800);
    // paySign is the merchant's RSA signature over appId, timeStamp, nonceStr and package, one per line.
    const { appId, timeStamp, nonceStr, package: pkg, paySign } = started.requestPayment;
    const verifier = createVerify('RSA-SHA256').update(`${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`);
    expect(verifier.verify(stack.pay.keys.merchantPublicKey, paySign!, 'base64')).toBe(true);
    const again = await startPaying(alice, booking.bookingId);
    expect(again.requestPayment.package).toBe(pkg);

    stack.pay.pay(started.outTradeNo, { notify: 'duplicate' });
    await until('confirmed', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
    await stack.pay.notifiesIdle();
    const view = (await stack.request('GET', `/v1/bookings/${booking.bookingId}`, { token: alice })).body;
    expect(view.checkinCode).toMatch(/^\d{6}$/);
    expect((await ledgerOf(booking.bookingId)).map((e) => [e.kind, e.amount_fen])).toEqual([['PAYMENT', 8800]]);
    expect(await eventsOf(booking.bookingId, 'PAYMENT_RECEIVED')).toHaveLength(1);
    const deliveries = await stack.env.db.selectFrom('payment_notifications').select('deliveries').where('reference', '=', started.outTradeNo).executeTakeFirstOrThrow();
    expect(deliveries.deliveries).toBeGreaterThanOrEqual(2);
    expect((await stack.request('POST', `/v1/bookings/${booking.bookingId}/payment`, { token: alice })).body.status).toBe('PAID');
  });

  it('when notifies are forged, probes, stale or replayed, then each is refused and nothing changes; the query path settles the payment', async () => {
    const bob = await stack.login('pay-bob');
    const booking = await book(bob, salon.haircutId, at(TOMORROW, '11:00'));
    const { outTradeNo } = await startPaying(bob, booking.bookingId);
    stack.pay.pay(outTradeNo, { notify: 'none' });
    for (const attack of [{ forged: true }, { signtest: true }, { staleTimestamp: true }] as const) stack.pay.sendNotify(outTradeNo, attack);
    await stack.pay.notifiesIdle();
    const answers = stack.pay.notifyLog().filter((d) => d.outTradeNo === outTradeNo).flatMap((d) => d.attempts.map((a) => a.status));
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(answers.every((status) => status === 401)).toBe(true);
    expect(await statusOf(booking.bookingId)).toBe('AWAITING_PAYMENT');
    expect(await ledgerOf(booking.bookingId)).toEqual([]);

    // The real notify never arrives; two minutes later the query path asks WeChat and settles it.
    stack.env.clock.advance(3 * MINUTE);
    await until('settled by query', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
    expect((await ledgerOf(booking.bookingId)).map((e) => e.amount_fen)).toEqual([8800]);
    expect((await eventsOf(booking.bookingId, 'PAYMENT_RECEIVED'))[0]!.actor).toBe('system:payment-query');

    // A replay of a genuine delivery (same nonce) is refused as well.
    stack.pay.sendNotify(outTradeNo);
    await stack.pay.notifiesIdle();
    stack.pay.sendNotify(outTradeNo, { replayNonce: true });
    await stack.pay.notifiesIdle();
    const last = stack.pay.notifyLog().at(-1)!;
    expect(last.attempts.map((a) => a.status)).toEqual([401]);
  });

  it('when a notify carries another amount (假通知), then the order is not settled', async () => {
    const carol = await stack.login('pay-carol');
    const booking = await book(carol, salon.haircutId, at(TOMORROW, '12:00'));
    const { outTradeNo } = await startPaying(carol, booking.bookingId);
    stack.pay.pay(outTradeNo, { notify: 'none' });
    stack.pay.sendNotify(outTradeNo, { resourceOverrides: { amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } } });
    await stack.pay.notifiesIdle();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf(booking.bookingId)).toBe('AWAITING_PAYMENT');
    expect(await ledgerOf(booking.bookingId)).toEqual([]);
    // The genuine notify then settles it.
    stack.pay.sendNotify(outTradeNo);
    await until('confirmed', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
  });
});

describe('payment deadline and late payments', () => {
  it('when nobody pays, then at the deadline the order is closed, the booking EXPIRED and the slot free again', async () => {
    const dan = await stack.login('pay-dan');
    const booking = await book(dan, salon.haircutId, at(TOMORROW, '13:00'));
    const { outTradeNo } = await startPaying(dan, booking.bookingId);
    stack.env.clock.advance(16 * MINUTE);
    await until('expired', async () => (await statusOf(booking.bookingId)) === 'EXPIRED');
    expect((await bookingRow(booking.bookingId)).status_reason).toBe('PAYMENT_DEADLINE_PASSED');
    expect(stack.pay.records().orders.find((o) => o.outTradeNo === outTradeNo)?.state).toBe('CLOSED');
    const late = await stack.request('POST', `/v1/bookings/${booking.bookingId}/payment`, { token: dan });
    expect([late.status, late.body.error.code]).toEqual([409, 'PAYMENT_DEADLINE_PASSED']);
    await expectInventoryInSync(TOMORROW);
  });

  it('when the customer paid just before the deadline but the notify is late, then the close finds it paid and the booking is CONFIRMED', async () => {
    const erin = await stack.login('pay-erin');
    const booking = await book(erin, salon.haircutId, at(TOMORROW, '14:00'));
    const { outTradeNo } = await startPaying(erin, booking.bookingId);
    stack.env.clock.advance(14 * MINUTE);
    stack.pay.pay(outTradeNo, { notify: 'none' });
    stack.env.clock.advance(2 * MINUTE);
    await until('confirmed by the close', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
    expect((await ledgerOf(booking.bookingId)).map((e) => e.amount_fen)).toEqual([8800]);
    expect(await refundsOf(booking.bookingId)).toEqual([]);
  });

  it('when a payment arrives after the booking expired and the slot is still free, then it is revived: CONFIRMED, never refunded', async () => {
    const fay = await stack.login('pay-fay');
    const booking = await book(fay, salon.haircutId, at(TOMORROW, '15:00'));
    const { outTradeNo } = await startPaying(fay, booking.bookingId);
    stack.env.clock.advance(14 * MINUTE);
    stack.pay.pay(outTradeNo, { notify: 'none' });
    // WeChat is unreachable when the deadline passes (close and query fail): the booking expires anyway, the order stays open.
    stack.pay.failNext(3, 'SYSTEM_ERROR', { pathIncludes: '/out-trade-no/' });
    stack.env.clock.advance(2 * MINUTE);
    await until('expired', async () => (await statusOf(booking.bookingId)) === 'EXPIRED');
    stack.pay.sendNotify(outTradeNo);
    await until('revived', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
    expect((await bookingRow(booking.bookingId)).status_reason).toBe('LATE_PAYMENT');
    expect((await ledgerOf(booking.bookingId)).map((e) => e.amount_fen)).toEqual([8800]);
    expect(await refundsOf(booking.bookingId)).toEqual([]);
    await expectInventoryInSync(TOMORROW);
  });

  it('when a payment arrives after the booking expired and someone else took the slot, then it is refunded in full, exactly once', async () => {
    const gus = await stack.login('pay-gus');
    const hal = await stack.login('pay-hal');
    // Perm needs the one stylist with the "perm" skill: one booking fills the slot.
    const booking = await book(gus, salon.permId, at(TOMORROW, '16:00'));
    expect(booking.amountDueFen).toBe(11640); // 30 % of 388.00
    const { outTradeNo } = await startPaying(gus, booking.bookingId);
    stack.env.clock.advance(14 * MINUTE);
    stack.pay.pay(outTradeNo, { notify: 'none' });
    stack.pay.failNext(3, 'SYSTEM_ERROR', { pathIncludes: '/out-trade-no/' });
    stack.env.clock.advance(2 * MINUTE);
    await until('expired', async () => (await statusOf(booking.bookingId)) === 'EXPIRED');
    const taker = await book(hal, salon.permId, at(TOMORROW, '16:00'));
    expect(taker.status).toBe('AWAITING_PAYMENT');

    stack.pay.sendNotify(outTradeNo, { duplicate: 2 });
    await until('refunded', async () => (await refundsOf(booking.bookingId))[0]?.status === 'SUCCESS');
    await stack.pay.notifiesIdle();
    expect(await statusOf(booking.bookingId)).toBe('EXPIRED');
    const refunds = await refundsOf(booking.bookingId);
    expect(refunds.map((r) => [r.amount_fen, r.reason, r.status])).toEqual([[11640, 'LATE_PAYMENT_NO_CAPACITY', 'SUCCESS']]);
    expect((await ledgerOf(booking.bookingId)).map((e) => [e.kind, e.amount_fen])).toEqual([
      ['PAYMENT', 11640],
      ['REFUND', -11640],
    ]);
    expect(stack.pay.records().refunds.filter((r) => r.outTradeNo === outTradeNo)).toHaveLength(1);
    expect(await statusOf(taker.bookingId)).toBe('AWAITING_PAYMENT');
    await expectInventoryInSync(TOMORROW);
  });
});

describe('cancelling with money', () => {
  async function paidPerm(token: string, startAt: string) {
    const booking = await book(token, salon.permId, startAt);
    const { outTradeNo } = await startPaying(token, booking.bookingId);
    stack.pay.pay(outTradeNo);
    await until('confirmed', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
    return booking;
  }

  it('when the customer cancels more than 24 h ahead, then the quote and the refund are the whole deposit', async () => {
    const ivy = await stack.login('pay-ivy');
    const booking = await paidPerm(ivy, at('2026-12-03', '11:00'));
    const quote = (await stack.request('GET', `/v1/bookings/${booking.bookingId}/cancellation`, { token: ivy })).body;
    expect(quote).toMatchObject({ cancellable: true, paidFen: 11640, rule: 'FREE_CANCELLATION', feeFen: 0, refundFen: 11640 });
    const cancelled = await stack.request('POST', `/v1/bookings/${booking.bookingId}/cancel`, { token: ivy, body: {} });
    expect(cancelled.body.status).toBe('CANCELLED');
    await until('refunded', async () => (await refundsOf(booking.bookingId))[0]?.status === 'SUCCESS');
    expect((await ledgerOf(booking.bookingId)).map((e) => e.amount_fen)).toEqual([11640, -11640]);
  });

  it('when the customer cancels late, then half the deposit is kept, to the fen, as quoted', async () => {
    const jo = await stack.login('pay-jo');
    const booking = await paidPerm(jo, at(TODAY, '17:00'));
    const quote = (await stack.request('GET', `/v1/bookings/${booking.bookingId}/cancellation`, { token: jo })).body;
    expect(quote).toMatchObject({ rule: 'LATE_CANCELLATION', paidFen: 11640, feeFen: 5820, refundFen: 5820 });
    await stack.request('POST', `/v1/bookings/${booking.bookingId}/cancel`, { token: jo, body: {} });
    await until('refunded', async () => (await refundsOf(booking.bookingId))[0]?.status === 'SUCCESS');
    expect((await refundsOf(booking.bookingId)).map((r) => [r.amount_fen, r.reason])).toEqual([[5820, 'LATE_CANCELLATION']]);
    expect((await eventsOf(booking.bookingId, 'FEE_RETAINED')).map((e) => JSON.parse(e.payload).feeFen)).toEqual([5820]);
    expect((await ledgerOf(booking.bookingId)).map((e) => e.amount_fen)).toEqual([11640, -5820]);
    const view = (await stack.request('GET', `/v1/bookings/${booking.bookingId}`, { token: jo })).body;
    expect(view.payment).toMatchObject({ status: 'PAID', amountFen: 11640, refundedFen: 5820, refunds: [{ amountFen: 5820, status: 'SUCCESS', reason: 'LATE_CANCELLATION' }] });
  });

  it('when the merchant cancels, however late, then everything is refunded', async () => {
    const kim = await stack.login('pay-kim');
    const booking = await paidPerm(kim, at(TODAY, '18:00'));
    const cancelled = await stack.request('POST', `/v1/merchant/bookings/${booking.bookingId}/cancel`, { token: owner, body: {} });
    expect(cancelled.status).toBe(200);
    await until('refunded', async () => (await refundsOf(booking.bookingId))[0]?.status === 'SUCCESS');
    expect((await refundsOf(booking.bookingId)).map((r) => [r.amount_fen, r.reason])).toEqual([[11640, 'MERCHANT_CANCELLED']]);
  });
});

describe('check-in, completion and no-show', () => {
  it('when staff enter a wrong code, then nothing changes; the right code checks in once; completion opens the review', async () => {
    const lee = await stack.login('pay-lee');
    const booking = await book(lee, salon.haircutId, at(TODAY, '12:00'));
    const { outTradeNo } = await startPaying(lee, booking.bookingId);
    stack.pay.pay(outTradeNo);
    await until('confirmed', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
    const code = (await stack.request('GET', `/v1/bookings/${booking.bookingId}`, { token: lee })).body.checkinCode as string;
    const merchantView = (await stack.request('GET', `/v1/merchant/bookings/${booking.bookingId}`, { token: owner })).body;
    expect(merchantView.checkinCode).toBeNull();

    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const refused = await stack.request('POST', `/v1/merchant/bookings/${booking.bookingId}/check-in`, { token: owner, body: { code: wrong } });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'CHECKIN_CODE_INVALID']);
    expect(await statusOf(booking.bookingId)).toBe('CONFIRMED');
    const foreign = await stack.request('POST', `/v1/merchant/check-in`, { token: otherOwner, body: { code } });
    expect(foreign.status).toBe(400);

    const checkedIn = await stack.request('POST', `/v1/merchant/check-in`, { token: owner, body: { code } });
    expect([checkedIn.status, checkedIn.body.status]).toEqual([200, 'CHECKED_IN']);
    const reused = await stack.request('POST', `/v1/merchant/check-in`, { token: owner, body: { code } });
    expect([reused.status, reused.body.error?.code]).toEqual([400, 'CHECKIN_CODE_INVALID']);
    const completed = await stack.request('POST', `/v1/merchant/bookings/${booking.bookingId}/complete`, { token: owner });
    expect(completed.body.status).toBe('COMPLETED');
    const review = await stack.request('POST', `/v1/bookings/${booking.bookingId}/review`, { token: lee, body: { rating: 5, text: '很满意' } });
    expect(review.status).toBe(201);
  });

  it('when a paid customer does not come, then no-show keeps the whole deposit (policy 100 %) and refunds nothing', async () => {
    const max = await stack.login('pay-max');
    const booking = await book(max, salon.permId, at(TODAY, '19:00'));
    const { outTradeNo } = await startPaying(max, booking.bookingId);
    stack.pay.pay(outTradeNo);
    await until('confirmed', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
    const early = await stack.request('POST', `/v1/merchant/bookings/${booking.bookingId}/no-show`, { token: owner });
    expect([early.status, early.body.error.code]).toEqual([409, 'BOOKING_NOT_STARTED']);
    stack.env.clock.set(Date.parse(at(TODAY, '19:30')));
    const marked = await stack.request('POST', `/v1/merchant/bookings/${booking.bookingId}/no-show`, { token: owner });
    expect(marked.body.status).toBe('NO_SHOW');
    expect(await refundsOf(booking.bookingId)).toEqual([]);
    expect((await eventsOf(booking.bookingId, 'FEE_RETAINED')).map((e) => JSON.parse(e.payload).feeFen)).toEqual([11640]);
  });
});

describe('ledger and reconciliation', () => {
  it('when the owner reads the ledger, then it lists every movement and balances with orders and refunds to the fen', async () => {
    const ledger = (await stack.request('GET', `/v1/merchant/ledger?from=${TODAY}&to=${TODAY}`, { token: owner })).body;
    const paid = await stack.env.db.selectFrom('payment_orders').select((eb) => eb.fn.sum<string>('amount_fen').as('fen')).where('status', '=', 'PAID').executeTakeFirstOrThrow();
    const refunded = await stack.env.db.selectFrom('refunds').select((eb) => eb.fn.sum<string>('amount_fen').as('fen')).where('status', '=', 'SUCCESS').executeTakeFirstOrThrow();
    expect(ledger.totals).toEqual({ receivedFen: Number(paid.fen), refundedFen: Number(refunded.fen), netFen: Number(paid.fen) - Number(refunded.fen) });
    expect(ledger.entries.reduce((sum: number, e: any) => sum + e.amountFen, 0)).toBe(ledger.totals.netFen);
    const foreign = (await stack.request('GET', `/v1/merchant/ledger?from=${TODAY}&to=${TODAY}`, { token: otherOwner })).body;
    expect(foreign.entries).toEqual([]);
    const bad = await stack.request('GET', `/v1/merchant/ledger?from=${TOMORROW}&to=${TODAY}`, { token: owner });
    expect(bad.status).toBe(400);
  });

  it('when the daily trade bill is compared, then our records match and a payment only WeChat knows is reported', async () => {
    stack.pay.addProviderOnlyPayment({ amountFen: 1234, outTradeNo: 'ZYUNKNOWN000000000000000001', paidAt: Date.parse(at(TODAY, '12:00')) });
    stack.env.clock.set(Date.parse(at('2026-12-02', '11:00')));
    const deps = { ...stack.env, provider: stack.gateway.deps.payments!.provider };
    const report = await reconcileBillDay(deps, TODAY);
    const ours = await stack.env.db.selectFrom('payment_orders').select('out_trade_no').where('status', '=', 'PAID').execute();
    expect(report.matched).toBeGreaterThanOrEqual(ours.length);
    expect(report.mismatches).toEqual([{ kind: 'PAYMENT_MISSING_IN_OURS', outTradeNo: 'ZYUNKNOWN000000000000000001', oursFen: null, providerFen: 1234 }]);
    owner = await stack.staffLogin('pay-owner', 'pw-123456');
    const stored = await stack.request('GET', `/v1/merchant/payments/reconciliation?date=${TODAY}`, { token: owner });
    expect(stored.status).toBe(200);
    // The unknown order belongs to no merchant: owners see only mismatches of their own orders.
    expect(stored.body.reports[0].mismatches).toEqual([]);
  });
});
