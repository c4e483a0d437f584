import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { bookingCellsOf } from '../../db/src/repositories/booking.repository.ts';
import { createSalon, type SalonFixture } from '../../db/testing/fixtures.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/**
 * Merchant services API and per-staff durations on the real MariaDB and Redis. The manual clock stands at
 * 2026-12-01 08:00 Shanghai; the salon has three stylists (1: cut + perm, 2 and 3: cut), 09:00–21:00, 14-day horizon.
 */
let stack: TestStack;
let salon: SalonFixture;
let other: SalonFixture;
let owner: string;
let front: string;
let otherOwner: string;

const MINUTE = 60_000;
const TOMORROW = '2026-12-02';
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00+08:00`;
const key = (() => {
  let n = 0;
  return () => `svc-key-${String(++n).padStart(6, '0')}`;
})();

const cutBody = {
  name: '总监剪发',
  category: 'hair',
  description: '资深发型师',
  durationMinutes: 60,
  priceFen: 12800,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  slotIntervalMinutes: 30,
  minNoticeMinutes: 60,
  maxPartySize: 1,
  requirements: [{ kind: 'staff', skill: 'cut', quantity: 1, perPerson: false }],
};

async function book(token: string, serviceId: number, startAt: string, resourceId?: number) {
  const accepted = await stack.request('POST', '/v1/bookings', { token, headers: { 'idempotency-key': key() }, body: { storeId: salon.storeId, serviceId, startAt, resourceId } });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const outcome = await waitForOutcome(stack, token, accepted.body.bookingId);
  expect(outcome.status).toBe('CONFIRMED');
  return outcome;
}

/** The booking's cells in MySQL: resource and minutes after its start. */
async function cellsOf(booking: { bookingId: string; startAt: string }) {
  const cells = await bookingCellsOf(stack.env.db, booking.bookingId);
  return cells.map((c) => [c.resourceId, (c.startMinute * MINUTE - Date.parse(booking.startAt)) / MINUTE]);
}

const minutesLong = (b: { startAt: string; endAt: string }) => (Date.parse(b.endAt) - Date.parse(b.startAt)) / MINUTE;

beforeAll(async () => {
  stack = await startTestStack('merchant-services');
  const now = stack.env.clock.now();
  salon = await createSalon(stack.env.db, now, { stylists: 3, perCustomerDailyLimit: 20, name: '服务发廊' });
  other = await createSalon(stack.env.db, now, { stylists: 1, name: '别家服务发廊' });
  for (const storeId of [salon.storeId, other.storeId]) await materializeStore(stack.env, storeId);
  const passwordHash = await hashPassword('pw-123456');
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: null, username: 'svc-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: salon.storeId, username: 'svc-front', displayName: 'f', passwordHash, role: 'staff' }, now);
  await createStaffUser(stack.env.db, { merchantId: other.merchantId, storeId: null, username: 'svc-other', displayName: 'x', passwordHash, role: 'owner' }, now);
  owner = await stack.staffLogin('svc-owner', 'pw-123456');
  front = await stack.staffLogin('svc-front', 'pw-123456');
  otherOwner = await stack.staffLogin('svc-other', 'pw-123456');
});

afterAll(async () => {
  await stack?.stop();
});

describe('merchant services API', () => {
  let serviceId: number;

  it('creates a service that customers can book at once', async () => {
    const created = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/services`, { token: owner, body: cutBody });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ storeId: salon.storeId, active: true, name: '总监剪发', durationMinutes: 60, priceFen: 12800 });
    serviceId = created.body.serviceId;
    const listed = await stack.request('GET', `/v1/stores/${salon.storeId}/availability?serviceId=${serviceId}&date=${TOMORROW}`);
    expect(listed.status).toBe(200);
    const alice = await stack.login('svc-alice');
    const booking = await book(alice, serviceId, at(TOMORROW, '09:00'));
    expect(minutesLong(booking)).toBe(60);
    expect(booking.priceFen).toBe(12800);
  });

  it('a senior stylist with a 45-minute override: their bookings end after 45 minutes and hold 45 minutes of cells, others 60', async () => {
    const [s1, s2] = salon.stylistIds as [number, number, number];
    const put = await stack.request('PUT', `/v1/merchant/services/${serviceId}/durations`, { token: owner, body: { overrides: [{ resourceId: s1, durationMinutes: 45 }] } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.overrides).toEqual([{ resourceId: s1, durationMinutes: 45 }]);
    const bob = await stack.login('svc-bob');

    const senior = await book(bob, serviceId, at(TOMORROW, '10:00'), s1);
    expect(senior.endAt).toBe(new Date(Date.parse(at(TOMORROW, '10:45'))).toISOString());
    expect(await cellsOf(senior)).toEqual([[s1, 0], [s1, 15], [s1, 30]]);

    const regular = await book(bob, serviceId, at(TOMORROW, '10:00'), s2);
    expect(minutesLong(regular)).toBe(60);
    expect(await cellsOf(regular)).toEqual([[s2, 0], [s2, 15], [s2, 30], [s2, 45]]);

    // "Any": first-fit takes the senior stylist (45), then the next one free (60).
    const any1 = await book(bob, serviceId, at(TOMORROW, '12:00'));
    expect([any1.resourceId, minutesLong(any1)]).toEqual([s1, 45]);
    expect(await cellsOf(any1)).toEqual([[s1, 0], [s1, 15], [s1, 30]]);
    const any2 = await book(bob, serviceId, at(TOMORROW, '12:00'));
    expect([any2.resourceId, minutesLong(any2)]).toEqual([s2, 60]);
    expect(await cellsOf(any2)).toHaveLength(4);

    // The senior stylist is free again at 10:45 (would be taken until 11:00 with the default duration).
    const cells = await stack.env.db
      .selectFrom('inventory_cells')
      .select(['starts_at', 'booked'])
      .where('resource_id', '=', s1)
      .where('starts_at', 'in', [new Date(Date.parse(at(TOMORROW, '10:30'))), new Date(Date.parse(at(TOMORROW, '10:45')))])
      .orderBy('starts_at')
      .execute();
    expect(cells.map((c) => c.booked)).toEqual([1, 0]);
  });

  it('PATCH changes only future bookings: existing ones keep their cells', async () => {
    const carol = await stack.login('svc-carol');
    const before = await book(carol, serviceId, at(TOMORROW, '15:00'), salon.stylistIds[2]);
    const cellsBefore = await cellsOf(before);
    const patched = await stack.request('PATCH', `/v1/merchant/services/${serviceId}`, { token: owner, body: { durationMinutes: 90, priceFen: 15800 } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ durationMinutes: 90, priceFen: 15800 });
    const after = await book(carol, serviceId, at(TOMORROW, '17:00'), salon.stylistIds[2]);
    expect(minutesLong(after)).toBe(90);
    expect(after.priceFen).toBe(15800);
    expect(await cellsOf(before)).toEqual(cellsBefore);
    const row = await stack.env.db.selectFrom('bookings').select(['ends_at']).where('id', '=', before.bookingId).executeTakeFirstOrThrow();
    expect(row.ends_at.toISOString()).toBe(before.endAt);
  });

  it('refuses bad input with 400 and a Chinese reason, writing nothing', async () => {
    const count = async () => Number((await stack.env.db.selectFrom('services').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const n = await count();
    const offGrid = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/services`, { token: owner, body: { ...cutBody, durationMinutes: 50 } });
    expect(offGrid.status).toBe(400);
    expect(offGrid.body.error.issues[0].message).toContain('15 分钟');
    const interval = await stack.request('PATCH', `/v1/merchant/services/${serviceId}`, { token: owner, body: { slotIntervalMinutes: 20 } });
    expect(interval.status).toBe(400);
    const laser = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/services`, {
      token: owner,
      body: { ...cutBody, requirements: [{ kind: 'equipment', skill: 'laser', quantity: 1, perPerson: false }] },
    });
    expect(laser.status).toBe(400);
    expect(laser.body.error.issues[0].message).toContain('没有在用的资源能满足');
    const tooMany = await stack.request('PATCH', `/v1/merchant/services/${serviceId}`, { token: owner, body: { requirements: [{ kind: 'staff', skill: 'cut', quantity: 2 }] } });
    expect(tooMany.status).toBe(400);
    const unknownField = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/services`, { token: owner, body: { ...cutBody, colour: 'red' } });
    expect(unknownField.status).toBe(400);
    const badOverride = await stack.request('PUT', `/v1/merchant/services/${serviceId}/durations`, { token: owner, body: { overrides: [{ resourceId: other.stylistIds[0], durationMinutes: 45 }] } });
    expect(badOverride.status).toBe(400);
    expect(badOverride.body.error.issues[0].message).toContain('不是本门店在用');
    const offGridOverride = await stack.request('PUT', `/v1/merchant/services/${serviceId}/durations`, { token: owner, body: { overrides: [{ resourceId: salon.stylistIds[0], durationMinutes: 40 }] } });
    expect(offGridOverride.status).toBe(400);
    const english = await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/services`, { token: owner, body: { ...cutBody, durationMinutes: 50 }, headers: { 'accept-language': 'en' } });
    expect(english.body.error.issues[0].message).toContain('multiple');
    expect(await count()).toBe(n);
  });

  it('is scoped by tenant and role: other merchants see 404, staff get 403', async () => {
    expect((await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/services`, { token: otherOwner, body: cutBody })).status).toBe(404);
    expect((await stack.request('PATCH', `/v1/merchant/services/${serviceId}`, { token: otherOwner, body: { priceFen: 1 } })).status).toBe(404);
    expect((await stack.request('PUT', `/v1/merchant/services/${serviceId}/durations`, { token: otherOwner, body: { overrides: [] } })).status).toBe(404);
    expect((await stack.request('POST', `/v1/merchant/services/${serviceId}/deactivate`, { token: otherOwner })).status).toBe(404);
    expect((await stack.request('PATCH', `/v1/merchant/stores/${salon.storeId}`, { token: otherOwner, body: { horizonDays: 30 } })).status).toBe(404);
    expect((await stack.request('POST', `/v1/merchant/stores/${salon.storeId}/services`, { token: front, body: cutBody })).status).toBe(403);
    expect((await stack.request('PATCH', `/v1/merchant/services/${serviceId}`, { token: front, body: { priceFen: 1 } })).status).toBe(403);
    expect((await stack.request('PATCH', `/v1/merchant/stores/${salon.storeId}`, { token: front, body: { name: 'x' } })).status).toBe(403);
    const row = await stack.env.db.selectFrom('services').select(['price_fen']).where('id', '=', serviceId).executeTakeFirstOrThrow();
    expect(row.price_fen).toBe(15800);
  });

  it('PATCH store horizon: the new days get inventory at once and become bookable', async () => {
    const far = '2026-12-18'; // 17 days ahead: beyond the 14-day horizon
    const dave = await stack.login('svc-dave');
    const refused = await stack.request('POST', '/v1/bookings', { token: dave, headers: { 'idempotency-key': key() }, body: { storeId: salon.storeId, serviceId, startAt: at(far, '10:00') } });
    expect(refused.status).toBe(400);
    const patched = await stack.request('PATCH', `/v1/merchant/stores/${salon.storeId}`, { token: owner, body: { horizonDays: 20, name: '服务发廊·旗舰店', perCustomerDailyLimit: 5 } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.store).toMatchObject({ horizonDays: 20, name: '服务发廊·旗舰店', perCustomerDailyLimit: 5 });
    expect(patched.body.cellsAdded).toBeGreaterThan(0);
    const booking = await book(dave, serviceId, at(far, '10:00'));
    expect(booking.localDate).toBe(far);
  });

  it('deactivate: the service leaves the catalog at once', async () => {
    const off = await stack.request('POST', `/v1/merchant/services/${serviceId}/deactivate`, { token: owner });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const erin = await stack.login('svc-erin');
    const refused = await stack.request('POST', '/v1/bookings', { token: erin, headers: { 'idempotency-key': key() }, body: { storeId: salon.storeId, serviceId, startAt: at(TOMORROW, '19:00') } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('SERVICE_NOT_FOUND');
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/merchant/stores/{storeId}/services', '/v1/merchant/services/{id}', '/v1/merchant/services/{id}/deactivate', '/v1/merchant/services/{id}/durations', '/v1/merchant/stores/{storeId}']),
    );
  });
});
