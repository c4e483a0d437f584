import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { type ClassFixture, createClassStudio } from '../../db/testing/fixtures.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/**
 * Priority rules over HTTP on the real MariaDB and Redis: a VIP-reserved share with a cut-off, staff urgent
 * insertion with an audit entry, and the per-customer weekly limit. The manual clock starts at 2026-12-01
 * 08:00 Shanghai (a Tuesday, ISO week 2026-W49); only the last test moves it.
 */
let stack: TestStack;
let vipStudio: ClassFixture; // 3 mats, 1 reserved for VIPs until 24 h before
let weekly: ClassFixture; // 10 mats, at most 2 bookings per customer per ISO week
const tokens: Record<string, string> = {};
let keyCounter = 0;
const key = () => `prio-key-${String(++keyCounter).padStart(6, '0')}`;
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00+08:00`;
const customerIdOf = (token: string): number => Number(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub);

async function login(...users: string[]): Promise<string[]> {
  return Promise.all(users.map((u) => stack.login(u)));
}

async function attempt(token: string, studio: ClassFixture, startAt: string) {
  return stack.request('POST', '/v1/bookings', { token, headers: { 'idempotency-key': key() }, body: { storeId: studio.storeId, serviceId: studio.classId, startAt } });
}

async function booked(token: string, studio: ClassFixture, startAt: string): Promise<string> {
  const accepted = await attempt(token, studio, startAt);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  expect((await waitForOutcome(stack, token, accepted.body.bookingId)).status).toBe('CONFIRMED');
  return accepted.body.bookingId;
}

async function remaining(studio: ClassFixture, day: string, hhmm: string, token?: string): Promise<number> {
  const res = await stack.request('GET', `/v1/stores/${studio.storeId}/availability?serviceId=${studio.classId}&date=${day}`, token ? { token } : {});
  expect(res.status).toBe(200);
  return res.body.slots.find((s: { localTime: string }) => s.localTime === hhmm).remaining;
}

async function urgent(token: string, studio: ClassFixture, body: Record<string, unknown>, idempotencyKey = key()) {
  return stack.request('POST', '/v1/merchant/bookings/urgent', {
    token,
    headers: { 'idempotency-key': idempotencyKey },
    body: { storeId: studio.storeId, serviceId: studio.classId, ...body },
  });
}

/** MySQL never above capacity for the studio's cells. */
async function expectMysqlWithinCapacity(studio: ClassFixture): Promise<void> {
  const cells = await stack.env.db.selectFrom('inventory_cells').select(['booked', 'capacity']).where('store_id', '=', studio.storeId).where('booked', '>', 0).execute();
  expect(cells.every((c) => c.booked <= c.capacity)).toBe(true);
}

beforeAll(async () => {
  stack = await startTestStack('priority');
  const now = stack.env.clock.now();
  vipStudio = await createClassStudio(stack.env.db, now, { capacity: 3, perCustomerDailyLimit: 10 });
  weekly = await createClassStudio(stack.env.db, now, { capacity: 10, perCustomerDailyLimit: 10 });
  const other = await createClassStudio(stack.env.db, now, { capacity: 3 });
  for (const studio of [vipStudio, weekly, other]) await materializeStore(stack.env, studio.storeId);
  const passwordHash = await hashPassword('pw-123456');
  const staff = [
    ['p-owner', vipStudio, 'owner'],
    ['p-manager', vipStudio, 'manager'],
    ['p-staff', vipStudio, 'staff'],
    ['p-weekly-owner', weekly, 'owner'],
    ['p-other-owner', other, 'owner'],
  ] as const;
  for (const [username, studio, role] of staff) {
    await createStaffUser(stack.env.db, { merchantId: studio.merchantId, storeId: null, username, displayName: username, passwordHash, role }, now);
    tokens[username] = await stack.staffLogin(username, 'pw-123456');
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('merchant priority settings', () => {
  it('when an owner sets a VIP share, a weekly limit and a member, then GET shows them; staff get 403, bad input 400, other merchants 404', async () => {
    const [vip] = await login('vip-1');
    const path = `/v1/merchant/stores/${vipStudio.storeId}/services/${vipStudio.classId}/vip-reserve`;
    const saved = await stack.request('PUT', path, { token: tokens['p-owner'], body: { vipReservedUnits: 1, vipCutoffMinutes: 1440 } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.services).toEqual([{ serviceId: vipStudio.classId, name: '燃脂单车', vipReservedUnits: 1, vipCutoffMinutes: 1440 }]);

    const asStaff = await stack.request('PUT', path, { token: tokens['p-staff'], body: { vipReservedUnits: 2 } });
    expect([asStaff.status, asStaff.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(asStaff.body.error.message).toBe('没有权限执行此操作');
    const bad = await stack.request('PUT', path, { token: tokens['p-owner'], body: { vipReservedUnits: -1 } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const foreign = await stack.request('PUT', path, { token: tokens['p-other-owner'], body: { vipReservedUnits: 2 } });
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'STORE_NOT_FOUND']);

    const limit = await stack.request('PUT', `/v1/merchant/stores/${weekly.storeId}/booking-limits`, { token: tokens['p-weekly-owner'], body: { customerWeeklyLimit: 2 } });
    expect([limit.status, limit.body.customerWeeklyLimit]).toEqual([200, 2]);

    const member = await stack.request('PUT', `/v1/merchant/members/${customerIdOf(vip!)}`, { token: tokens['p-manager'], body: { tier: 'vip', note: '年卡会员' } });
    expect(member.status, JSON.stringify(member.body)).toBe(200);
    expect(member.body).toMatchObject({ customerId: customerIdOf(vip!), tier: 'vip', note: '年卡会员' });
    const missing = await stack.request('PUT', '/v1/merchant/members/99999999', { token: tokens['p-manager'], body: { tier: 'vip' } });
    expect(missing.status).toBe(404);
    // Membership is per merchant: the other merchant's list does not show it.
    expect((await stack.request('GET', '/v1/merchant/members', { token: tokens['p-other-owner'] })).body.members).toEqual([]);
    expect((await stack.request('GET', '/v1/merchant/members', { token: tokens['p-owner'] })).body.members).toHaveLength(1);
    const shown = await stack.request('GET', `/v1/merchant/stores/${vipStudio.storeId}/priority`, { token: tokens['p-owner'] });
    expect(shown.body).toMatchObject({ customerWeeklyLimit: 0, services: [{ vipReservedUnits: 1 }] });
  });
});

describe('VIP-reserved capacity before the cut-off', () => {
  const DAY = '2026-12-03';

  it('when two non-VIPs took 2 of 3 places, then a third non-VIP gets 409 VIP_RESERVED and sees 0 left, while a VIP sees 1 and gets in', async () => {
    const [a, b, c, d, vip] = await login('nv-a', 'nv-b', 'nv-c', 'nv-d', 'vip-1');
    await booked(a!, vipStudio, at(DAY, '10:00'));
    await booked(b!, vipStudio, at(DAY, '10:00'));
    expect(await remaining(vipStudio, DAY, '10:00')).toBe(0);
    expect(await remaining(vipStudio, DAY, '10:00', c)).toBe(0);
    expect(await remaining(vipStudio, DAY, '10:00', vip)).toBe(1);

    const refused = await attempt(c!, vipStudio, at(DAY, '10:00'));
    expect([refused.status, refused.body.error.code]).toEqual([409, 'VIP_RESERVED']);
    expect(refused.body.error.message).toBe('该时段剩余名额为会员预留，开始前 24 小时起开放预约，请选择其他时间');

    await booked(vip!, vipStudio, at(DAY, '10:00'));
    const full = await attempt(d!, vipStudio, at(DAY, '10:00'));
    expect([full.status, full.body.error.code]).toEqual([409, 'SLOT_SOLD_OUT']);
    expect(await remaining(vipStudio, DAY, '10:00', vip)).toBe(0);
    await expectMysqlWithinCapacity(vipStudio);
  });

  it('when 12 non-VIPs race for one slot, then exactly 2 get in and the reserved place stays free for a VIP', async () => {
    const racers = await login(...Array.from({ length: 12 }, (_, i) => `race-${i}`));
    const answers = await Promise.all(racers.map((t) => attempt(t, vipStudio, at(DAY, '11:00'))));
    const accepted = answers.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(2);
    expect(answers.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(Array(10).fill('VIP_RESERVED'));
    for (const [i, r] of answers.entries()) if (r.status === 202) expect((await waitForOutcome(stack, racers[i]!, r.body.bookingId)).status).toBe('CONFIRMED');
    const [vip] = await login('vip-1');
    await booked(vip!, vipStudio, at(DAY, '11:00'));
    await expectMysqlWithinCapacity(vipStudio);
  });
});

describe('urgent insertion by staff', () => {
  const DAY = '2026-12-03';

  it('when a manager inserts urgently with a reason, then the reserved place is used and audited; staff get 403; capacity still holds', async () => {
    const [a, b, walkIn, other] = await login('u-a', 'u-b', 'u-walkin', 'u-other');
    await booked(a!, vipStudio, at(DAY, '12:00'));
    await booked(b!, vipStudio, at(DAY, '12:00'));
    const body = { customerId: customerIdOf(walkIn!), startAt: at(DAY, '12:00'), reason: '术后复诊，医生要求当日加号' };

    const asStaff = await urgent(tokens['p-staff']!, vipStudio, body);
    expect([asStaff.status, asStaff.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const noReason = await urgent(tokens['p-manager']!, vipStudio, { ...body, reason: undefined });
    expect([noReason.status, noReason.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const foreign = await urgent(tokens['p-other-owner']!, vipStudio, body);
    expect(foreign.status).toBe(404);

    const idempotencyKey = key();
    const inserted = await urgent(tokens['p-manager']!, vipStudio, body, idempotencyKey);
    expect(inserted.status, JSON.stringify(inserted.body)).toBe(202);
    expect((await waitForOutcome(stack, walkIn!, inserted.body.bookingId)).status).toBe('CONFIRMED');
    // A retry answers the same booking and the same audit entry.
    const replay = await urgent(tokens['p-manager']!, vipStudio, body, idempotencyKey);
    expect([replay.status, replay.body.bookingId, replay.body.auditId]).toEqual([202, inserted.body.bookingId, inserted.body.auditId]);

    const audit = await stack.request('GET', '/v1/merchant/audit-log', { token: tokens['p-owner'] });
    expect(audit.status).toBe(200);
    const managerId = (await stack.env.db.selectFrom('staff_users').select('id').where('username', '=', 'p-manager').executeTakeFirstOrThrow()).id;
    expect(audit.body.entries.filter((e: { target: string }) => e.target === inserted.body.bookingId)).toEqual([
      expect.objectContaining({ id: inserted.body.auditId, action: 'URGENT_INSERTION', actorStaffId: managerId, storeId: vipStudio.storeId, reason: body.reason }),
    ]);
    expect((await stack.request('GET', '/v1/merchant/audit-log', { token: tokens['p-other-owner'] })).body.entries).toEqual([]);
    expect((await stack.request('GET', '/v1/merchant/audit-log', { token: tokens['p-staff'] })).status).toBe(403);
    // Append-only: MySQL refuses to change or remove the entry.
    await expect(stack.env.db.updateTable('audit_log').set({ reason: 'x' }).where('id', '=', inserted.body.auditId).execute()).rejects.toThrow(/append-only/);
    await expect(stack.env.db.deleteFrom('audit_log').where('id', '=', inserted.body.auditId).execute()).rejects.toThrow(/append-only/);
    // The merchant sees the booking like any other.
    expect((await stack.request('GET', `/v1/merchant/bookings/${inserted.body.bookingId}`, { token: tokens['p-owner'] })).status).toBe(200);

    // Never above capacity: the slot is full now, for staff as well.
    const over = await urgent(tokens['p-manager']!, vipStudio, { ...body, customerId: customerIdOf(other!) });
    expect([over.status, over.body.error.code]).toEqual([409, 'SLOT_SOLD_OUT']);
    await expectMysqlWithinCapacity(vipStudio);
  });

  it('when the slot is inside the minimum notice, then a customer is refused but an urgent insertion is accepted', async () => {
    const [late] = await login('u-late');
    const soon = at('2026-12-01', '08:00'); // now; the class asks for 30 minutes' notice
    const refused = await attempt(late!, vipStudio, soon);
    expect([refused.status, refused.body.error.code]).toEqual([400, 'SLOT_TOO_SOON']);
    const inserted = await urgent(tokens['p-owner']!, vipStudio, { customerId: customerIdOf(late!), startAt: soon, reason: '现场候补顾客，老师同意加入' });
    expect(inserted.status, JSON.stringify(inserted.body)).toBe(202);
    expect((await waitForOutcome(stack, late!, inserted.body.bookingId)).status).toBe('CONFIRMED');
  });
});

describe('weekly limit per customer', () => {
  it('when a customer has 2 bookings in an ISO week, then a third is refused (429) until one is cancelled; another week is free; staff may still insert', async () => {
    const [c] = await login('wk-c');
    const first = await booked(c!, weekly, at('2026-12-02', '10:00'));
    await booked(c!, weekly, at('2026-12-04', '10:00'));
    const third = await attempt(c!, weekly, at('2026-12-06', '10:00'));
    expect([third.status, third.body.error.code]).toEqual([429, 'CUSTOMER_WEEKLY_LIMIT_REACHED']);
    expect(third.body.error.message).toBe('您本周在本店的预约已达上限（2 个）');
    // Another ISO week (Monday 2026-12-07) counts on its own.
    await booked(c!, weekly, at('2026-12-07', '10:00'));

    expect((await stack.request('POST', `/v1/bookings/${first}/cancel`, { token: c, body: {} })).status).toBe(200);
    await booked(c!, weekly, at('2026-12-06', '10:00'));
    const again = await attempt(c!, weekly, at('2026-12-05', '10:00'));
    expect(again.body.error.code).toBe('CUSTOMER_WEEKLY_LIMIT_REACHED');

    // Staff urgent insertion is not refused by the limit (and counts against it).
    const inserted = await urgent(tokens['p-weekly-owner']!, weekly, { customerId: customerIdOf(c!), startAt: at('2026-12-05', '10:00'), reason: '老顾客电话预约，店长同意' });
    expect(inserted.status, JSON.stringify(inserted.body)).toBe(202);
    expect((await waitForOutcome(stack, c!, inserted.body.bookingId)).status).toBe('CONFIRMED');
    const week = await stack.env.redis.get(stack.env.keys.store(weekly.storeId).customerWeek(customerIdOf(c!), '2026-W49'));
    expect(week).toBe('3');
  });
});

describe('after the cut-off', () => {
  it('when the clock passes 24 h before the slot, then a non-VIP gets the reserved place', async () => {
    const DAY = '2026-12-02';
    const [a, b, c] = await login('co-a', 'co-b', 'co-c');
    await booked(a!, vipStudio, at(DAY, '19:00'));
    await booked(b!, vipStudio, at(DAY, '19:00'));
    expect((await attempt(c!, vipStudio, at(DAY, '19:00'))).body.error.code).toBe('VIP_RESERVED');
    expect(await remaining(vipStudio, DAY, '19:00', c)).toBe(0);

    stack.env.clock.advance(11 * 3_600_000 + 60_000); // 2026-12-01 19:01: 23 h 59 min before the class
    expect(await remaining(vipStudio, DAY, '19:00', c)).toBe(1);
    await booked(c!, vipStudio, at(DAY, '19:00'));
    await expectMysqlWithinCapacity(vipStudio);
  });
});
