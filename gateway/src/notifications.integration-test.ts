import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { createSalon, type SalonFixture } from '../../db/testing/fixtures.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/**
 * Notifications through the whole stack: booking events → planner → sweeper
 * → notify workers → the fake WeChat (subscribe messages, one-time consents)
 * and the fake Tencent SMS (real SDK, TC3 signatures) → delivery callbacks.
 * Test "now" is 2026-12-01 08:00 Shanghai on the manual clock.
 */
let stack: TestStack;
let salon: SalonFixture;
let other: SalonFixture;
let owner: string;
let otherOwner: string;

const MINUTE = 60_000;
const TOMORROW = '2026-12-02';
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00+08:00`;
const key = (() => {
  let n = 0;
  return () => `notify-key-${String(++n).padStart(5, '0')}`;
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

async function book(token: string, startAt: string, store = salon) {
  const accepted = await stack.request('POST', '/v1/bookings', { token, headers: { 'idempotency-key': key() }, body: { storeId: store.storeId, serviceId: store.haircutId, startAt } });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  return waitForOutcome(stack, token, accepted.body.bookingId);
}

const rowsOf = (bookingId: string) => stack.env.db.selectFrom('notifications').selectAll().where('booking_id', '=', bookingId).orderBy('id').execute();
const row = async (bookingId: string, kind: string, channel: 'push' | 'inapp') => (await rowsOf(bookingId)).find((r) => r.kind === kind && r.channel === channel);
const settled = (bookingId: string, kind: string, channel: 'push' | 'inapp') =>
  until(`${kind}/${channel} of ${bookingId} settled`, async () => {
    const r = await row(bookingId, kind, channel);
    return r && ['SENT', 'DELIVERED', 'FAILED', 'SKIPPED'].includes(r.status) ? r : undefined;
  });

async function customerWithPhone(user: string, phone: string): Promise<string> {
  const token = await stack.login(user);
  const bound = await stack.request('POST', '/v1/me/phone', { token, body: { code: stack.wechat.issuePhoneCode(phone) } });
  expect(bound.status).toBe(200);
  return token;
}

beforeAll(async () => {
  stack = await startTestStack('notify');
  const now = stack.env.clock.now();
  salon = await createSalon(stack.env.db, now, { stylists: 3, perCustomerDailyLimit: 10, name: '通知发廊' });
  other = await createSalon(stack.env.db, now, { stylists: 1, name: '隔壁发廊' });
  for (const storeId of [salon.storeId, other.storeId]) await materializeStore(stack.env, storeId);
  const passwordHash = await hashPassword('pw-123456');
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: null, username: 'n-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId: other.merchantId, storeId: null, username: 'n-other', displayName: 'o', passwordHash, role: 'owner' }, now);
  owner = await stack.staffLogin('n-owner', 'pw-123456');
  otherOwner = await stack.staffLogin('n-other', 'pw-123456');
});

afterAll(async () => {
  await stack?.stop();
});

describe('planning from booking events', () => {
  it('when a booking is confirmed, then the customer, the merchant and two reminders are planned; in-app notices arrive; no channel means SKIPPED with the reason', async () => {
    const ann = await stack.login('n-ann');
    const booking = await book(ann, at(TOMORROW, '10:00'));
    const confirmed = await settled(booking.bookingId, 'BOOKING_CONFIRMED', 'push');
    expect([confirmed.status, confirmed.reason]).toEqual(['SKIPPED', 'NO_CHANNEL']);
    await settled(booking.bookingId, 'BOOKING_CONFIRMED', 'inapp');
    const rows = await rowsOf(booking.bookingId);
    const reminders = rows.filter((r) => r.kind === 'REMINDER');
    // 24 h and 2 h before 10:00 tomorrow, each as a push and an in-app notice.
    expect(reminders.map((r) => [r.channel, r.due_at.toISOString()]).sort()).toEqual(
      [
        ['inapp', '2026-12-01T02:00:00.000Z'],
        ['inapp', '2026-12-02T00:00:00.000Z'],
        ['push', '2026-12-01T02:00:00.000Z'],
        ['push', '2026-12-02T00:00:00.000Z'],
      ].sort(),
    );
    expect(reminders.every((r) => r.status === 'PENDING')).toBe(true);

    const notices = (await stack.request('GET', '/v1/me/notices', { token: ann })).body;
    expect(notices.unread).toBe(1);
    expect(notices.notices[0]).toMatchObject({ kind: 'BOOKING_CONFIRMED', title: '预约成功', read: false });
    expect(notices.notices[0].body).toContain('通知发廊');
    expect(notices.notices[0].body).toContain('12月02日 10:00');
    const merchantNotices = await until('merchant notice', async () => {
      const list = (await stack.request('GET', '/v1/merchant/notices', { token: owner })).body;
      return list.notices.find((n: any) => n.bookingId === booking.bookingId && n.kind === 'NEW_BOOKING') ? list : undefined;
    });
    expect(merchantNotices.unread).toBeGreaterThanOrEqual(1);
    expect((await stack.request('GET', '/v1/merchant/notices', { token: otherOwner })).body.notices.some((n: any) => n.bookingId === booking.bookingId)).toBe(false);

    const read = await stack.request('POST', '/v1/me/notices/read', { token: ann, body: { all: true } });
    expect(read.body).toEqual({ marked: 1, unread: 0 });
    const foreign = await stack.request('POST', '/v1/merchant/notices/read', { token: otherOwner, body: { ids: [merchantNotices.notices[0].id] } });
    expect(foreign.body.marked).toBe(0);
  });
});

describe('channels', () => {
  it('when the customer has a phone and no consent, then the push goes by SMS with the template parameters, and the delivery report marks it DELIVERED', async () => {
    const ben = await customerWithPhone('n-ben', '13900001111');
    const booking = await book(ben, at(TOMORROW, '11:00'));
    const sent = await settled(booking.bookingId, 'BOOKING_CONFIRMED', 'push');
    expect([sent.status, sent.channel_used]).toEqual(['SENT', 'sms']);
    const message = stack.sms.sent().find((m) => m.sessionContext === `n${sent.id}`)!;
    expect(message).toMatchObject({ phone: '+8613900001111', templateId: '2100002', params: ['通知发廊·一店', '洗剪吹', '12月02日 11:00'] });
    expect(sent.provider_ref).toBe(message.serialNo);
    stack.sms.deliver(message.serialNo, 'SUCCESS');
    await until('delivered', async () => (await row(booking.bookingId, 'BOOKING_CONFIRMED', 'push'))?.status === 'DELIVERED');
  });

  it('when the customer accepted a subscribe template, then that push goes as a subscribe message using the one consent; the next falls back to SMS', async () => {
    const cat = await customerWithPhone('n-cat', '13900002222');
    const subs = (await stack.request('GET', '/v1/me/subscriptions', { token: cat })).body.templates;
    expect(subs.find((t: any) => t.kind === 'BOOKING_CONFIRMED')).toEqual({ kind: 'BOOKING_CONFIRMED', templateId: 'tmpl-confirmed', remaining: 0 });
    const bad = await stack.request('POST', '/v1/me/subscriptions', { token: cat, body: { accepted: ['tmpl-nope'] } });
    expect(bad.status).toBe(400);
    // The user tapped 允许 in wx.requestSubscribeMessage: WeChat holds one consent, and so do we.
    stack.wechat.grantConsent(stack.wechat.openidFor('n-cat'), 'tmpl-confirmed', 1);
    const accepted = await stack.request('POST', '/v1/me/subscriptions', { token: cat, body: { accepted: ['tmpl-confirmed'] } });
    expect(accepted.body.remaining).toEqual({ BOOKING_CONFIRMED: 1 });

    const first = await book(cat, at(TOMORROW, '12:00'));
    const viaSubscribe = await settled(first.bookingId, 'BOOKING_CONFIRMED', 'push');
    expect([viaSubscribe.status, viaSubscribe.channel_used]).toEqual(['SENT', 'subscribe']);
    const message = stack.wechat.sentMessages().find((m) => m.page?.includes(`n=${viaSubscribe.id}`))!;
    expect(message).toMatchObject({ templateId: 'tmpl-confirmed', touser: stack.wechat.openidFor('n-cat') });
    expect(message.data).toMatchObject({ thing1: '洗剪吹', thing2: '通知发廊·一店', time3: '2026年12月02日 12:00' });

    const second = await book(cat, at(TOMORROW, '15:00'));
    const viaSms = await settled(second.bookingId, 'BOOKING_CONFIRMED', 'push');
    expect([viaSms.status, viaSms.channel_used]).toEqual(['SENT', 'sms']);
    const ledger = await stack.env.db.selectFrom('subscribe_consent_events').select(['delta', 'notification_id']).where('kind', '=', 'BOOKING_CONFIRMED').orderBy('id').execute();
    expect(ledger.filter((e) => e.notification_id === viaSubscribe.id).map((e) => e.delta)).toEqual([-1]);
  });

  it('when our ledger says there is a consent but WeChat answers 43101, then we believe WeChat and fall back to SMS', async () => {
    const dee = await customerWithPhone('n-dee', '13900003333');
    await stack.request('POST', '/v1/me/subscriptions', { token: dee, body: { accepted: ['tmpl-confirmed'] } });
    const booking = await book(dee, at(TOMORROW, '13:00'));
    const sent = await settled(booking.bookingId, 'BOOKING_CONFIRMED', 'push');
    expect([sent.status, sent.channel_used]).toEqual(['SENT', 'sms']);
    const remaining = (await stack.request('GET', '/v1/me/subscriptions', { token: dee })).body.templates.find((t: any) => t.kind === 'BOOKING_CONFIRMED').remaining;
    expect(remaining).toBe(0);
  });

  it('when the customer opted out of SMS, then a push with no consent is SKIPPED as OPTED_OUT', async () => {
    const eve = await customerWithPhone('n-eve', '13900004444');
    const optOut = await stack.request('PUT', '/v1/me/notification-preferences', { token: eve, body: { merchantId: salon.merchantId, channel: 'sms', optedOut: true } });
    expect(optOut.body.optOuts).toEqual([{ merchantId: salon.merchantId, channel: 'sms' }]);
    const booking = await book(eve, at(TOMORROW, '14:00'));
    const skipped = await settled(booking.bookingId, 'BOOKING_CONFIRMED', 'push');
    expect([skipped.status, skipped.reason]).toEqual(['SKIPPED', 'OPTED_OUT']);
    expect(stack.sms.sent().some((m) => m.phone === '+8613900004444')).toBe(false);
    const bad = await stack.request('PUT', '/v1/me/notification-preferences', { token: eve, body: { channel: 'fax', optedOut: true } });
    expect(bad.status).toBe(400);
  });
});

describe('merchant wording, timing and statistics', () => {
  it('when the merchant words a notice with variables, then the preview and the sent notice use it; unknown variables are refused', async () => {
    const refused = await stack.request('PUT', '/v1/merchant/notification-templates/BOOKING_CONFIRMED', { token: owner, body: { title: '约好啦', body: '{nickname} 你好' } });
    expect([refused.status, refused.body.error.issues[0].message]).toEqual([400, '不支持的变量 {nickname}']);
    const body = '{storeName}期待您 {startTime} 光临，核销码 {checkinCode}';
    const preview = await stack.request('POST', '/v1/merchant/notification-templates/BOOKING_CONFIRMED/preview', { token: owner, body: { title: '约好啦', body } });
    expect(preview.body.inApp).toEqual({ title: '约好啦', body: '通知发廊·一店期待您 12月02日 10:00 光临，核销码 123456' });
    expect(preview.body.sms).toEqual({ templateId: '2100002', params: ['通知发廊·一店', '洗剪吹', '12月02日 10:00'] });
    expect(preview.body.subscribe.data.thing4.length).toBeLessThanOrEqual(20);
    expect((await stack.request('PUT', '/v1/merchant/notification-templates/BOOKING_CONFIRMED', { token: owner, body: { title: '约好啦', body } })).status).toBe(200);

    const fay = await stack.login('n-fay');
    const booking = await book(fay, at(TOMORROW, '16:00'));
    await settled(booking.bookingId, 'BOOKING_CONFIRMED', 'inapp');
    const notice = (await stack.request('GET', '/v1/me/notices', { token: fay })).body.notices[0];
    const code = (await stack.request('GET', `/v1/bookings/${booking.bookingId}`, { token: fay })).body.checkinCode;
    expect(notice).toMatchObject({ title: '约好啦', body: `通知发廊·一店期待您 12月02日 16:00 光临，核销码 ${code}` });
    const listed = (await stack.request('GET', '/v1/merchant/notification-templates', { token: owner })).body.templates;
    expect(listed.find((t: any) => t.kind === 'BOOKING_CONFIRMED')).toMatchObject({ custom: true, title: '约好啦' });
    expect(listed.find((t: any) => t.kind === 'REMINDER')).toMatchObject({ custom: false, title: '预约提醒' });
  });

  it('when a booking is cancelled, then its reminders are SKIPPED when due, and the due reminders of live bookings go out', async () => {
    const gus = await customerWithPhone('n-gus', '13900005555');
    const hal = await customerWithPhone('n-hal', '13900006666');
    const kept = await book(gus, at(TOMORROW, '17:00'));
    const dropped = await book(hal, at(TOMORROW, '18:00'));
    await settled(dropped.bookingId, 'BOOKING_CONFIRMED', 'push');
    expect((await stack.request('POST', `/v1/bookings/${dropped.bookingId}/cancel`, { token: hal, body: {} })).status).toBe(200);
    await until('cancellation planned', async () => (await row(dropped.bookingId, 'BOOKING_CANCELLED', 'inapp')) !== undefined);
    // 24 h before 17:00 and 18:00 tomorrow is today 17:00 and 18:00.
    stack.env.clock.set(Date.parse(at('2026-12-01', '18:00')));
    const reminder = await settled(kept.bookingId, 'REMINDER', 'push');
    expect([reminder.status, reminder.channel_used]).toEqual(['SENT', 'sms']);
    expect(stack.sms.sent().find((m) => m.sessionContext === `n${reminder.id}`)?.templateId).toBe('2100005');
    const skipped = await settled(dropped.bookingId, 'REMINDER', 'push');
    expect([skipped.status, skipped.reason]).toEqual(['SKIPPED', 'BOOKING_CANCELLED']);
  });

  it('when a booking is moved, then the customer is told and reminders follow the new time; the old ones are skipped', async () => {
    const kit = await customerWithPhone('n-kit', '13900009999');
    const booking = await book(kit, at(TOMORROW, '19:30'));
    await settled(booking.bookingId, 'BOOKING_CONFIRMED', 'push');
    const moved = await stack.request('POST', `/v1/bookings/${booking.bookingId}/reschedule`, { token: kit, body: { startAt: at('2026-12-03', '11:00') } });
    expect(moved.status).toBe(200);
    const changed = await settled(booking.bookingId, 'BOOKING_CHANGED', 'push');
    expect([changed.status, changed.channel_used]).toEqual(['SENT', 'sms']);
    expect(stack.sms.sent().find((m) => m.sessionContext === `n${changed.id}`)?.params).toEqual(['通知发廊·一店', '洗剪吹', '12月03日 11:00']);
    const reminders = (await rowsOf(booking.bookingId)).filter((r) => r.kind === 'REMINDER' && r.channel === 'push');
    const newStart = Date.parse(at('2026-12-03', '11:00'));
    expect(reminders.filter((r) => JSON.parse(r.variables).startMs === newStart)).toHaveLength(2);
    // The old reminders (19:30 today, 17:30 tomorrow) fall due: they must not go out.
    stack.env.clock.set(Date.parse(at(TOMORROW, '17:31')));
    const old = await until('old reminder settled', async () => {
      const rows = (await rowsOf(booking.bookingId)).filter((r) => r.kind === 'REMINDER' && r.channel === 'push' && JSON.parse(r.variables).startMs !== newStart);
      return rows.every((r) => r.status === 'SKIPPED') && rows.length > 0 ? rows : undefined;
    });
    expect(old.every((r) => r.reason === 'BOOKING_MOVED')).toBe(true);
    stack.env.clock.set(Date.parse(at('2026-12-01', '19:00')));
  });

  it('when an SMS falls in quiet hours, then it waits for the morning, unless the appointment is before the morning', async () => {
    const settings = await stack.request('PUT', '/v1/merchant/notification-settings', {
      token: owner,
      body: { reminderOffsetsMinutes: [120], quietHours: { startMinute: 21 * 60, endMinute: 10 * 60 }, reviewDelayMinutes: 60, digestMinute: 20 * 60, smsEnabled: true, subscribeEnabled: true },
    });
    expect(settings.status).toBe(200);
    stack.env.clock.set(Date.parse(at('2026-12-01', '22:00')));
    const ivy = await customerWithPhone('n-ivy', '13900007777');
    const jon = await customerWithPhone('n-jon', '13900008888');
    const later = await book(ivy, at(TOMORROW, '19:00'));
    const early = await book(jon, at(TOMORROW, '09:30'));
    const waiting = await until('deferred', async () => {
      const r = await row(later.bookingId, 'BOOKING_CONFIRMED', 'push');
      return r?.reason === 'QUIET_HOURS' ? r : undefined;
    });
    expect([waiting.status, waiting.due_at.toISOString()]).toEqual(['PENDING', '2026-12-02T02:00:00.000Z']);
    const now = await settled(early.bookingId, 'BOOKING_CONFIRMED', 'push');
    expect([now.status, now.channel_used]).toEqual(['SENT', 'sms']);
    stack.env.clock.set(Date.parse(at(TOMORROW, '10:01')));
    const morning = await settled(later.bookingId, 'BOOKING_CONFIRMED', 'push');
    expect(morning.status).toBe('SENT');
  });

  it('when the manager asks for statistics, then sends, deliveries, failures and skips are counted by channel and reason', async () => {
    owner = await stack.staffLogin('n-owner', 'pw-123456');
    otherOwner = await stack.staffLogin('n-other', 'pw-123456');
    const stats = await stack.request('GET', `/v1/merchant/notification-stats?from=2026-12-01&to=${TOMORROW}`, { token: owner });
    expect(stats.status).toBe(200);
    const { sms, inapp, none } = stats.body.channels;
    expect(sms.sent + sms.delivered).toBeGreaterThanOrEqual(5);
    expect(sms.delivered).toBeGreaterThanOrEqual(1);
    expect(inapp.delivered).toBeGreaterThanOrEqual(5);
    expect(none.skippedByReason).toMatchObject({ NO_CHANNEL: expect.any(Number), OPTED_OUT: expect.any(Number), BOOKING_CANCELLED: expect.any(Number), BOOKING_MOVED: expect.any(Number) });
    expect(stats.body.channels.subscribe.sent).toBe(1);
    const foreign = (await stack.request('GET', `/v1/merchant/notification-stats?from=2026-12-01&to=${TOMORROW}`, { token: otherOwner })).body;
    expect(foreign.channels).toEqual({});
  });

  it('when a store’s evening comes, then the merchant gets tomorrow’s digest once', async () => {
    stack.env.clock.set(Date.parse(at(TOMORROW, '20:05')));
    const { planDigests } = await import('../../core/src/lifecycle/notify-digest.ts');
    const first = await planDigests(stack.env);
    expect(first).toBeGreaterThanOrEqual(1);
    expect(await planDigests(stack.env)).toBe(0);
    const notice = await until('digest notice', async () => {
      const list = (await stack.request('GET', '/v1/merchant/notices', { token: await stack.staffLogin('n-owner', 'pw-123456') })).body;
      return list.notices.find((n: any) => n.kind === 'DAILY_DIGEST');
    });
    expect(notice.title).toBe('明日预约汇总');
    expect(notice.body).toMatch(/2026-12-03 共有 \d+ 个预约/);

    // Monday evening: the weekly report of the seven days before joins the digest.
    stack.env.clock.set(Date.parse(at('2026-12-07', '20:05')));
    await planDigests(stack.env);
    const weekly = await stack.env.db.selectFrom('notifications').select(['kind', 'variables']).where('kind', '=', 'WEEKLY_REPORT').where('store_id', '=', salon.storeId).execute();
    expect(weekly).toHaveLength(1);
    expect(JSON.parse(weekly[0]!.variables)).toMatchObject({ date: '2026-12-07', count: expect.any(Number), amountFen: expect.any(Number) });
    expect(await planDigests(stack.env)).toBe(0);
  });
});
