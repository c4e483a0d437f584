import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { MAX_RESCHEDULES } from '../../core/src/lifecycle/reschedule.ts';
import { createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { createSalon, type SalonFixture } from '../../db/testing/fixtures.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/**
 * Reschedule over HTTP with money: a paid booking moves with its order,
 * ledger and check-in code, and its cancellation is then judged by the new
 * start. The manual clock stands at 2026-12-01 08:00 Shanghai.
 */
let stack: TestStack;
let salon: SalonFixture;
let otherSalon: SalonFixture;
let owner: string;
let frontDesk: string;
let otherOwner: string;

const MINUTE = 60_000;
const TODAY = '2026-12-01';
const TOMORROW = '2026-12-02';
const LATER = '2026-12-03';
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00+08:00`;
const key = (() => {
  let n = 0;
  return () => `resched-key-${String(++n).padStart(6, '0')}`;
})();

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function book(token: string, serviceId: number, startAt: string, store = salon) {
  const accepted = await stack.request('POST', '/v1/bookings', { token, headers: { 'idempotency-key': key() }, body: { storeId: store.storeId, serviceId, startAt } });
  expect(accepted.status).toBe(202);
  return waitForOutcome(stack, token, accepted.body.bookingId);
}

const reschedule = (token: string, bookingId: string, body: unknown, headers: Record<string, string> = {}) =>
  stack.request('POST', `/v1/bookings/${bookingId}/reschedule`, { token, body, headers });
const bookingRow = (id: string) => stack.env.db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const statusOf = async (id: string) => (await bookingRow(id)).status;
const ordersOf = (id: string) => stack.env.db.selectFrom('payment_orders').selectAll().where('booking_id', '=', id).execute();
const ledgerOf = (id: string) => stack.env.db.selectFrom('ledger_entries').selectAll().where('booking_id', '=', id).orderBy('id').execute();
const refundsOf = (id: string) => stack.env.db.selectFrom('refunds').selectAll().where('booking_id', '=', id).orderBy('id').execute();

async function expectInventoryInSync(days: string[]) {
  for (const day of days) {
    const mysql = await stack.env.db.selectFrom('inventory_cells').select(['resource_id', 'starts_at', 'booked', 'capacity']).where('store_id', '=', salon.storeId).where('local_date', '=', day).execute();
    const redis = await stack.env.redis.hgetall(stack.env.keys.store(salon.storeId).booked(day));
    for (const cell of mysql) {
      const field = `${cell.resource_id}:${cell.starts_at.getTime() / MINUTE}`;
      expect(cell.booked).toBeLessThanOrEqual(cell.capacity);
      expect(Number(redis[field] ?? 0), `${day} ${field}`).toBe(cell.booked);
    }
  }
}

async function paidBooking(token: string, startAt: string) {
  const booking = await book(token, salon.haircutId, startAt);
  expect(booking.status).toBe('AWAITING_PAYMENT');
  const started = await stack.request('POST', `/v1/bookings/${booking.bookingId}/payment`, { token });
  expect(started.status).toBe(200);
  stack.pay.pay(started.body.outTradeNo);
  await until('confirmed', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
  return { bookingId: booking.bookingId as string, outTradeNo: started.body.outTradeNo as string };
}

beforeAll(async () => {
  stack = await startTestStack('reschedule');
  const now = stack.env.clock.now();
  salon = await createSalon(stack.env.db, now, { stylists: 2, perCustomerDailyLimit: 10, name: '改期发廊' });
  otherSalon = await createSalon(stack.env.db, now, { stylists: 1, name: '隔壁发廊' });
  for (const storeId of [salon.storeId, otherSalon.storeId]) await materializeStore(stack.env, storeId);
  const passwordHash = await hashPassword('pw-123456');
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: null, username: 'rs-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: salon.storeId, username: 'rs-front', displayName: 'f', passwordHash, role: 'staff' }, now);
  await createStaffUser(stack.env.db, { merchantId: otherSalon.merchantId, storeId: null, username: 'rs-other', displayName: 'x', passwordHash, role: 'owner' }, now);
  owner = await stack.staffLogin('rs-owner', 'pw-123456');
  frontDesk = await stack.staffLogin('rs-front', 'pw-123456');
  otherOwner = await stack.staffLogin('rs-other', 'pw-123456');
  const policy = await stack.request('PUT', `/v1/merchant/services/${salon.haircutId}/payment-policy`, {
    token: owner,
    body: { mode: 'full', paymentWindowMinutes: 15, freeCancelHours: 24, lateCancelFeePercent: 50 },
  });
  expect(policy.status).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('rescheduling keeps the payment', () => {
  it('when a paid booking moves, then it keeps its order, ledger and check-in code, stays CONFIRMED, and a cancel refunds by the new start', async () => {
    const alice = await stack.login('rs-alice');
    const { bookingId, outTradeNo } = await paidBooking(alice, at(LATER, '11:00'));
    const before = (await stack.request('GET', `/v1/bookings/${bookingId}`, { token: alice })).body;
    expect(before.checkinCode).toMatch(/^\d{6}$/);
    const ledgerBefore = await ledgerOf(bookingId);
    const quoteBefore = (await stack.request('GET', `/v1/bookings/${bookingId}/cancellation`, { token: alice })).body;
    expect(quoteBefore).toMatchObject({ rule: 'FREE_CANCELLATION', refundFen: 8800 });

    // From two days ahead to this evening: inside the 24 h free-cancellation window now.
    const moved = await reschedule(alice, bookingId, { startAt: at(TODAY, '18:00') });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      bookingId,
      status: 'CONFIRMED',
      startAt: new Date(at(TODAY, '18:00')).toISOString(),
      localDate: TODAY,
      priceFen: before.priceFen,
      amountDueFen: before.amountDueFen,
      checkinCode: before.checkinCode,
    });
    const orders = await ordersOf(bookingId);
    expect(orders.map((o) => [o.out_trade_no, o.status, o.amount_fen])).toEqual([[outTradeNo, 'PAID', 8800]]);
    expect(await ledgerOf(bookingId)).toEqual(ledgerBefore);
    expect((await stack.request('POST', `/v1/bookings/${bookingId}/payment`, { token: alice })).body.status).toBe('PAID');
    await expectInventoryInSync([TODAY, LATER]);

    const quote = (await stack.request('GET', `/v1/bookings/${bookingId}/cancellation`, { token: alice })).body;
    expect(quote).toMatchObject({ rule: 'LATE_CANCELLATION', paidFen: 8800, feeFen: 4400, refundFen: 4400 });
    const cancelled = await stack.request('POST', `/v1/bookings/${bookingId}/cancel`, { token: alice, body: {} });
    expect(cancelled.body.status).toBe('CANCELLED');
    await until('refunded', async () => (await refundsOf(bookingId))[0]?.status === 'SUCCESS');
    expect((await refundsOf(bookingId)).map((r) => [r.amount_fen, r.reason])).toEqual([[4400, 'LATE_CANCELLATION']]);
    expect((await ledgerOf(bookingId)).map((e) => e.amount_fen)).toEqual([8800, -4400]);
    await expectInventoryInSync([TODAY, LATER]);
  });

  it('when a booking awaiting payment moves, then the payment started before the move confirms it at the new time', async () => {
    const bob = await stack.login('rs-bob');
    const booking = await book(bob, salon.haircutId, at(TOMORROW, '10:00'));
    const started = await stack.request('POST', `/v1/bookings/${booking.bookingId}/payment`, { token: bob });
    const moved = await reschedule(bob, booking.bookingId, { startAt: at(TOMORROW, '15:00') });
    expect([moved.status, moved.body.status, moved.body.paymentDueAt]).toEqual([200, 'AWAITING_PAYMENT', booking.paymentDueAt]);
    stack.pay.pay(started.body.outTradeNo);
    await until('confirmed', async () => (await statusOf(booking.bookingId)) === 'CONFIRMED');
    expect((await bookingRow(booking.bookingId)).starts_at.toISOString()).toBe(new Date(at(TOMORROW, '15:00')).toISOString());
    await expectInventoryInSync([TOMORROW]);
  });
});

describe('who may move a booking', () => {
  it('when the API is described, then both reschedule routes are in /openapi.json', async () => {
    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/bookings/{id}/reschedule', '/v1/merchant/bookings/{id}/reschedule']));
  });


  it('when the owner moves a customer’s booking, then it moves; front-desk staff are refused, other merchants and customers see nothing', async () => {
    const cat = await stack.login('rs-cat');
    const booking = await book(cat, salon.permId, at(TOMORROW, '11:00'));
    const stranger = await stack.login('rs-stranger');
    const foreign = await reschedule(stranger, booking.bookingId, { startAt: at(TOMORROW, '13:00') });
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'BOOKING_NOT_FOUND']);
    const path = `/v1/merchant/bookings/${booking.bookingId}/reschedule`;
    const otherMerchant = await stack.request('POST', path, { token: otherOwner, body: { startAt: at(TOMORROW, '13:00') } });
    expect([otherMerchant.status, otherMerchant.body.error.code]).toEqual([404, 'BOOKING_NOT_FOUND']);
    const staff = await stack.request('POST', path, { token: frontDesk, body: { startAt: at(TOMORROW, '13:00') } });
    expect([staff.status, staff.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await bookingRow(booking.bookingId)).starts_at.toISOString()).toBe(new Date(at(TOMORROW, '11:00')).toISOString());

    const moved = await stack.request('POST', path, { token: owner, body: { startAt: at(TOMORROW, '13:00') } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ startAt: new Date(at(TOMORROW, '13:00')).toISOString(), checkinCode: null, customer: { id: expect.any(Number) } });
    const event = await stack.env.db.selectFrom('booking_events').selectAll().where('booking_id', '=', booking.bookingId).where('type', '=', 'RESCHEDULED').executeTakeFirstOrThrow();
    expect(event.actor).toMatch(/^staff:\d+$/);
  });
});

describe('refusals over HTTP', () => {
  it('when the input is bad, then 400 says why in Chinese and nothing changed', async () => {
    const dan = await stack.login('rs-dan');
    const booking = await book(dan, salon.permId, at(LATER, '14:00'));
    const before = await bookingRow(booking.bookingId);
    const noOffset = await reschedule(dan, booking.bookingId, { startAt: '2026-12-03T15:00:00' });
    expect([noOffset.status, noOffset.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(noOffset.body.error.issues[0]).toEqual({ path: 'body.startAt', message: 'startAt 须为带时区的 ISO 8601 时间' });
    const extra = await reschedule(dan, booking.bookingId, { startAt: at(LATER, '15:00'), partySize: 2 });
    expect([extra.status, extra.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const misaligned = await reschedule(dan, booking.bookingId, { startAt: at(LATER, '15:10') });
    expect([misaligned.status, misaligned.body.error]).toEqual([400, { code: 'SLOT_MISALIGNED', message: '开始时间不在可预约的时间点上' }]);
    const past = await reschedule(dan, booking.bookingId, { startAt: at(TODAY, '07:00') });
    expect([past.status, past.body.error]).toEqual([400, { code: 'SLOT_TOO_SOON', message: '距开始时间太近，需至少提前 60 分钟预约' }]);
    expect(await bookingRow(booking.bookingId)).toEqual(before);
    await expectInventoryInSync([LATER]);
  });

  it(`when a booking was moved ${MAX_RESCHEDULES} times, then the next move is 409 RESCHEDULE_LIMIT_REACHED; the same slot answers 200 unchanged`, async () => {
    const eve = await stack.login('rs-eve');
    const booking = await book(eve, salon.permId, at(LATER, '09:00'));
    for (const hhmm of ['09:30', '10:00', '10:30'].slice(0, MAX_RESCHEDULES)) expect((await reschedule(eve, booking.bookingId, { startAt: at(LATER, hhmm) })).status).toBe(200);
    const same = await reschedule(eve, booking.bookingId, { startAt: at(LATER, '10:30') });
    expect([same.status, same.body.startAt]).toEqual([200, new Date(at(LATER, '10:30')).toISOString()]);
    const refused = await reschedule(eve, booking.bookingId, { startAt: at(LATER, '11:00') });
    expect([refused.status, refused.body.error]).toEqual([409, { code: 'RESCHEDULE_LIMIT_REACHED', message: `每个预约最多改期 ${MAX_RESCHEDULES} 次，如需其他时间请取消后重新预约` }]);
    const english = await reschedule(eve, booking.bookingId, { startAt: at(LATER, '11:00') }, { 'accept-language': 'en' });
    expect(english.body.error.message).toContain(`at most ${MAX_RESCHEDULES} times`);
  });

  it('when the new slot is taken, then 409 SLOT_SOLD_OUT in Chinese and the old slot is still held', async () => {
    const fay = await stack.login('rs-fay');
    const gus = await stack.login('rs-gus');
    const mine = await book(fay, salon.permId, at(TOMORROW, '17:00'));
    await book(gus, salon.permId, at(TOMORROW, '19:00'));
    const refused = await reschedule(fay, mine.bookingId, { startAt: at(TOMORROW, '18:30') });
    expect([refused.status, refused.body.error]).toEqual([409, { code: 'SLOT_SOLD_OUT', message: '该时段已约满，请选择其他时间' }]);
    expect((await bookingRow(mine.bookingId)).starts_at.toISOString()).toBe(new Date(at(TOMORROW, '17:00')).toISOString());
    await expectInventoryInSync([TOMORROW]);
  });
});
