import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationFacts } from '../../core/src/notifications/variables.ts';
import { encryptPhone, phoneBlindIndex } from '../../core/src/pii/phone.ts';
import { zonedToInstant } from '../../core/src/time/zoned.ts';
import { setCustomerPhone, upsertCustomerByOpenid } from '../../db/src/repositories/customer.repository.ts';
import { grantConsents, insertNotifications, setOptOut } from '../../db/src/repositories/notification.repository.ts';
import type { NewNotification } from '../../db/src/tables/notification.table.ts';
import { inTransaction } from '../../db/src/transaction.ts';
import { createFinishedBooking } from '../../db/testing/finished-bookings.ts';
import { createSalon } from '../../db/testing/fixtures.ts';
import { killProcess, workerProcesses } from '../testing/worker-processes.ts';
import { stackEnv, startTestStack, type TestStack } from '../../gateway/testing/test-stack.ts';

/**
 * The reminder promise under fire: 2,000 reminders fall due at once while the
 * fake SMS provider and the fake WeChat API each fail 5 % of calls at random
 * and the notify worker process is SIGKILLed twice mid-run. Every reminder
 * must end in exactly one terminal state, no message may reach a provider
 * twice, and at least 99.8 % of the reminders not skipped by rule must go out.
 */
const REMINDERS = 2000;
const OPTED_OUT_EVERY = 50; // 40 customers said "no SMS, no subscribe": skipped by rule
const KILLS = 2;

let stack: TestStack;
const processes = workerProcesses();

