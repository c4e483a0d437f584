import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { createClassStudio, createSalon, type ClassFixture, type SalonFixture } from '../../db/testing/fixtures.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

let stack: TestStack;
let salon: SalonFixture;
let studio: ClassFixture;
let alice: string;
let bob: string;

const key = (() => {
  let n = 0;
  return () => `test-key-${String(++n).padStart(6, '0')}`;
})();

/** Test "now" is 2026-12-01 08:00 in Shanghai; the next day is bookable. */
const DAY = '2026-12-02';
const at = (hhmm: string) => `${DAY}T${hhmm}:00+08:00`;

/** Waits until no booking is pending (the pipeline is quiet), so a later difference can only come from the request. */
async function quiesce() {
  for (let i = 0; i < 200; i++) {
    const holds = await Promise.all([salon.storeId, studio.storeId].map((id) => stack.env.redis.zcard(stack.env.keys.store(id).holds)));
    if (holds.every((n) => n === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('pipeline did not go quiet');
}

async function counts() {
  await quiesce();
  const bookings = await stack.env.db.selectFrom('bookings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const holds = await stack.env.redis.zcard(stack.env.keys.store(salon.storeId).holds);
  const inventory = await stack.env.redis.hgetall(stack.env.keys.store(salon.storeId).booked(DAY));
  return { bookings: Number(bookings.n), holds, inventory };
}

beforeAll(async () => {
  stack = await startTestStack('api');
  const now = stack.env.clock.now();
  salon = await createSalon(stack.env.db, now, { stylists: 2, perCustomerDailyLimit: 2 });
  studio = await createClassStudio(stack.env.db, now, { capacity: 5, perCustomerDailyLimit: 1 });
  for (const storeId of [salon.storeId, studio.storeId]) await materializeStore(stack.env, storeId);
  const passwordHash = await hashPassword('pw-123456');
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: null, username: 'salon-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: salon.storeId, username: 'salon-staff', displayName: 's', passwordHash, role: 'staff' }, now);
  await createStaffUser(stack.env.db, { merchantId: studio.merchantId, storeId: null, username: 'studio-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  alice = await stack.login('alice');
  bob = await stack.login('bob');
});

afterAll(async () => {
  await stack?.stop();
});

describe('operations endpoints', () => {
  it('when probed, then /healthz and /readyz answer and /openapi.json documents the booking routes', async () => {
    expect((await stack.request('GET', '/healthz')).status).toBe(200);
    const ready = await stack.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ mysql: 'ok', redis: 'ok', redisEvictionPolicy: 'ok', accepting: 'ok' });
    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/bookings', '/v1/bookings/{id}', '/v1/stores/{id}/availability', '/v1/bookings/{id}/cancel']));
    expect(doc.paths['/v1/bookings'].post.responses).toHaveProperty('202');
    expect(doc.components.schemas.CreateBooking.required).toEqual(expect.arrayContaining(['storeId', 'serviceId', 'startAt']));
  });
});

describe('login', () => {
  it('when a WeChat code is reused, blocked or unknown, then login fails with the matching status', async () => {
    const code = stack.wechat.issueLoginCode('carol');
    expect((await stack.request('POST', '/v1/auth/wechat/login', { body: { code } })).status).toBe(200);
    const reused = await stack.request('POST', '/v1/auth/wechat/login', { body: { code } });
    expect([reused.status, reused.body.error.code]).toEqual([401, 'LOGIN_FAILED']);
    const blocked = await stack.request('POST', '/v1/auth/wechat/login', { body: { code: stack.wechat.issueLoginCode('blocked-dave') } });
    expect([blocked.status, blocked.body.error.code]).toEqual([403, 'LOGIN_BLOCKED']);
    const noToken = await stack.request('GET', '/v1/me/bookings');
    expect([noToken.status, noToken.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const forged = await stack.request('GET', '/v1/me/bookings', { token: `${alice.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
  });
});

describe('booking through the API', () => {
  it('when a customer books a free slot, then 202 PENDING comes back and the booking becomes CONFIRMED', async () => {
    const before = (await stack.request('GET', `/v1/stores/${salon.storeId}/availability?serviceId=${salon.haircutId}&date=${DAY}`)).body;
    const slot = before.slots.find((s: any) => s.localTime === '10:00');
    expect(slot.remaining).toBe(2);

    const response = await stack.request('POST', '/v1/bookings', {
      token: alice,
      headers: { 'idempotency-key': key() },
      body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt: at('10:00') },
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ bookingId: expect.stringMatching(/^[0-9A-Z]{26}-\d+$/), status: 'PENDING' });
    const outcome = await waitForOutcome(stack, alice, response.body.bookingId);
    expect(outcome).toMatchObject({ status: 'CONFIRMED', statusLabel: '已确认', priceFen: 8800, storeId: salon.storeId });

    const after = (await stack.request('GET', `/v1/stores/${salon.storeId}/availability?serviceId=${salon.haircutId}&date=${DAY}`)).body;
    expect(after.slots.find((s: any) => s.localTime === '10:00').remaining).toBe(1);
    const mine = (await stack.request('GET', '/v1/me/bookings', { token: alice })).body.bookings;
    expect(mine.map((b: any) => b.bookingId)).toContain(response.body.bookingId);
  });

  it('when N customers race for a class of capacity k, then exactly k are CONFIRMED, the rest get 409, and MySQL is never over capacity', async () => {
    const tokens = await Promise.all(Array.from({ length: 24 }, (_, i) => stack.login(`racer-${i}`)));
    const responses = await Promise.all(
      tokens.map((token) =>
        stack.request('POST', '/v1/bookings', {
          token,
          headers: { 'idempotency-key': key() },
          body: { storeId: studio.storeId, serviceId: studio.classId, startAt: at('18:00') },
        }),
      ),
    );
    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(5);
    expect(responses.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(Array(19).fill('SLOT_SOLD_OUT'));
    const outcomes = await Promise.all(accepted.map((r) => waitForOutcome(stack, tokens[responses.indexOf(r)]!, r.body.bookingId)));
    expect(outcomes.every((o) => o.status === 'CONFIRMED')).toBe(true);
    const cells = await stack.env.db.selectFrom('inventory_cells').select(['booked', 'capacity']).where('resource_id', '=', studio.studioId).where('local_date', '=', DAY).execute();
    expect(Math.max(...cells.map((c) => c.booked))).toBe(5);
    expect(cells.every((c) => c.booked <= c.capacity)).toBe(true);
  });

  it('when the same Idempotency-Key is retried, then the first booking comes back; with another body, 422', async () => {
    const idempotencyKey = key();
    const body = { storeId: salon.storeId, serviceId: salon.haircutId, startAt: at('12:00') };
    const first = await stack.request('POST', '/v1/bookings', { token: bob, headers: { 'idempotency-key': idempotencyKey }, body });
    const again = await stack.request('POST', '/v1/bookings', { token: bob, headers: { 'idempotency-key': idempotencyKey }, body });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.bookingId).toBe(first.body.bookingId);
    const other = await stack.request('POST', '/v1/bookings', { token: bob, headers: { 'idempotency-key': idempotencyKey }, body: { ...body, startAt: at('13:00') } });
    expect([other.status, other.body.error.code]).toEqual([422, 'IDEMPOTENCY_MISMATCH']);
  });

  it('when a customer exceeds the per-store daily limit, then 429 CUSTOMER_LIMIT_REACHED', async () => {
    const erin = await stack.login('erin');
    const book = (time: string) =>
      stack.request('POST', '/v1/bookings', { token: erin, headers: { 'idempotency-key': key() }, body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt: at(time) } });
    expect((await book('14:00')).status).toBe(202);
    expect((await book('16:00')).status).toBe(202);
    const third = await book('18:00');
    expect([third.status, third.body.error.code]).toEqual([429, 'CUSTOMER_LIMIT_REACHED']);
    expect(third.body.error.message).toContain('2');
  });
});

describe('bad input', () => {
  const cases: [string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, string][] = [
    ['missing storeId', { body: { serviceId: 'HAIRCUT', startAt: at('10:00') } }, 'VALIDATION_FAILED'],
    ['startAt without a zone', { body: { storeId: 'SALON', serviceId: 'HAIRCUT', startAt: `${DAY}T10:00:00` } }, 'VALIDATION_FAILED'],
    ['party of 0', { body: { storeId: 'SALON', serviceId: 'HAIRCUT', startAt: at('10:00'), partySize: 0 } }, 'VALIDATION_FAILED'],
    ['unknown field (mass assignment)', { body: { storeId: 'SALON', serviceId: 'HAIRCUT', startAt: at('10:00'), status: 'CONFIRMED' } }, 'VALIDATION_FAILED'],
    ['ids as strings', { body: { storeId: '1', serviceId: 'HAIRCUT', startAt: at('10:00') } }, 'VALIDATION_FAILED'],
    ['broken JSON', { rawBody: '{"storeId": 1,' }, 'VALIDATION_FAILED'],
    ['no Idempotency-Key', { headers: { 'idempotency-key': '' }, body: { storeId: 'SALON', serviceId: 'HAIRCUT', startAt: at('10:00') } }, 'VALIDATION_FAILED'],
    ['a start off the slot grid', { body: { storeId: 'SALON', serviceId: 'HAIRCUT', startAt: at('10:10') } }, 'SLOT_MISALIGNED'],
    ['a start in the past', { body: { storeId: 'SALON', serviceId: 'HAIRCUT', startAt: '2026-11-30T10:00:00+08:00' } }, 'SLOT_TOO_SOON'],
    ['a start beyond the horizon', { body: { storeId: 'SALON', serviceId: 'HAIRCUT', startAt: '2027-03-01T10:00:00+08:00' } }, 'SLOT_BEYOND_HORIZON'],
    ['an unknown service', { body: { storeId: 'SALON', serviceId: 999_999, startAt: at('10:00') } }, 'SERVICE_NOT_FOUND'],
    ['a party too large', { body: { storeId: 'SALON', serviceId: 'HAIRCUT', startAt: at('10:00'), partySize: 3 } }, 'PARTY_TOO_LARGE'],
  ];

  it.each(cases)('when the request has %s, then 400 with a reason and nothing changes', async (_name, input, expectedCode) => {
    const before = await counts();
    const body =
      input.body && typeof input.body === 'object'
        ? Object.fromEntries(
            Object.entries(input.body as Record<string, unknown>).map(([k, v]) => [k, v === 'SALON' ? salon.storeId : v === 'HAIRCUT' ? salon.haircutId : v]),
          )
        : undefined;
    const response = await stack.request('POST', '/v1/bookings', {
      token: alice,
      headers: { 'idempotency-key': key(), ...input.headers },
      ...(body ? { body } : {}),
      ...(input.rawBody ? { rawBody: input.rawBody } : {}),
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe(expectedCode);
    expect(typeof response.body.error.message).toBe('string');
    if (expectedCode === 'VALIDATION_FAILED') expect(response.body.error.issues.length).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
  });

  it('when the body is larger than 32 kB, then 413 and nothing changes', async () => {
    const before = await counts();
    const response = await stack.request('POST', '/v1/bookings', {
      token: alice,
      headers: { 'idempotency-key': key() },
      body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt: at('10:00'), note: 'x'.repeat(40_000) },
    });
    expect([response.status, response.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(await counts()).toEqual(before);
  });

  it('when a query is bad, then availability answers 400 with the reason', async () => {
    const response = await stack.request('GET', `/v1/stores/${salon.storeId}/availability?serviceId=abc&date=2026-02-30`);
    expect(response.status).toBe(400);
    expect(response.body.error.issues.map((i: any) => i.path).sort()).toEqual(['query.date', 'query.serviceId']);
  });
});

describe('tenant isolation', () => {
  let aliceBooking: string;

  beforeAll(async () => {
    const response = await stack.request('POST', '/v1/bookings', {
      token: alice,
      headers: { 'idempotency-key': key() },
      body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt: at('19:00') },
    });
    aliceBooking = response.body.bookingId;
    await waitForOutcome(stack, alice, aliceBooking);
  });

  it('when another customer asks for or cancels the booking, then 404 and it stays as it was', async () => {
    expect((await stack.request('GET', `/v1/bookings/${aliceBooking}`, { token: bob })).status).toBe(404);
    const cancel = await stack.request('POST', `/v1/bookings/${aliceBooking}/cancel`, { token: bob, body: {} });
    expect([cancel.status, cancel.body.error.code]).toEqual([404, 'BOOKING_NOT_FOUND']);
    expect((await stack.request('GET', `/v1/bookings/${aliceBooking}`, { token: alice })).body.status).toBe('CONFIRMED');
  });

  it('when another merchant’s staff asks for, lists or cancels the booking, then it is invisible (404 / empty)', async () => {
    const other = await stack.staffLogin('studio-owner', 'pw-123456');
    expect((await stack.request('GET', `/v1/merchant/bookings/${aliceBooking}`, { token: other })).status).toBe(404);
    expect((await stack.request('POST', `/v1/merchant/bookings/${aliceBooking}/cancel`, { token: other, body: {} })).status).toBe(404);
    const list = (await stack.request('GET', `/v1/merchant/bookings?date=${DAY}`, { token: other })).body.bookings;
    expect(list.map((b: any) => b.bookingId)).not.toContain(aliceBooking);
    expect(list.every((b: any) => b.merchantId === studio.merchantId)).toBe(true);
  });

  it('when the customer bound a phone, then the merchant sees it masked, and the date filter narrows the list', async () => {
    expect((await stack.request('GET', '/v1/me', { token: alice })).body).toMatchObject({ phoneMasked: null });
    const bound = await stack.request('POST', '/v1/me/phone', { token: alice, body: { code: stack.wechat.issuePhoneCode('13812345678') } });
    expect(bound).toMatchObject({ status: 200, body: { phoneMasked: '138****5678' } });
    const stored = await stack.env.db.selectFrom('customers').select(['phone_enc']).where('openid', '=', stack.wechat.openidFor('alice')).executeTakeFirstOrThrow();
    expect(stored.phone_enc?.toString('latin1')).not.toContain('13812345678');
    // The customer's own profile shows it masked too, and only theirs.
    expect((await stack.request('GET', '/v1/me', { token: alice })).body).toEqual({ customerId: expect.any(Number), phoneMasked: '138****5678' });
    expect((await stack.request('GET', '/v1/me', { token: await stack.login('someone-without-phone') })).body.phoneMasked).toBeNull();
    expect((await stack.request('GET', '/v1/me')).status).toBe(401);
    const owner = await stack.staffLogin('salon-owner', 'pw-123456');
    const list = (await stack.request('GET', `/v1/merchant/bookings?date=${DAY}`, { token: owner })).body.bookings;
    const mine = list.find((b: any) => b.bookingId === aliceBooking);
    expect(mine.customer.phoneMasked).toBe('138****5678');
    expect(list.every((b: any) => b.localDate === DAY)).toBe(true);
    expect((await stack.request('GET', '/v1/merchant/bookings?date=2026-12-09', { token: owner })).body.bookings).toEqual([]);
  });

  it('when the salon’s own staff look, then they see it; staff may not cancel, the owner may', async () => {
    const staff = await stack.staffLogin('salon-staff', 'pw-123456');
    const owner = await stack.staffLogin('salon-owner', 'pw-123456');
    const seen = await stack.request('GET', `/v1/merchant/bookings/${aliceBooking}`, { token: staff });
    expect(seen.status).toBe(200);
    expect(seen.body.customer.id).toBeGreaterThan(0);
    const forbidden = await stack.request('POST', `/v1/merchant/bookings/${aliceBooking}/cancel`, { token: staff, body: {} });
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await stack.request('GET', `/v1/merchant/bookings/${aliceBooking}`, { token: alice })).status).toBe(401);
    const cancelled = await stack.request('POST', `/v1/merchant/bookings/${aliceBooking}/cancel`, { token: owner, body: {} });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', reason: 'MERCHANT_REQUEST' });
    expect((await stack.request('GET', `/v1/bookings/${aliceBooking}`, { token: alice })).body.status).toBe('CANCELLED');
  });
});

describe('cancellation and metrics', () => {
  it('when a customer cancels, then the slot is free again and cancelling twice answers the same', async () => {
    const response = await stack.request('POST', '/v1/bookings', {
      token: bob,
      headers: { 'idempotency-key': key() },
      body: { storeId: studio.storeId, serviceId: studio.classId, startAt: at('07:00'), partySize: 1 },
    });
    await waitForOutcome(stack, bob, response.body.bookingId);
    const remaining = async () =>
      (await stack.request('GET', `/v1/stores/${studio.storeId}/availability?serviceId=${studio.classId}&date=${DAY}`)).body.slots.find((s: any) => s.localTime === '07:00').remaining;
    expect(await remaining()).toBe(4);
    const first = await stack.request('POST', `/v1/bookings/${response.body.bookingId}/cancel`, { token: bob, body: {} });
    const second = await stack.request('POST', `/v1/bookings/${response.body.bookingId}/cancel`, { token: bob, body: {} });
    expect([first.status, first.body.status, second.status, second.body.status]).toEqual([200, 'CANCELLED', 200, 'CANCELLED']);
    expect(await remaining()).toBe(5);
  });

  it('when scraped, then /metrics has requests, reservations by outcome, queue depth and lag, and the workers’ persist latency', async () => {
    // Workers publish every 5 s; wait for one publication.
    const deadline = Date.now() + 12_000;
    let text = '';
    while (Date.now() < deadline) {
      text = (await stack.request('GET', '/metrics')).body as string;
      if (/zhiyue_persist_latency_seconds_count [1-9]/.test(text)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(text).toMatch(/zhiyue_http_requests_total\{[^}]*route="\/v1\/bookings"[^}]*status="202"/);
    expect(text).toMatch(/zhiyue_reservations_total\{outcome="reserved"\} \d+/);
    expect(text).toMatch(/zhiyue_reservations_total\{outcome="sold_out"\} 19/);
    expect(text).toMatch(/zhiyue_queue_jobs\{queue="booking-persist",state="wait"\} \d+/);
    expect(text).toMatch(/zhiyue_queue_oldest_waiting_seconds\{queue="booking-persist"\} [\d.]+/);
    expect(text).toMatch(/zhiyue_persist_latency_seconds_count [1-9]\d*/);
  });
});
