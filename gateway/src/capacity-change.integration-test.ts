import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { createResource, createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { createSalon, type SalonFixture } from '../../db/testing/fixtures.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/**
 * Dynamic capacity over HTTP on the real MariaDB and Redis: schedule changes reach the inventory at
 * once, removed capacity moves bookings to an equivalent stylist or flags them, walk-ins go through
 * the reserve path. The manual clock stands at 2026-12-01 08:00 Shanghai.
 */
let stack: TestStack;
let salon: SalonFixture;
let other: SalonFixture;
let owner: string;
let front: string;
let otherOwner: string;

const MINUTE = 60_000;
const TOMORROW = '2026-12-02';
const LATER = '2026-12-03';
const LATEST = '2026-12-04';
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00+08:00`;
const key = (() => {
  let n = 0;
  return () => `cap-key-${String(++n).padStart(6, '0')}`;
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

async function book(token: string, startAt: string, resourceId?: number, store = salon) {
  const accepted = await stack.request('POST', '/v1/bookings', { token, headers: { 'idempotency-key': key() }, body: { storeId: store.storeId, serviceId: store.haircutId, startAt, resourceId } });
  expect(accepted.status).toBe(202);
  const outcome = await waitForOutcome(stack, token, accepted.body.bookingId);
  expect(outcome.status).toBe('CONFIRMED');
  return outcome.bookingId as string;
}

/** Every hold marked persisted in Redis (markPersisted runs just after the MySQL commit a test waits for). */
const holdsSettled = () => until('holds persisted', async () => (await stack.env.redis.zcard(stack.env.keys.store(salon.storeId).holds)) === 0);
const bookingRow = (id: string) => stack.env.db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const availability = async (day: string, resourceId?: number) =>
  (await stack.request('GET', `/v1/stores/${salon.storeId}/availability?serviceId=${salon.haircutId}&date=${day}${resourceId ? `&resourceId=${resourceId}` : ''}`)).body;

async function expectInventorySane(days: string[], flaggedCells = new Set<string>()) {
  for (const day of days) {
    const mysql = await stack.env.db.selectFrom('inventory_cells').select(['resource_id', 'starts_at', 'booked', 'capacity']).where('store_id', '=', salon.storeId).where('local_date', '=', day).execute();
    const booked = await stack.env.redis.hgetall(stack.env.keys.store(salon.storeId).booked(day));
    const capacity = await stack.env.redis.hgetall(stack.env.keys.store(salon.storeId).capacity(day));
    for (const cell of mysql) {
      const field = `${cell.resource_id}:${cell.starts_at.getTime() / MINUTE}`;
      expect(cell.booked).toBeLessThanOrEqual(cell.capacity);
      // Never below MySQL. A booking just moved is still stamped "recently persisted" for two minutes
      // (reschedule's settleMove), so a repair in that window may count it on top of MySQL: more
      // cautious, never less; the next reconcile pass brings it back to equal.
      if (!flaggedCells.has(field)) expect(Number(booked[field] ?? 0), `${day} ${field} booked`).toBeGreaterThanOrEqual(cell.booked);
      expect(Number(capacity[field]), `${day} ${field} capacity`).toBe(cell.capacity);
    }
  }
}

beforeAll(async () => {
  stack = await startTestStack('capacity');
  const now = stack.env.clock.now();
  salon = await createSalon(stack.env.db, now, { stylists: 2, perCustomerDailyLimit: 10, name: '动态发廊' });
  other = await createSalon(stack.env.db, now, { stylists: 1, name: '别家发廊' });
  for (const storeId of [salon.storeId, other.storeId]) await materializeStore(stack.env, storeId);
  const passwordHash = await hashPassword('pw-123456');
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: null, username: 'cap-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: salon.storeId, username: 'cap-front', displayName: 'f', passwordHash, role: 'staff' }, now);
  await createStaffUser(stack.env.db, { merchantId: other.merchantId, storeId: null, username: 'cap-other', displayName: 'x', passwordHash, role: 'owner' }, now);
  owner = await stack.staffLogin('cap-owner', 'pw-123456');
  front = await stack.staffLogin('cap-front', 'pw-123456');
  otherOwner = await stack.staffLogin('cap-other', 'pw-123456');
});

afterAll(async () => {
  await stack?.stop();
});

describe('a stylist calls in sick', () => {
  it('when stylist 1 with 3 bookings is closed for the day and stylist 2 is free for 2 of them, then 2 move, 1 is flagged, and stylist 1 shows 0 at once', async () => {
    const [s1, s2] = salon.stylistIds as [number, number];
    const alice = await stack.login('cap-alice');
    const bob = await stack.login('cap-bob');
    const carol = await stack.login('cap-carol');
    const dave = await stack.login('cap-dave');
    const a = await book(alice, at(TOMORROW, '10:00'), s1);
    const b = await book(bob, at(TOMORROW, '12:00'), s1);
    const c = await book(carol, at(TOMORROW, '14:00'), s1);
    await book(dave, at(TOMORROW, '14:00'), s2);

    await holdsSettled();
    const sick = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/exceptions`, { token: owner, body: { date: TOMORROW, resourceId: s1, closed: true, reason: '病假' } });
    expect(sick.status).toBe(201);
    expect(sick.body.change.moved.map((m: any) => m.bookingId).sort()).toEqual([a, b].sort());
    for (const m of sick.body.change.moved) expect(m).toMatchObject({ fromResourceIds: [s1], toResourceIds: [s2] });
    expect(sick.body.change.flagged).toEqual([{ bookingId: c, reason: 'NO_EQUIVALENT_RESOURCE' }]);

    for (const id of [a, b]) {
      const row = await bookingRow(id);
      expect(row).toMatchObject({ status: 'CONFIRMED', resource_id: s2 });
    }
    expect((await bookingRow(a)).starts_at.toISOString()).toBe(new Date(at(TOMORROW, '10:00')).toISOString());
    expect(await bookingRow(c)).toMatchObject({ status: 'CONFIRMED', resource_id: s1 });

    // Stylist 1 is gone for the day, at once.
    const mine = await availability(TOMORROW, s1);
    expect(mine.slots.every((s: any) => s.remaining === 0)).toBe(true);

    // The merchant sees the flag, with its reason, in the booking list and the flag list; front desk staff too.
    const list = await stack.request('GET', `/v1/merchant/bookings?storeId=${salon.storeId}&date=${TOMORROW}`, { token: front });
    expect(list.status).toBe(200);
    expect(list.body.bookings.find((x: any) => x.bookingId === c).flag).toMatchObject({ reason: 'NO_EQUIVALENT_RESOURCE' });
    expect(list.body.bookings.find((x: any) => x.bookingId === a).flag).toBeUndefined();
    const flags = await stack.request('GET', '/v1/merchant/booking-flags', { token: front });
    expect(flags.body.flags.map((f: any) => f.bookingId)).toEqual([c]);

    // Customers are told: a BOOKING_CHANGED push is planned for the moved and the flagged booking.
    for (const id of [a, b, c]) {
      await until(`BOOKING_CHANGED for ${id}`, async () =>
        (await stack.env.db.selectFrom('notifications').select('id').where('booking_id', '=', id).where('kind', '=', 'BOOKING_CHANGED').where('audience', '=', 'customer').execute()).length > 0,
      );
    }
    const events = await stack.env.db.selectFrom('booking_events').select(['booking_id', 'type']).where('booking_id', 'in', [a, b, c]).where('type', 'in', ['RESOURCE_CHANGED', 'CAPACITY_FLAGGED']).execute();
    expect(events.filter((e) => e.type === 'RESOURCE_CHANGED').map((e) => e.booking_id).sort()).toEqual([a, b].sort());
    expect(events.filter((e) => e.type === 'CAPACITY_FLAGGED').map((e) => e.booking_id)).toEqual([c]);

    await expectInventorySane([TOMORROW]);
    // A second change on that day does not flag c again.
    const again = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/exceptions`, { token: owner, body: { date: TOMORROW, resourceId: s2, closed: false, open: '09:00', close: '21:00' } });
    expect(again.status).toBe(201);
    expect(again.body.change.flagged).toEqual([]);
  });
});

describe('a room closes and capacity is raised', () => {
  it('when a room with a booking is closed and no other room exists, then it is flagged and MySQL keeps booked <= capacity', async () => {
    const now = stack.env.clock.now();
    const roomId = await createResource(stack.env.db, { merchantId: salon.merchantId, storeId: salon.storeId, kind: 'room', name: '包间', capacity: 2, skills: ['spa'] }, now);
    const service = await stack.env.db
      .insertInto('services')
      .values({ merchant_id: salon.merchantId, store_id: salon.storeId, name: '头疗', category: 'hair', description: '', duration_minutes: 60, price_fen: 5000, buffer_before_minutes: 0, buffer_after_minutes: 0, slot_interval_minutes: 30, min_notice_minutes: 60, max_party_size: 1, created_at: new Date(now) })
      .executeTakeFirstOrThrow();
    const spaId = Number(service.insertId);
    await stack.env.db.insertInto('service_requirements').values({ merchant_id: salon.merchantId, service_id: spaId, resource_kind: 'room', skill: 'spa', quantity: 1, per_person: 0 }).execute();
    const touched = await stack.request('PATCH', `/v1/merchant/stores/${salon.storeId}/resources/${roomId}`, { token: owner, body: { name: '包间A' } });
    expect(touched.status).toBe(200);
    expect(touched.body.change.cellsAdded).toBeGreaterThan(0);

    const erin = await stack.login('cap-erin');
    const accepted = await stack.request('POST', '/v1/bookings', { token: erin, headers: { 'idempotency-key': key() }, body: { storeId: salon.storeId, serviceId: spaId, startAt: at(LATER, '15:00') } });
    expect(accepted.status).toBe(202);
    expect((await waitForOutcome(stack, erin, accepted.body.bookingId)).status).toBe('CONFIRMED');

    await holdsSettled();
    const closed = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/exceptions`, { token: owner, body: { date: LATER, resourceId: roomId, closed: true, reason: '漏水' } });
    expect(closed.status).toBe(201);
    expect(closed.body.change).toMatchObject({ moved: [], flagged: [{ bookingId: accepted.body.bookingId, reason: 'NO_EQUIVALENT_RESOURCE' }] });
    const cells = await stack.env.db.selectFrom('inventory_cells').select(['capacity', 'booked']).where('resource_id', '=', roomId).where('local_date', '=', LATER).execute();
    expect(cells.filter((c) => c.booked > 0).every((c) => c.capacity === c.booked)).toBe(true);
    expect(cells.filter((c) => c.booked === 0).every((c) => c.capacity === 0)).toBe(true);
    await expectInventorySane([LATER]);
  });

  it('when a third stylist is added and capacity is raised, then more slots are available at once', async () => {
    const before = (await availability(LATEST)).slots.find((s: any) => s.localTime === '11:00').remaining;
    const created = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/resources`, { token: owner, body: { kind: 'staff', name: '发型师3', skills: ['cut'] } });
    expect(created.status).toBe(201);
    expect(created.body.change.cellsAdded).toBeGreaterThan(0);
    const after = (await availability(LATEST)).slots.find((s: any) => s.localTime === '11:00').remaining;
    expect(after).toBe(before + 1);

    const hours = await stack.request('PUT', `/v1/merchant/stores/${salon.storeId}/hours`, { token: owner, body: { windows: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '08:00', close: '22:00' })) } });
    expect(hours.status).toBe(200);
    expect((await availability(LATEST)).slots.some((s: any) => s.localTime === '20:30' && s.remaining > 0)).toBe(true);
    await expectInventorySane([LATEST]);
  });

  it('when a room’s capacity is raised, then MySQL and Redis show it at once', async () => {
    const room = await stack.env.db.selectFrom('resources').select('id').where('store_id', '=', salon.storeId).where('kind', '=', 'room').executeTakeFirstOrThrow();
    const raised = await stack.request('PATCH', `/v1/merchant/stores/${salon.storeId}/resources/${room.id}`, { token: owner, body: { capacity: 5 } });
    expect(raised.status).toBe(200);
    expect(raised.body.change.cellsRaised).toBeGreaterThan(0);
    const cell = await stack.env.db.selectFrom('inventory_cells').select(['capacity']).where('resource_id', '=', room.id).where('local_date', '=', LATEST).executeTakeFirstOrThrow();
    expect(cell.capacity).toBe(5);
    await expectInventorySane([LATEST]);
  });
});

describe('walk-in and phone bookings', () => {
  it('when staff enter a walk-in, then it takes inventory through the reserve path; a full slot refuses it', async () => {
    const [s1] = salon.stylistIds as [number];
    const response = await stack.request('POST', '/v1/merchant/bookings', {
      token: front,
      headers: { 'idempotency-key': key() },
      body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt: at(LATEST, '16:00'), resourceId: s1, phone: '13800138000', source: 'walk_in' },
    });
    expect(response.status).toBe(202);
    const id = response.body.bookingId as string;
    const row = await until('persisted', async () => {
      const r = await stack.env.db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirst();
      return r && r.status !== 'PENDING' ? r : undefined;
    });
    expect(row).toMatchObject({ status: 'CONFIRMED', resource_id: s1 });
    const event = await stack.env.db.selectFrom('booking_events').select(['payload', 'actor']).where('booking_id', '=', id).where('type', '=', 'STAFF_ENTERED').executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload)).toMatchObject({ source: 'walk_in' });

    const full = await stack.request('POST', '/v1/merchant/bookings', {
      token: owner,
      headers: { 'idempotency-key': key() },
      body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt: at(LATEST, '16:00'), resourceId: s1, phone: '13900139000', source: 'phone' },
    });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('SLOT_SOLD_OUT');

    // The same phone finds the same customer.
    const again = await stack.request('POST', '/v1/merchant/bookings', {
      token: owner,
      headers: { 'idempotency-key': key() },
      body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt: at(LATEST, '18:00'), phone: '138 0013 8000', source: 'phone' },
    });
    expect(again.status).toBe(202);
    expect(again.body.customerId).toBe(response.body.customerId);
    await until('persisted', async () => (await stack.env.db.selectFrom('bookings').select('status').where('id', '=', again.body.bookingId).executeTakeFirst())?.status === 'CONFIRMED');
    await expectInventorySane([LATEST]);
  });
});

describe('tenant isolation and roles', () => {
  it('when the OpenAPI document is read, then the schedule and walk-in routes are in it', async () => {
    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/merchant/stores/{storeId}/schedule', '/v1/merchant/stores/{storeId}/resources/{resourceId}', '/v1/merchant/stores/{storeId}/hours', '/v1/merchant/stores/{storeId}/exceptions', '/v1/merchant/booking-flags']),
    );
    expect(doc.paths['/v1/merchant/stores/{storeId}/resources/{resourceId}'].patch).toBeDefined();
    expect(doc.paths['/v1/merchant/bookings'].post).toBeDefined();
  });

  it('when another merchant or a front-desk staff member edits the schedule, then 404 / 403 and nothing changes', async () => {
    const [s1] = salon.stylistIds as [number];
    const foreign = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/exceptions`, { token: otherOwner, body: { date: LATEST, resourceId: s1, closed: true } });
    expect(foreign.status).toBe(404);
    const foreignResource = await stack.request('PATCH', `/v1/merchant/stores/${other.storeId}/resources/${s1}`, { token: otherOwner, body: { active: false } });
    expect(foreignResource.body.error.code).toBe('RESOURCE_NOT_FOUND');
    const staff = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/exceptions`, { token: front, body: { date: LATEST, resourceId: s1, closed: true } });
    expect(staff.status).toBe(403);
    const walkIn = await stack.request('POST', '/v1/merchant/bookings', {
      token: otherOwner,
      headers: { 'idempotency-key': key() },
      body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt: at(LATEST, '19:00'), phone: '13700137000', source: 'phone' },
    });
    expect(walkIn.status).toBe(404);
    const bad = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/exceptions`, { token: owner, body: { date: LATEST, closed: false, open: '12:00' } });
    expect(bad.status).toBe(400);
    const flags = await stack.request('GET', '/v1/merchant/booking-flags', { token: otherOwner });
    expect(flags.body.flags).toEqual([]);
    const exceptions = await stack.env.db.selectFrom('schedule_exceptions').select('id').where('store_id', '=', salon.storeId).where('local_date', '=', LATEST).execute();
    expect(exceptions).toEqual([]);
  });

  it('when a stylist is deactivated, then their future bookings are moved or flagged and their cells close', async () => {
    const [s1] = salon.stylistIds as [number];
    await holdsSettled();
    const off = await stack.request('PATCH', `/v1/merchant/stores/${salon.storeId}/resources/${s1}`, { token: owner, body: { active: false } });
    expect(off.status).toBe(200);
    // The walk-in on stylist 1 at 16:00 the day after: stylist 2 or 3 is free then.
    expect(off.body.change.moved.length + off.body.change.flagged.length).toBeGreaterThan(0);
    const open = await stack.env.db.selectFrom('inventory_cells').select(['capacity', 'booked']).where('resource_id', '=', s1).where('local_date', '=', LATEST).execute();
    expect(open.every((c) => c.capacity === c.booked)).toBe(true);
    await expectInventorySane([TOMORROW, LATER, LATEST]);
  });
});
