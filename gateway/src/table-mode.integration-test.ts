import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { createMerchant, createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/** Test "now" is Tuesday 2026-12-01 08:00 in Shanghai; the night is the Wednesday after. */
const DAY = '2026-12-02';
const DAY2 = '2026-12-03';
const at = (date: string, hhmm: string) => `${date}T${hhmm}:00+08:00`;

let stack: TestStack;
let owner: string;
let otherOwner: string;
let storeId: number;
let dineIn: number;
const ids = new Map<string, number>();
const customers: string[] = [];
let nextCustomer = 0;
const accepted: { bookingId: string; token: string; party: number; startAt: string }[] = [];

const key = (() => {
  let n = 0;
  return () => `table-key-${String(++n).padStart(6, '0')}`;
})();
const table = (name: string) => ids.get(`${name} 号桌（${name.startsWith('A') ? 2 : 4} 人）`)!;

async function book(startAt: string, partySize: number) {
  // A customer may hold two bookings a day at this store: a fresh one per request.
  const token = customers[nextCustomer++ % customers.length]!;
  const response = await stack.request('POST', '/v1/bookings', { token, headers: { 'idempotency-key': key() }, body: { storeId, serviceId: dineIn, startAt, partySize } });
  if (response.status === 202) accepted.push({ bookingId: response.body.bookingId, token, party: partySize, startAt });
  return response;
}

/** Tables (not the pacing resource) whose cells a booking holds. */
async function tablesOf(bookingId: string): Promise<number[]> {
  const rows = await stack.env.db
    .selectFrom('booking_cells as bc')
    .innerJoin('resources as r', 'r.id', 'bc.resource_id')
    .select('bc.resource_id')
    .distinct()
    .where('bc.booking_id', '=', bookingId)
    .where('r.kind', '=', 'room')
    .orderBy('bc.resource_id')
    .execute();
  return rows.map((r) => r.resource_id);
}

async function settled(): Promise<any[]> {
  return Promise.all(accepted.map((a) => waitForOutcome(stack, a.token, a.bookingId)));
}

beforeAll(async () => {
  stack = await startTestStack('table-mode');
  const now = stack.env.clock.now();
  const passwordHash = await hashPassword('pw-123456');
  const merchantId = await createMerchant(stack.env.db, { name: '味道小馆', industry: 'restaurant' }, now);
  const other = await createMerchant(stack.env.db, { name: '别家餐厅', industry: 'restaurant' }, now);
  await createStaffUser(stack.env.db, { merchantId, storeId: null, username: 'table-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId: other, storeId: null, username: 'table-other', displayName: 'x', passwordHash, role: 'owner' }, now);
  owner = await stack.staffLogin('table-owner', 'pw-123456');
  otherOwner = await stack.staffLogin('table-other', 'pw-123456');
  for (let i = 0; i < 40; i++) customers.push(await stack.login(`table-customer-${i}`));
  const created = await stack.request('POST', '/v1/merchant/stores/from-template', {
    token: owner,
    body: { template: 'restaurant', name: '味道小馆·静安店', address: '上海市静安区南京西路 1 号', lat: 31.23, lng: 121.46 },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  storeId = created.body.store.id;
  for (const r of created.body.resources) ids.set(r.name, r.id);
  dineIn = created.body.services.find((s: any) => s.key === 'dine_in').id;
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

describe('merchant table-mode API', () => {
  it('when the owner reads and sets the table mode, then tables, combinations, turn times and pacing (8 covers) are stored in MySQL and the pacing cells change in MySQL and Redis', async () => {
    const current = await stack.request('GET', `/v1/merchant/stores/${storeId}/table-mode`, { token: owner });
    expect(current.status).toBe(200);
    expect(current.body.enabled).toBe(true);
    expect(current.body.tableMode.pacing.maxCovers).toBe(16);
    const { pacing, ...rest } = current.body.tableMode;
    const put = await stack.request('PUT', `/v1/merchant/stores/${storeId}/table-mode`, { token: owner, body: { ...rest, pacing: { maxCovers: 8 } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.tableMode.pacing).toEqual({ resourceId: pacing.resourceId, maxCovers: 8 });
    const row = await stack.env.db.selectFrom('store_table_modes').select('config').where('store_id', '=', storeId).executeTakeFirstOrThrow();
    expect(JSON.parse(row.config).pacing.maxCovers).toBe(8);
    const cells = await stack.env.db.selectFrom('inventory_cells').select(['capacity', 'starts_at']).where('resource_id', '=', pacing.resourceId).where('local_date', '=', DAY).execute();
    expect(cells.length).toBeGreaterThan(0);
    expect(new Set(cells.map((c) => c.capacity))).toEqual(new Set([8]));
    const redisCapacity = await stack.env.redis.hget(stack.env.keys.store(storeId).capacity(DAY), `${pacing.resourceId}:${cells[0]!.starts_at.getTime() / 60_000}`);
    expect(redisCapacity).toBe('8');
    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(doc.paths['/v1/merchant/stores/{storeId}/table-mode'].put).toBeDefined();
    expect(doc.paths['/v1/stores/{id}/table-availability'].get).toBeDefined();
  });

  it('when the body is invalid, another merchant asks or nobody is logged in, then 400/404/401 and nothing changes', async () => {
    const before = await stack.env.db.selectFrom('store_table_modes').select('config').where('store_id', '=', storeId).executeTakeFirstOrThrow();
    const { body: current } = await stack.request('GET', `/v1/merchant/stores/${storeId}/table-mode`, { token: owner });
    const { pacing: _pacing, ...rest } = current.tableMode;
    const unknownTable = await stack.request('PUT', `/v1/merchant/stores/${storeId}/table-mode`, {
      token: owner,
      body: { ...rest, combinations: [{ resourceIds: [table('A1'), 999_999], minSeats: 3, maxSeats: 4 }], pacing: { maxCovers: 8 } },
    });
    expect([unknownTable.status, unknownTable.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(unknownTable.body.error.issues[0].path).toBe('body.combinations.0.resourceIds');
    const extra = await stack.request('PUT', `/v1/merchant/stores/${storeId}/table-mode`, { token: owner, body: { ...rest, pacing: { maxCovers: 8 }, colour: 'red' } });
    expect(extra.status).toBe(400);
    const theirs = await stack.request('PUT', `/v1/merchant/stores/${storeId}/table-mode`, { token: otherOwner, body: { ...rest, pacing: { maxCovers: 99 } } });
    expect([theirs.status, theirs.body.error.code]).toEqual([404, 'STORE_NOT_FOUND']);
    const anonymous = await stack.request('GET', `/v1/merchant/stores/${storeId}/table-mode`);
    expect(anonymous.status).toBe(401);
    const customer = await stack.request('PUT', `/v1/merchant/stores/${storeId}/table-mode`, { token: customers[0]!, body: { ...rest, pacing: null } });
    expect(customer.status).toBe(401);
    const after = await stack.env.db.selectFrom('store_table_modes').select('config').where('store_id', '=', storeId).executeTakeFirstOrThrow();
    expect(after.config).toBe(before.config);
  });
});

describe('a night of restaurant bookings', () => {
  it('when parties of 3 fill the 4-tops, then the 2+2 combination is used only after the last 4-top, and availability says so first', async () => {
    const singles: string[] = [];
    for (const time of ['11:00', '11:00', '11:15', '11:15', '11:30', '11:30']) {
      const response = await book(at(DAY, time), 3);
      expect(response.status, JSON.stringify(response.body)).toBe(202);
      singles.push(response.body.bookingId);
    }
    const before = await stack.request('GET', `/v1/stores/${storeId}/table-availability?serviceId=${dineIn}&date=${DAY}&partySize=3`);
    expect(before.status).toBe(200);
    expect(before.body.turnMinutes).toBe(105);
    const slot = before.body.slots.find((s: any) => s.localTime === '11:45');
    expect(slot).toMatchObject({ available: true, table: true, tableIds: [table('A1'), table('A2')], seats: 4, pacing: true, coversLeft: 8 });
    const combo = await book(at(DAY, '11:45'), 3);
    expect(combo.status).toBe(202);
    const none = await book(at(DAY, '11:45'), 3);
    expect([none.status, none.body.error.code]).toEqual([409, 'SLOT_SOLD_OUT']);
    await settled();
    const singleTables = await Promise.all(singles.map(tablesOf));
    expect(singleTables.every((t) => t.length === 1)).toBe(true);
    expect(singleTables.flat().sort((a, b) => a - b)).toEqual(['B1', 'B2', 'B3', 'B4', 'B5', 'B6'].map(table).sort((a, b) => a - b));
    expect(await tablesOf(combo.body.bookingId)).toEqual([table('A1'), table('A2')].sort((a, b) => a - b));
  });

  it('when 6 parties race for the 4 free 2-tops, then exactly 4 get one, each a different table, and the rest 409', async () => {
    const responses = await Promise.all(Array.from({ length: 6 }, () => book(at(DAY, '12:00'), 1)));
    const ok = responses.filter((r) => r.status === 202);
    expect(ok).toHaveLength(4);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.error.code === 'SLOT_SOLD_OUT')).toBe(true);
    await settled();
    const tables = (await Promise.all(ok.map((r) => tablesOf(r.body.bookingId)))).flat();
    expect(new Set(tables).size).toBe(4);
    expect(tables.sort((a, b) => a - b)).toEqual(['A3', 'A4', 'A5', 'A6'].map(table).sort((a, b) => a - b));
  });

  it('when parties of 5–8 book, then 6-tops seat 5 and 6, combinations seat 7 and 8, with turn times by party size', async () => {
    const plan: [string, number][] = [['17:00', 5], ['17:15', 6], ['17:30', 7], ['17:45', 8]];
    const responses: Awaited<ReturnType<typeof book>>[] = [];
    for (const [time, party] of plan) {
      const response = await book(at(DAY, time), party);
      expect(response.status, `${party}: ${JSON.stringify(response.body)}`).toBe(202);
      responses.push(response);
    }
    const outcomes = await settled();
    const tables = await Promise.all(responses.map((r) => tablesOf(r.body.bookingId)));
    expect(tables).toEqual([[ids.get('C1 号圆桌（6 人）')], [ids.get('C2 号圆桌（6 人）')], [table('B1'), table('B2')], [table('B3'), table('B4')]]);
    const eight = outcomes[accepted.findIndex((x) => x.bookingId === responses[3]!.body.bookingId)];
    expect(new Date(eight.endAt).getTime() - new Date(eight.startAt).getTime()).toBe(120 * 60_000);
    // Every combination is taken: nobody else seats 8 while they eat.
    const big = await book(at(DAY, '18:30'), 8);
    expect([big.status, big.body.error.code]).toEqual([409, 'SLOT_SOLD_OUT']);
  });

  it('when 8 covers arrive between 18:00 and 18:15, then the 9th cover is refused with 409 PACING_FULL in the API error shape, and the next window takes it', async () => {
    for (const party of [2, 2, 4]) expect((await book(at(DAY, '18:00'), party)).status).toBe(202);
    const availability = await stack.request('GET', `/v1/stores/${storeId}/table-availability?serviceId=${dineIn}&date=${DAY}&partySize=1`);
    expect(availability.body.slots.find((s: any) => s.localTime === '18:00')).toMatchObject({ table: true, pacing: false, coversLeft: 0, available: false });
    const ninth = await book(at(DAY, '18:00'), 1);
    expect(ninth.status).toBe(409);
    expect(ninth.body).toEqual({ error: { code: 'PACING_FULL', message: expect.stringContaining('每 15 分钟最多 8 位') } });
    const english = await stack.request('POST', '/v1/bookings', {
      token: customers[39]!,
      headers: { 'idempotency-key': key(), 'accept-language': 'en' },
      body: { storeId, serviceId: dineIn, startAt: at(DAY, '18:00'), partySize: 1 },
    });
    expect(english.body.error).toEqual({ code: 'PACING_FULL', message: 'Too many guests arrive at this time (at most 8 per 15 minutes, 0 more possible); please pick another time' });
    expect((await book(at(DAY, '18:15'), 1)).status).toBe(202);
  });

  it('when 10 couples race for one arrival window, then exactly 4 (8 covers) are accepted and the others get PACING_FULL', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => book(at(DAY2, '18:00'), 2)));
    expect(responses.filter((r) => r.status === 202)).toHaveLength(4);
    expect(responses.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(Array(6).fill('PACING_FULL'));
  });

  it('then every booking is CONFIRMED, no table cell is held twice, MySQL is within capacity and Redis equals MySQL', async () => {
    const outcomes = await settled();
    expect(outcomes.map((o) => o.status)).toEqual(accepted.map(() => 'CONFIRMED'));
    const over = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM inventory_cells WHERE store_id = ${storeId} AND booked > capacity`.execute(stack.env.db);
    expect(Number(over.rows[0]!.n)).toBe(0);
    const shared = await sql<{ resource_id: number }>`
      SELECT ic.resource_id, ic.starts_at, COUNT(*) AS n FROM booking_cells bc
      JOIN bookings b ON b.id = bc.booking_id JOIN resources r ON r.id = bc.resource_id
      JOIN inventory_cells ic ON ic.resource_id = bc.resource_id AND ic.starts_at >= bc.starts_at AND ic.starts_at < bc.ends_at
      WHERE b.store_id = ${storeId} AND b.status = 'CONFIRMED' AND r.kind = 'room'
      GROUP BY ic.resource_id, ic.starts_at HAVING n > 1`.execute(stack.env.db);
    expect(shared.rows).toEqual([]);
    const pacing = await sql<{ booked: number }>`
      SELECT ic.booked FROM inventory_cells ic JOIN resource_skills k ON k.resource_id = ic.resource_id
      WHERE ic.store_id = ${storeId} AND k.skill = 'pacing' AND ic.booked > 0`.execute(stack.env.db);
    expect(Math.max(...pacing.rows.map((r) => Number(r.booked)))).toBe(8);
    const keys = stack.env.keys.store(storeId);
    for (let i = 0; (await stack.env.redis.zcard(keys.holds)) > 0; i++) {
      if (i > 200) throw new Error('holds left in Redis');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    for (const day of [DAY, DAY2]) {
      const cells = await stack.env.db.selectFrom('inventory_cells').select(['resource_id', 'starts_at', 'capacity', 'booked']).where('store_id', '=', storeId).where('local_date', '=', day).execute();
      const mysqlBooked: Record<string, string> = {};
      const mysqlCapacity: Record<string, string> = {};
      for (const c of cells) {
        const field = `${c.resource_id}:${c.starts_at.getTime() / 60_000}`;
        mysqlCapacity[field] = String(c.capacity);
        if (c.booked > 0) mysqlBooked[field] = String(c.booked);
      }
      const redisBooked = Object.fromEntries(Object.entries(await stack.env.redis.hgetall(keys.booked(day))).filter(([, v]) => v !== '0'));
      expect(redisBooked).toEqual(mysqlBooked);
      expect(await stack.env.redis.hgetall(keys.capacity(day))).toEqual(mysqlCapacity);
    }
  });
});
