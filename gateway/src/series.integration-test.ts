import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { addDays } from '../../core/src/time/zoned.ts';
import { createMerchant, createResource, createService, createStore, setWeeklyHours } from '../../db/src/repositories/catalog-admin.repository.ts';
import { bookingCellsOf } from '../../db/src/repositories/booking.repository.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

let stack: TestStack;
let storeId: number;
let otherStoreId: number;
let cutOnly: number;
let colourist: number;
let haircutId: number;
let colourId: number;
let lessonId: number;
let alice: string;
let bob: string;
let carol: string;

const key = (() => {
  let n = 0;
  return () => `series-key-${String(++n).padStart(6, '0')}`;
})();

/** Test "now" is 2026-12-01 08:00 in Shanghai; 2026-12-02 is a Wednesday. */
const DAY = '2026-12-02';
const at = (date: string, hhmm: string) => `${date}T${hhmm}:00+08:00`;
const week = (n: number) => addDays(DAY, 7 * n);

async function quiesce() {
  for (let i = 0; i < 400; i++) {
    const holds = await Promise.all([storeId, otherStoreId].map((id) => stack.env.redis.zcard(stack.env.keys.store(id).holds)));
    if (holds.every((n) => n === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('pipeline did not go quiet');
}

/** Every booking row, the MySQL booked total and every Redis booked counter of the store: what a refusal must not change. */
async function snapshot() {
  await quiesce();
  const bookings = await stack.env.db.selectFrom('bookings').select(['id', 'status']).orderBy('id').execute();
  const booked = await stack.env.db
    .selectFrom('inventory_cells')
    .select(sql<string>`COALESCE(SUM(booked), 0)`.as('n'))
    .where('store_id', '=', storeId)
    .executeTakeFirstOrThrow();
  const redis: Record<string, Record<string, string>> = {};
  for (let d = 0; d <= 90; d++) {
    const date = addDays('2026-12-01', d);
    const hash = await stack.env.redis.hgetall(stack.env.keys.store(storeId).booked(date));
    if (Object.keys(hash).length > 0) redis[date] = hash;
  }
  const series = await stack.env.db.selectFrom('booking_series' as any).select(sql<number>`COUNT(*)`.as('n')).executeTakeFirstOrThrow();
  return { bookings, mysqlBooked: Number(booked.n), redis, series: Number((series as { n: number }).n) };
}

async function book(token: string, serviceId: number, startAt: string, resourceId?: number) {
  const response = await stack.request('POST', '/v1/bookings', {
    token,
    headers: { 'idempotency-key': key() },
    body: { storeId, serviceId, startAt, ...(resourceId ? { resourceId } : {}) },
  });
  expect(response.status).toBe(202);
  return waitForOutcome(stack, token, response.body.bookingId);
}

beforeAll(async () => {
  stack = await startTestStack('series');
  const now = stack.env.clock.now();
  const db = stack.env.db;
  const merchantId = await createMerchant(db, { name: '系列测试', industry: 'hair_salon' }, now);
  storeId = await createStore(
    db,
    { merchantId, name: '系列测试·一店', industry: 'hair_salon', address: '上海市', lat: 31.2, lng: 121.4, horizonDays: 90, perCustomerDailyLimit: 5 },
    now,
  );
  // The cut-only stylist has the lower id: first-fit gives her the haircut unless both steps must be one person.
  cutOnly = await createResource(db, { merchantId, storeId, kind: 'staff', name: '剪发师', skills: ['cut'] }, now);
  colourist = await createResource(db, { merchantId, storeId, kind: 'staff', name: '染发师', skills: ['cut', 'color'] }, now);
  await createResource(db, { merchantId, storeId, kind: 'room', name: '琴房', capacity: 1, skills: ['lesson'] }, now);
  const base = { merchantId, storeId, category: 'hair', slotIntervalMinutes: 30, minNoticeMinutes: 60 };
  haircutId = await createService(db, { ...base, name: '剪发', durationMinutes: 60, priceFen: 8800, requirements: [{ kind: 'staff', skill: 'cut', quantity: 1, perPerson: false }] }, now);
  colourId = await createService(db, { ...base, name: '染发', durationMinutes: 60, priceFen: 30000, requirements: [{ kind: 'staff', skill: 'color', quantity: 1, perPerson: false }] }, now);
  lessonId = await createService(
    db,
    { ...base, name: '钢琴课', category: 'course', durationMinutes: 60, priceFen: 20000, slotIntervalMinutes: 60, requirements: [{ kind: 'room', skill: 'lesson', quantity: 1, perPerson: false }] },
    now,
  );
  await setWeeklyHours(db, { merchantId, storeId, resourceId: null }, [1, 2, 3, 4, 5, 6, 7].map((d) => [d, '09:00', '21:00']));
  const otherMerchant = await createMerchant(db, { name: '别家', industry: 'hair_salon' }, now);
  otherStoreId = await createStore(db, { merchantId: otherMerchant, name: '别家·一店', industry: 'hair_salon', address: '上海市', lat: 31.2, lng: 121.4 }, now);
  for (const id of [storeId, otherStoreId]) await materializeStore(stack.env, id);
  alice = await stack.login('series-alice');
  bob = await stack.login('series-bob');
  carol = await stack.login('series-carol');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('multi-service sequence', () => {
  it('when the second step’s staff is busy, then nothing is taken: 409, MySQL and Redis unchanged', async () => {
    await book(bob, colourId, at(DAY, '11:00'));
    const before = await snapshot();
    const response = await stack.request('POST', '/v1/bookings/sequence', {
      token: alice,
      headers: { 'idempotency-key': key() },
      body: { storeId, startAt: at(DAY, '10:00'), steps: [{ serviceId: haircutId }, { serviceId: colourId }] },
    });
    expect([response.status, response.body.error.code, response.body.error.message]).toEqual([409, 'SLOT_SOLD_OUT', '该时段已约满，请选择其他时间']);
    expect(await snapshot()).toEqual(before);
    expect(await stack.env.db.selectFrom('booking_sequences' as any).selectAll().execute()).toEqual([]);
  });

  it('when sameStaff, then one person does both steps, price is the sum, the booking spans both, and it cannot be rescheduled but can be cancelled', async () => {
    // Without sameStaff, first-fit splits the two steps over two people.
    const split = await stack.request('POST', '/v1/bookings/sequence', {
      token: alice,
      headers: { 'idempotency-key': key() },
      body: { storeId, startAt: at(DAY, '14:00'), steps: [{ serviceId: haircutId }, { serviceId: colourId }] },
    });
    expect(split.status).toBe(202);
    await waitForOutcome(stack, alice, split.body.bookingId);
    const splitCells = await stack.env.db.selectFrom('booking_cells').select('resource_id').where('booking_id', '=', split.body.bookingId).execute();
    expect(new Set(splitCells.map((c) => c.resource_id))).toEqual(new Set([cutOnly, colourist]));

    const idempotencyKey = key();
    const body = { storeId, startAt: at(DAY, '16:00'), steps: [{ serviceId: haircutId }, { serviceId: colourId }], sameStaff: true };
    const response = await stack.request('POST', '/v1/bookings/sequence', { token: alice, headers: { 'idempotency-key': idempotencyKey }, body });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({
      status: 'PENDING',
      priceFen: 8800 + 30000,
      startAt: new Date(at(DAY, '16:00')).toISOString(),
      endAt: new Date(at(DAY, '18:00')).toISOString(),
      steps: [
        { serviceId: haircutId, startAt: new Date(at(DAY, '16:00')).toISOString(), endAt: new Date(at(DAY, '17:00')).toISOString() },
        { serviceId: colourId, startAt: new Date(at(DAY, '17:00')).toISOString(), endAt: new Date(at(DAY, '18:00')).toISOString() },
      ],
    });
    const outcome = await waitForOutcome(stack, alice, response.body.bookingId);
    expect(outcome).toMatchObject({ status: 'CONFIRMED', priceFen: 38800, endAt: new Date(at(DAY, '18:00')).toISOString() });
    const cells = await bookingCellsOf(stack.env.db, response.body.bookingId);
    expect(cells).toHaveLength(8);
    expect(new Set(cells.map((c) => c.resourceId))).toEqual(new Set([colourist]));

    // A retry with the same key is the same booking.
    const retry = await stack.request('POST', '/v1/bookings/sequence', { token: alice, headers: { 'idempotency-key': idempotencyKey }, body });
    expect([retry.status, retry.body.bookingId]).toEqual([202, response.body.bookingId]);

    const moved = await stack.request('POST', `/v1/bookings/${response.body.bookingId}/reschedule`, { token: alice, body: { startAt: at(DAY, '19:00') } });
    expect([moved.status, moved.body.error.code, moved.body.error.message]).toEqual([409, 'SEQUENCE_NOT_RESCHEDULABLE', '连续多项目预约不支持改期，请取消后重新预约']);

    const booked = async () => Object.values(await stack.env.redis.hgetall(stack.env.keys.store(storeId).booked(DAY))).reduce((sum, v) => sum + Number(v), 0);
    const beforeCancel = await booked();
    const cancelled = await stack.request('POST', `/v1/bookings/${response.body.bookingId}/cancel`, { token: alice, body: {} });
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'CANCELLED']);
    expect(await booked()).toBe(beforeCancel - 8);
  });

  it('when the input is bad, then 400 with the reason in Chinese (English on request) and nothing is written', async () => {
    const before = await snapshot();
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      stack.request('POST', '/v1/bookings/sequence', { token: alice, headers: { 'idempotency-key': key(), ...headers }, body });
    const one = await post({ storeId, startAt: at(DAY, '10:00'), steps: [{ serviceId: haircutId }] });
    expect([one.status, one.body.error.code, one.body.error.message]).toEqual([400, 'VALIDATION_FAILED', '请求参数有误，请检查后重试']);
    expect(one.body.error.issues).toEqual([{ path: 'body.steps', message: '至少需要 2 个服务项目' }]);
    const nobody = await post({ storeId, startAt: at(DAY, '10:00'), steps: [{ serviceId: colourId }, { serviceId: lessonId }], sameStaff: true });
    expect([nobody.status, nobody.body.error.code]).toEqual([400, 'SEQUENCE_STAFF_MISMATCH']);
    const noCommon = await post({ storeId, startAt: at(DAY, '10:00'), steps: [{ serviceId: colourId }, { serviceId: haircutId, resourceId: cutOnly }], sameStaff: true });
    expect([noCommon.status, noCommon.body.error.code, noCommon.body.error.message]).toEqual([400, 'SEQUENCE_NO_COMMON_STAFF', '没有一位服务人员能完成所有项目，请取消“同一人员”或调整项目']);
    const english = await post({ storeId, startAt: at(DAY, '10:00'), steps: [{ serviceId: colourId }, { serviceId: haircutId, resourceId: cutOnly }], sameStaff: true }, { 'accept-language': 'en' });
    expect(english.body.error.message).toBe('No staff member can perform every service; allow different staff or change the services');
    const misaligned = await post({ storeId, startAt: at(DAY, '10:10'), steps: [{ serviceId: haircutId }, { serviceId: colourId }] });
    expect([misaligned.status, misaligned.body.error.code]).toEqual([400, 'SLOT_MISALIGNED']);
    expect(await snapshot()).toEqual(before);
  });
});

describe('recurring series', () => {
  it('when one week of ten is full and onConflict is skip, then nine are booked and the full week is reported; a retry creates nothing new', async () => {
    await book(bob, lessonId, at(week(3), '10:00'));
    const idempotencyKey = key();
    const body = { storeId, serviceId: lessonId, firstStartAt: at(DAY, '10:00'), count: 10, everyWeeks: 1, onConflict: 'skip' };
    const response = await stack.request('POST', '/v1/bookings/series', { token: alice, headers: { 'idempotency-key': idempotencyKey }, body });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'ACTIVE', booked: 9, count: 10 });
    expect(response.body.occurrences.map((o: any) => o.localDate)).toEqual(Array.from({ length: 10 }, (_, i) => week(i)));
    expect(response.body.occurrences[3]).toMatchObject({ outcome: 'REFUSED', reason: 'SLOT_SOLD_OUT', reasonMessage: '该时段已约满，请选择其他时间', bookingId: null });
    const ids: string[] = response.body.occurrences.filter((o: any) => o.outcome === 'BOOKED').map((o: any) => o.bookingId);
    expect(new Set(ids).size).toBe(9);
    for (const id of ids) expect((await waitForOutcome(stack, alice, id)).status).toBe('CONFIRMED');

    const before = await snapshot();
    const retry = await stack.request('POST', '/v1/bookings/series', { token: alice, headers: { 'idempotency-key': idempotencyKey }, body });
    expect([retry.status, retry.body.seriesId, retry.body.booked]).toEqual([200, response.body.seriesId, 9]);
    expect(await snapshot()).toEqual(before);
    const mismatch = await stack.request('POST', '/v1/bookings/series', { token: alice, headers: { 'idempotency-key': idempotencyKey }, body: { ...body, count: 9 } });
    expect([mismatch.status, mismatch.body.error.code]).toEqual([422, 'IDEMPOTENCY_MISMATCH']);

    const seen = await stack.request('GET', `/v1/bookings/series/${response.body.seriesId}`, { token: alice });
    expect(seen.status).toBe(200);
    expect(seen.body.occurrences.filter((o: any) => o.bookingStatus === 'CONFIRMED')).toHaveLength(9);

    // Tenant isolation: someone else's series looks like a missing one.
    for (const [method, path] of [['GET', `/v1/bookings/series/${response.body.seriesId}`], ['POST', `/v1/bookings/series/${response.body.seriesId}/cancel`]] as const) {
      const foreign = await stack.request(method, path, { token: bob });
      expect([foreign.status, foreign.body.error.code, foreign.body.error.message]).toEqual([404, 'SERIES_NOT_FOUND', '周期预约不存在']);
    }
    expect((await stack.request('GET', '/v1/bookings/series/999999', { token: alice })).status).toBe(404);

    // Cancelling the series cancels every occurrence that has not started.
    stack.env.clock.set(Date.parse(at(week(1), '12:00')));
    try {
      // A week later the first token has expired: log in again (same customer).
      const later = await stack.login('series-alice');
      const cancelled = await stack.request('POST', `/v1/bookings/series/${response.body.seriesId}/cancel`, { token: later });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('CANCELLED');
      const outcomes = cancelled.body.occurrences.map((o: any) => [o.outcome, o.bookingStatus]);
      expect(outcomes.slice(0, 2)).toEqual([['BOOKED', 'CONFIRMED'], ['BOOKED', 'CONFIRMED']]);
      expect(outcomes[3]).toEqual(['REFUSED', null]);
      expect(outcomes.filter(([o, s]: string[]) => o === 'CANCELLED' && s === 'CANCELLED')).toHaveLength(7);
    } finally {
      stack.env.clock.set(Date.parse('2026-12-01T00:00:00Z'));
    }
  });

  it('when one week is full and onConflict is all-or-nothing, then 409 lists it, nothing stays booked and no capacity is taken; a retry creates nothing new', async () => {
    await book(carol, lessonId, at(week(5), '14:00'));
    const before = await snapshot();
    const idempotencyKey = key();
    const body = { storeId, serviceId: lessonId, firstStartAt: at(DAY, '14:00'), count: 10, everyWeeks: 1, onConflict: 'all-or-nothing' };
    const response = await stack.request('POST', '/v1/bookings/series', { token: alice, headers: { 'idempotency-key': idempotencyKey }, body });
    expect([response.status, response.body.error.code, response.body.error.message]).toEqual([409, 'SERIES_CONFLICT', '周期预约中有时段无法预约，已全部撤销，未占用任何名额']);
    expect(response.body.error.issues).toEqual([{ path: 'occurrences.5', message: `${week(5)}：该时段已约满，请选择其他时间` }]);

    const after = await snapshot();
    // Nine bookings were taken and released again (compensation): CANCELLED rows, capacity as before.
    expect(after.mysqlBooked).toBe(before.mysqlBooked);
    expect(after.redis).toEqual(before.redis);
    const added = after.bookings.filter((b) => !before.bookings.some((x) => x.id === b.id));
    expect(added).toHaveLength(9);
    expect(added.every((b) => b.status === 'CANCELLED')).toBe(true);

    const retry = await stack.request('POST', '/v1/bookings/series', { token: alice, headers: { 'idempotency-key': idempotencyKey }, body });
    expect([retry.status, retry.body.error.code]).toEqual([409, 'SERIES_CONFLICT']);
    expect(await snapshot()).toEqual(after);
    const mine = (await stack.env.db.selectFrom('booking_series' as any).select(['id', 'status']).where('on_conflict' as any, '=', 'all-or-nothing').execute()) as { status: string }[];
    expect(mine.map((s) => s.status)).toEqual(['FAILED']);
  });

  it('when the series runs past the booking horizon, then skip mode books what fits and reports the rest as beyond the horizon', async () => {
    const response = await stack.request('POST', '/v1/bookings/series', {
      token: carol,
      headers: { 'idempotency-key': key() },
      body: { storeId, serviceId: lessonId, firstStartAt: at(DAY, '18:00'), count: 20, everyWeeks: 1, onConflict: 'skip' },
    });
    expect(response.status).toBe(201);
    const refused = response.body.occurrences.filter((o: any) => o.outcome === 'REFUSED');
    // 90-day horizon from 2026-12-01: weeks 0..12 (up to 2027-02-24) fit.
    expect(response.body.booked).toBe(13);
    expect(refused).toHaveLength(7);
    expect(refused[0]).toMatchObject({ reason: 'SLOT_BEYOND_HORIZON', reasonMessage: '只能预约未来 90 天内的时段' });
    await quiesce();
  });

  it('when the input is bad, then 400 with reasons in Chinese and nothing is written', async () => {
    const before = await snapshot();
    const post = (body: unknown, headers: Record<string, string> = { 'idempotency-key': key() }) =>
      stack.request('POST', '/v1/bookings/series', { token: alice, headers, body });
    const good = { storeId, serviceId: lessonId, firstStartAt: at(DAY, '12:00'), count: 4, everyWeeks: 1, onConflict: 'skip' };
    const cases: [unknown, string, string][] = [
      [{ ...good, count: 21 }, 'body.count', 'count 最多为 20'],
      [{ ...good, everyWeeks: 3 }, 'body.everyWeeks', 'everyWeeks 只能是 1 或 2'],
      [{ ...good, onConflict: 'maybe' }, 'body.onConflict', "onConflict 只能是 'skip' 或 'all-or-nothing'"],
      [{ ...good, firstStartAt: '2026-12-02 12:00' }, 'body.firstStartAt', '须为带时区的 ISO 8601 时间'],
    ];
    for (const [body, path, message] of cases) {
      const response = await post(body);
      expect([response.status, response.body.error.code, response.body.error.message]).toEqual([400, 'VALIDATION_FAILED', '请求参数有误，请检查后重试']);
      expect(response.body.error.issues).toContainEqual({ path, message });
    }
    const noKey = await post(good, {});
    expect([noKey.status, noKey.body.error.issues[0].message]).toEqual([400, '缺少 Idempotency-Key 请求头']);
    const misaligned = await post({ ...good, firstStartAt: at(DAY, '12:30') });
    expect([misaligned.status, misaligned.body.error.code, misaligned.body.error.message]).toEqual([400, 'SLOT_MISALIGNED', '开始时间不在可预约的时间点上']);
    const foreignService = await post({ ...good, storeId: otherStoreId });
    expect([foreignService.status, foreignService.body.error.code]).toEqual([400, 'SERVICE_NOT_FOUND']);
    expect(await snapshot()).toEqual(before);
  });
});