function startNotifyWorker(): ChildProcess {
  return processes.start(
    stackEnv(stack.env, {
      ...stack.notifyEnv,
      WORKER_ROLES: 'notify',
      WORKER_HTTP_PORT: '0',
      NOTIFY_CONCURRENCY: '16',
      NOTIFY_RATE_PER_SECOND: '2000',
      NOTIFY_PLAN_CRON: '* * * * * *',
      NOTIFY_SWEEP_CRON: '* * * * * *',
      DIGEST_CRON: '0 0 0 1 1 *',
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      LEADER_LEASE_MS: '2000',
      CLOCK_MODE: 'fixed',
      CLOCK_AT: new Date(stack.env.clock.now()).toISOString(),
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  // Notify only in the child processes we kill; the in-process workers keep the rest of the pipeline.
  stack = await startTestStack('notify-reliability', { workerEnv: { WORKER_ROLES: 'persist,maintenance' } });
});

afterAll(async () => {
  await processes.killAll();
  await stack?.stop();
});

describe('reminder delivery under failures and worker kills', () => {
  it(`when ${REMINDERS} reminders are due, providers fail 5 % and the worker is killed ${KILLS} times, then each ends once, none twice, and ≥ 99.8 % of those not skipped go out`, async () => {
    const env = stack.env;
    const now = env.clock.now();
    const salon = await createSalon(env.db, now, { stylists: 1, name: '提醒发廊' });
    const startMs = zonedToInstant('2026-12-02', 10 * 60, 'Asia/Shanghai');
    const keys = stack.gateway.deps.phoneKeys;

    const rows: NewNotification[] = [];
    let subscribers = 0;
    let optedOut = 0;
    for (let i = 0; i < REMINDERS; i++) {
      const openid = stack.wechat.openidFor(`reliability-${i}`);
      const customerId = await upsertCustomerByOpenid(env.db, openid, null, now);
      const phone = `139${String(10_000_000 + i).slice(-8)}`;
      await setCustomerPhone(env.db, customerId, { ...encryptPhone(phone, keys), index: phoneBlindIndex(phone, keys) });
      if (i % 2 === 0) {
        // Half accepted the reminder template: at WeChat and in our consent ledger alike.
        stack.wechat.grantConsent(openid, 'tmpl-reminder', 1);
        await inTransaction(env.db, (trx) => grantConsents(trx, customerId, ['REMINDER'], now));
        subscribers++;
      }
      if (i % OPTED_OUT_EVERY === 7) {
        await setOptOut(env.db, customerId, 0, 'all', true, now);
        optedOut++;
      }
      const bookingId = await createFinishedBooking(env.db, { merchantId: salon.merchantId, storeId: salon.storeId, serviceId: salon.haircutId, customerId, status: 'CONFIRMED', startMs });
      const facts: NotificationFacts = { storeName: '提醒发廊·一店', serviceName: '洗剪吹', startMs, timezone: 'Asia/Shanghai', amountFen: null, checkinCode: null, customerLabel: '', count: null, date: null };
      rows.push({
        dedupe_key: `rem:${bookingId}:${startMs}:120:push`,
        merchant_id: salon.merchantId,
        store_id: salon.storeId,
        booking_id: bookingId,
        audience: 'customer',
        customer_id: customerId,
        kind: 'REMINDER',
        channel: 'push',
        channel_used: null,
        status: 'PENDING',
        reason: null,
        variables: JSON.stringify(facts),
        due_at: new Date(now - 60_000),
        provider_ref: null,
        sending_at: null,
        sent_at: null,
        delivered_at: null,
        created_at: new Date(now),
        updated_at: new Date(now),
      });
    }
    expect(await insertNotifications(env.db, rows)).toBe(REMINDERS);

    stack.sms.failRate(0.05, 20261201);
    stack.wechat.setFailRate(0.05, 20261202);
    stack.sms.autoDeliver({ successRate: 1, delayMs: 20 });

    const started = performance.now();
    let worker = startNotifyWorker();
    for (let k = 0; k < KILLS; k++) {
      // Kill once sending is well under way, while jobs are in flight.
      const threshold = ((k + 1) * REMINDERS) / (KILLS + 2);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const done = await env.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['SENT', 'DELIVERED', 'FAILED', 'SKIPPED']).executeTakeFirstOrThrow();
        if (Number(done.n) >= threshold || Date.now() > deadline) break;
        await sleep(20);
      }
      await killProcess(worker);
      worker = startNotifyWorker();
    }

    const deadline = Date.now() + 180_000;
    for (;;) {
      const open = await env.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['PENDING', 'QUEUED', 'SENDING']).executeTakeFirstOrThrow();
      if (Number(open.n) === 0) break;
      if (Date.now() > deadline) throw new Error(`${open.n} reminders still open`);
      await sleep(200);
    }
    const seconds = (performance.now() - started) / 1000;
    await stack.sms.callbacksIdle();
    await sleep(300);

    // ── the invariants ──────────────────────────────────────────────────────────
    const final = await env.db.selectFrom('notifications').select(['id', 'status', 'reason', 'channel_used', 'attempts']).where('kind', '=', 'REMINDER').execute();
    expect(final).toHaveLength(REMINDERS);
    const count = (pred: (r: (typeof final)[number]) => boolean) => final.filter(pred).length;
    const delivered = count((r) => r.status === 'DELIVERED');
    const sent = count((r) => r.status === 'SENT');
    const failed = final.filter((r) => r.status === 'FAILED');
    const skipped = final.filter((r) => r.status === 'SKIPPED');
    expect(delivered + sent + failed.length + skipped.length).toBe(REMINDERS);
    expect(skipped.every((r) => r.reason === 'OPTED_OUT')).toBe(true);
    expect(skipped).toHaveLength(optedOut);

    // No message reached a provider twice: SMS by SessionContext, subscribe messages by the page's notification id.
    const smsPerRow = new Map<string, number>();
    for (const m of stack.sms.sent()) smsPerRow.set(m.sessionContext, (smsPerRow.get(m.sessionContext) ?? 0) + 1);
    const wxPerRow = new Map<string, number>();
    for (const m of stack.wechat.sentMessages()) {
      const n = /[?&]n=(\d+)/.exec(m.page ?? '')?.[1] ?? '?';
      wxPerRow.set(`n${n}`, (wxPerRow.get(`n${n}`) ?? 0) + 1);
    }
    const duplicates = [...smsPerRow.values(), ...wxPerRow.values()].filter((n) => n > 1).length;
    const both = [...smsPerRow.keys()].filter((k) => wxPerRow.has(k)).length;
    if (duplicates > 0 || both > 0) {
      const suspicious = [...smsPerRow.entries(), ...wxPerRow.entries()].filter(([k, n]) => n > 1 || (smsPerRow.has(k) && wxPerRow.has(k))).map(([k]) => Number(k.slice(1)));
      console.error('duplicated rows', JSON.stringify(await env.db.selectFrom('notifications').selectAll().where('id', 'in', suspicious).execute()));
    }
    expect(duplicates).toBe(0);
    expect(both).toBe(0);
    expect(smsPerRow.size + wxPerRow.size).toBe(delivered + sent);

    const eligible = REMINDERS - skipped.length;
    const share = (delivered + sent) / eligible;
    const failedReasons = Object.entries(Object.groupBy(failed, (r) => r.reason ?? '?')).map(([reason, list]) => `${reason}×${list!.length}`);
    console.table({
      reminders: REMINDERS,
      'worker kills': KILLS,
      'skipped by rule (opted out)': skipped.length,
      'sent via subscribe': count((r) => r.channel_used === 'subscribe' && (r.status === 'SENT' || r.status === 'DELIVERED')),
      'sent via SMS': count((r) => r.channel_used === 'sms' && (r.status === 'SENT' || r.status === 'DELIVERED')),
      'delivery reports (DELIVERED)': delivered,
      'recovered after a kill (ACCEPTED_BEFORE_RESTART)': count((r) => r.reason === 'ACCEPTED_BEFORE_RESTART'),
      'retried at least once': count((r) => r.attempts > 1),
      failed: `${failed.length} ${failedReasons.join(' ')}`,
      'duplicates at providers': duplicates,
      'delivered share': `${(share * 100).toFixed(2)} %`,
      'seconds': seconds.toFixed(1),
      subscribers,
    });
    expect(share).toBeGreaterThanOrEqual(0.998);
  }, 300_000);
});
