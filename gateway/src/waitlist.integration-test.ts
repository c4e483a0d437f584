import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { formatStart } from '../../core/src/notifications/variables.ts';
import { createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { type ClassFixture, createClassStudio } from '../../db/testing/fixtures.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/**
 * The waitlist through the whole stack: gateway, persist and maintenance workers (whose waitlist leader ticks
 * every second), the notification planner. Classes with 1 or 2 places make "sold out" and "one place freed"
 * exact. The manual clock starts at 2026-12-01 08:00 Shanghai and moves only when a test moves it.
 */
let stack: TestStack;
let single: ClassFixture;
let double: ClassFixture;
let prepaid: ClassFixture;

const MINUTE = 60_000;
const DAY = '2026-12-02';
const at = (hhmm: string) => `${DAY}T${hhmm}:00+08:00`;
const key = (() => {
  let n = 0;
  return () => `wl-test-${String(++n).padStart(6, '0')}`;
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

/** Logs customers in; one token per name, in order. */
function logins<const N extends readonly string[]>(...users: N): Promise<{ [K in keyof N]: string }> {
  return Promise.all(users.map((u) => stack.login(u))) as Promise<{ [K in keyof N]: string }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function bookingAttempt(token: string, studio: ClassFixture, hhmm: string) {
  return stack.request('POST', '/v1/bookings', { token, headers: { 'idempotency-key': key() }, body: { storeId: studio.storeId, serviceId: studio.classId, startAt: at(hhmm) } });
}

async function book(token: string, studio: ClassFixture, hhmm: string) {
  const accepted = await bookingAttempt(token, studio, hhmm);
  expect(accepted.status).toBe(202);
  return waitForOutcome(stack, token, accepted.body.bookingId);
}

const join = (token: string, studio: ClassFixture, hhmm: string) =>
  stack.request('POST', '/v1/waitlist', { token, body: { storeId: studio.storeId, serviceId: studio.classId, startAt: at(hhmm) } });

const entry = (id: number) => stack.env.db.selectFrom('waitlist_entries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const bookingRow = (id: string) => stack.env.db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Waits until the entry holds an offer whose booking is persisted (OFFERED), and returns the booking id. */
async function offerOf(entryId: number): Promise<string> {
  const bookingId = await until(`an offer for entry ${entryId}`, async () => {
    const row = await entry(entryId);
    return row.status === 'OFFERED' && row.booking_id;
  });
  await until(`booking ${bookingId} persisted`, async () => (await stack.env.db.selectFrom('bookings').select('status').where('id', '=', bookingId).executeTakeFirst())?.status === 'OFFERED');
  return bookingId;
}

async function remaining(studio: ClassFixture, hhmm: string): Promise<number> {
  const body = (await stack.request('GET', `/v1/stores/${studio.storeId}/availability?serviceId=${studio.classId}&date=${DAY}`)).body;
  return body.slots.find((s: any) => s.localTime === hhmm).remaining;
}

/** MySQL never above capacity, and Redis agrees with MySQL on the studio's counters of the day. */
async function expectInventoryConsistent(studio: ClassFixture) {
  const differences = async () => {
    const mysql = await stack.env.db.selectFrom('inventory_cells').select(['resource_id', 'starts_at', 'booked', 'capacity']).where('store_id', '=', studio.storeId).where('local_date', '=', DAY).execute();
    expect(mysql.every((cell) => cell.booked <= cell.capacity)).toBe(true);
    const redis = await stack.env.redis.hgetall(stack.env.keys.store(studio.storeId).booked(DAY));
    return mysql.filter((cell) => Number(redis[`${cell.resource_id}:${cell.starts_at.getTime() / MINUTE}`] ?? 0) !== cell.booked);
  };
  const deadline = Date.now() + 3000;
  while ((await differences()).length > 0 && Date.now() < deadline) await sleep(25);
  expect(await differences()).toEqual([]);
}

beforeAll(async () => {
  stack = await startTestStack('waitlist');
  const now = stack.env.clock.now();
  single = await createClassStudio(stack.env.db, now, { capacity: 1, perCustomerDailyLimit: 10 });
  double = await createClassStudio(stack.env.db, now, { capacity: 2, perCustomerDailyLimit: 10 });
  prepaid = await createClassStudio(stack.env.db, now, { capacity: 1, perCustomerDailyLimit: 10 });
  for (const studio of [single, double, prepaid]) await materializeStore(stack.env, studio.storeId);
  await createStaffUser(stack.env.db, { merchantId: prepaid.merchantId, storeId: null, username: 'wl-owner', displayName: 'o', passwordHash: await hashPassword('pw-123456'), role: 'owner' }, now);
  const owner = await stack.staffLogin('wl-owner', 'pw-123456');
  const policy = await stack.request('PUT', `/v1/merchant/services/${prepaid.classId}/payment-policy`, { token: owner, body: { mode: 'full', paymentWindowMinutes: 15 } });
  expect(policy.status).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('joining and leaving', () => {
  it('when a slot has room, then joining is refused; when it is sold out, joiners queue FIFO, once each', async () => {
    const [holder, w1, w2] = await logins('jl-holder', 'jl-w1', 'jl-w2');
    expect((await join(w1, single, '18:00')).body.error.code).toBe('WAITLIST_NOT_NEEDED');
    expect((await book(holder, single, '18:00')).status).toBe('CONFIRMED');
    expect((await bookingAttempt(w1, single, '18:00')).body.error.code).toBe('SLOT_SOLD_OUT');

    const first = await join(w1, single, '18:00');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'WAITING', position: 1, bookingId: null, partySize: 1 });
    const second = await join(w2, single, '18:00');
    expect(second.body.position).toBe(2);
    const again = await join(w1, single, '18:00');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('WAITLIST_ALREADY_JOINED');

    // Leaving: someone else's entry is not found; the leaver's place goes to the next.
    expect((await stack.request('DELETE', `/v1/waitlist/${first.body.id}`, { token: w2 })).status).toBe(404);
    const left = await stack.request('DELETE', `/v1/waitlist/${first.body.id}`, { token: w1 });
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ status: 'LEFT', position: null });
    expect((await stack.request('DELETE', `/v1/waitlist/${first.body.id}`, { token: w1 })).body.status).toBe('LEFT');
    const mine = await stack.request('GET', '/v1/me/waitlist', { token: w2 });
    expect(mine.body.entries).toEqual([expect.objectContaining({ id: second.body.id, status: 'WAITING', position: 1 })]);
    // Having left, w1 may join again (the unique key covers active entries only).
    expect((await join(w1, single, '18:00')).status).toBe(201);
  });
});

describe('offers and the cascade', () => {
  it('when a place frees, then exactly the first waiter is offered it; accept confirms; expiry and decline cascade', async () => {
    const [holder, w1, w2, w3, w4, outsider] = await logins('c-holder', 'c-w1', 'c-w2', 'c-w3', 'c-w4', 'c-outsider');
    const held = await book(holder, single, '10:00');
    const entries: number[] = [];
    for (const token of [w1, w2, w3, w4]) entries.push((await join(token, single, '10:00')).body.id);

    // One cancels: the waitlist leader offers the place to w1 alone, through the reserve path.
    expect((await stack.request('POST', `/v1/bookings/${held.bookingId}/cancel`, { token: holder, body: {} })).status).toBe(200);
    const offer1 = await offerOf(entries[0]!);
    const view = (await stack.request('GET', `/v1/bookings/${offer1}`, { token: w1 })).body;
    expect(view).toMatchObject({ status: 'OFFERED', offerExpiresAt: new Date(stack.env.clock.now() + 15 * MINUTE).toISOString(), checkinCode: null });
    expect(await remaining(single, '10:00')).toBe(0);
    expect((await bookingAttempt(outsider, single, '10:00')).body.error.code).toBe('SLOT_SOLD_OUT');
    await sleep(1500); // more ticks: nobody else is offered the same place
    expect((await Promise.all(entries.slice(1).map(entry))).map((e) => e.status)).toEqual(['WAITING', 'WAITING', 'WAITING']);
    await expectInventoryConsistent(single);

    // The offer reaches the customer as the WAITLIST_OFFER push + in-app notice.
    const notices = await until('WAITLIST_OFFER notifications', async () => {
      const rows = await stack.env.db.selectFrom('notifications').select(['kind', 'channel', 'customer_id']).where('booking_id', '=', offer1).where('kind', '=', 'WAITLIST_OFFER').execute();
      return rows.length === 2 && rows;
    });
    expect(notices.map((n) => n.channel).sort()).toEqual(['inapp', 'push']);
    const notice = await until('the in-app offer notice', async () =>
      stack.env.db.selectFrom('notices').select(['body']).where('booking_id', '=', offer1).where('kind', '=', 'WAITLIST_OFFER').executeTakeFirst(),
    );
    expect(notice.body).toContain(`请在${formatStart(Date.parse(view.offerExpiresAt), 'Asia/Shanghai')}前确认`);

    // Nobody else can accept it.
    expect((await stack.request('POST', `/v1/bookings/${offer1}/accept-offer`, { token: w2 })).status).toBe(404);
    expect((await stack.request('POST', `/v1/bookings/${offer1}/decline-offer`, { token: outsider })).status).toBe(404);

    const accepted = await stack.request('POST', `/v1/bookings/${offer1}/accept-offer`, { token: w1 });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'CONFIRMED', checkinCode: expect.stringMatching(/^\d{6}$/), offerExpiresAt: null });
    expect((await stack.request('POST', `/v1/bookings/${offer1}/accept-offer`, { token: w1 })).body.status).toBe('CONFIRMED');
    expect((await entry(entries[0]!)).status).toBe('ACCEPTED');
    await until('BOOKING_CONFIRMED notification', async () => (await stack.env.db.selectFrom('notifications').select('id').where('booking_id', '=', offer1).where('kind', '=', 'BOOKING_CONFIRMED').execute()).length > 0);

    // w1 cancels after all: w2 is offered, lets the window pass, and the place cascades to w3.
    await stack.request('POST', `/v1/bookings/${offer1}/cancel`, { token: w1, body: {} });
    const offer2 = await offerOf(entries[1]!);
    stack.env.clock.advance(16 * MINUTE);
    const offer3 = await offerOf(entries[2]!);
    expect(await bookingRow(offer2)).toMatchObject({ status: 'EXPIRED', status_reason: 'OFFER_WINDOW_PASSED' });
    expect((await entry(entries[1]!)).status).toBe('EXPIRED');
    const late = await stack.request('POST', `/v1/bookings/${offer2}/accept-offer`, { token: w2 });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('OFFER_EXPIRED');
    expect(await remaining(single, '10:00')).toBe(0);

    // w3 declines: the place cascades to w4, who then leaves the list, which withdraws the offer.
    const declined = await stack.request('POST', `/v1/bookings/${offer3}/decline-offer`, { token: w3 });
    expect(declined.body.status).toBe('CANCELLED');
    const offer4 = await offerOf(entries[3]!);
    expect((await entry(entries[2]!)).status).toBe('DECLINED');
    expect((await stack.request('DELETE', `/v1/waitlist/${entries[3]}`, { token: w4 })).body.status).toBe('LEFT');
    expect((await bookingRow(offer4)).status).toBe('CANCELLED');
    await until('the place to be free again', async () => (await remaining(single, '10:00')) === 1);
    await expectInventoryConsistent(single);
    // Every entry ended in one terminal state.
    expect((await Promise.all(entries.map(entry))).map((e) => e.status)).toEqual(['ACCEPTED', 'EXPIRED', 'DECLINED', 'LEFT']);
  });

  it('when two places free at once with five waiters, then exactly the first two get one each', async () => {
    const holders = await logins('d-h1', 'd-h2');
    const waiters = await logins('d-w1', 'd-w2', 'd-w3', 'd-w4', 'd-w5');
    const held = [];
    for (const token of holders) held.push(await book(token, double, '12:00'));
    const entries: number[] = [];
    for (const token of waiters) entries.push((await join(token, double, '12:00')).body.id);

    await Promise.all(held.map((b, i) => stack.request('POST', `/v1/bookings/${b.bookingId}/cancel`, { token: holders[i]!, body: {} })));
    const offers = await Promise.all([offerOf(entries[0]!), offerOf(entries[1]!)]);
    expect(new Set(offers).size).toBe(2);
    await sleep(2500);
    expect((await Promise.all(entries.map(entry))).map((e) => e.status)).toEqual(['OFFERED', 'OFFERED', 'WAITING', 'WAITING', 'WAITING']);
    const slotBookings = await stack.env.db
      .selectFrom('bookings')
      .select(['id', 'status', 'customer_id'])
      .where('store_id', '=', double.storeId)
      .where('status', '=', 'OFFERED')
      .execute();
    expect(slotBookings.map((b) => b.id).sort()).toEqual([...offers].sort());
    const cells = await stack.env.db.selectFrom('inventory_cells').select(['booked', 'capacity']).where('store_id', '=', double.storeId).where('starts_at', '=', new Date(at('12:00'))).execute();
    expect(cells).toEqual([{ booked: 2, capacity: 2 }]);
    expect(await remaining(double, '12:00')).toBe(0);
    await expectInventoryConsistent(double);
  });

  it('when the service asks for prepayment, then an accepted offer awaits payment', async () => {
    const [holder, waiter] = await logins('p-holder', 'p-waiter');
    const held = await book(holder, prepaid, '15:00');
    expect(held.status).toBe('AWAITING_PAYMENT');
    const joined = await join(waiter, prepaid, '15:00');
    expect(joined.status).toBe(201);
    await stack.request('POST', `/v1/bookings/${held.bookingId}/cancel`, { token: holder, body: {} });
    const offer = await offerOf(joined.body.id);
    expect((await bookingRow(offer)).amount_due_fen).toBe(0);
    const accepted = await stack.request('POST', `/v1/bookings/${offer}/accept-offer`, { token: waiter });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'AWAITING_PAYMENT', amountDueFen: 6900, paymentDueAt: new Date(stack.env.clock.now() + 15 * MINUTE).toISOString(), checkinCode: null });
    expect((await entry(joined.body.id)).status).toBe('ACCEPTED');
  });
});
