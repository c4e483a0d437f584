import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingIdFactory } from '../../core/src/ids.ts';
import { acceptBooking } from '../../core/src/lifecycle/accept.ts';
import { cancelBooking } from '../../core/src/lifecycle/cancel.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { startPayment } from '../../core/src/lifecycle/start-payment.ts';
import { payAtStore } from '../../core/src/payments/policy.ts';
import { zonedToInstant } from '../../core/src/time/zoned.ts';
import { loadStoreCatalog } from '../../db/src/repositories/catalog.repository.ts';
import { upsertCustomerByOpenid } from '../../db/src/repositories/customer.repository.ts';
import { upsertPolicy } from '../../db/src/repositories/payment.repository.ts';
import { createClassStudio } from '../../db/testing/fixtures.ts';
import { killProcess, workerProcesses } from '../testing/worker-processes.ts';
import { stackEnv, startTestStack, type TestStack } from '../../gateway/testing/test-stack.ts';
import { JobNames, Queues, settlementJobIds, settlementJobOptions } from './jobs/contracts.ts';

/**
 * The money invariants under fire: 500 prepaid bookings are paid while the
 * settlement worker process is SIGKILLed again and again, WeChat Pay fails 5 %
 * of calls, some notifies arrive twice and some never (the query path must
 * find those), and 50 paid bookings are cancelled (refunds) in the middle.
 * Afterwards every paid booking is CONFIRMED or REFUNDED, nothing is charged
 * or refunded twice, and the ledger balances with WeChat's records to the fen.
 */
const BOOKINGS = 500;
const CANCELLED = 50;
const KILLS = 6;
const PRICE_FEN = 6_900;

let stack: TestStack;
let queue: Queue;
const processes = workerProcesses();

function startSettlementWorker(): ChildProcess {
  return processes.start(
    stackEnv(stack.env, {
      ...stack.payEnv,
      WORKER_ROLES: 'settlement',
      WORKER_HTTP_PORT: '0',
      SETTLEMENT_CONCURRENCY: '4',
      // Short locks and leases, so a killed worker's jobs and leadership come back within seconds.
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      LEADER_LEASE_MS: '2000',
      PAYMENT_QUERY_AFTER_MS: '0',
      PAYMENT_QUERY_CRON: '*/2 * * * * *',
      PAYMENT_DEADLINE_CRON: '* * * * * *',
      BILL_RECONCILE_CRON: '0 0 0 1 1 *',
      // The same frozen instant as the test's clock and the fake's signatures.
      CLOCK_MODE: 'fixed',
      CLOCK_AT: new Date(stack.env.clock.now()).toISOString(),
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  // Gateway (receives the notifies) and persist workers in-process; settlement only in the child processes we kill.
  stack = await startTestStack('pay-chaos', { workerEnv: { WORKER_ROLES: 'persist,maintenance' }, pay: { refundSettleDelayMs: 100 } });
  queue = new Queue(Queues.settlement, { connection: stack.env.redis.duplicate({ maxRetriesPerRequest: null }), prefix: stack.env.keys.queuePrefix });
});

afterAll(async () => {
  await processes.killAll();
  await queue?.close();
  await stack?.stop();
});

describe('settlement under worker kills', () => {
  it(`when the settlement worker is killed ${KILLS} times during ${BOOKINGS} paid bookings, then each ends CONFIRMED or REFUNDED and the ledger balances to the fen`, async () => {
    const env = stack.env;
    const now = env.clock.now();
    const studio = await createClassStudio(env.db, now, { capacity: BOOKINGS + 20, perCustomerDailyLimit: 0 });
    await env.db.updateTable('services').set({ price_fen: PRICE_FEN }).where('id', '=', studio.classId).execute();
    await upsertPolicy(env.db, studio.merchantId, studio.classId, { ...payAtStore, mode: 'full', paymentWindowMinutes: 60 }, now);
    await materializeStore(env, studio.storeId);
    const catalog = (await loadStoreCatalog(env.db, studio.storeId))!;
    const startMs = zonedToInstant('2026-12-03', 18 * 60, 'Asia/Shanghai');

    // Accept and persist every booking (AWAITING_PAYMENT), then open its WeChat order.
    const customers: number[] = [];
    for (let i = 0; i < BOOKINGS; i++) customers.push(await upsertCustomerByOpenid(env.db, `chaos-payer-${i}`, null, now));
    const accept = { ...env, newBookingId: bookingIdFactory(env.clock), requestRebuild: async () => undefined };
    const bookingIds = await Promise.all(
      customers.map(async (customerId, i) => (await acceptBooking(accept, catalog, { customerId, storeId: studio.storeId, serviceId: studio.classId, startMs, partySize: 1, note: '', idempotencyKey: `chaos-pay-${i}` })).bookingId),
    );
    await waitUntil('all persisted', async () => {
      const rows = await env.db.selectFrom('bookings').select('status').where('id', 'in', bookingIds).execute();
      return rows.length === BOOKINGS && rows.every((r) => r.status === 'AWAITING_PAYMENT');
    });
    const money = { ...env, provider: stack.gateway.deps.payments!.provider };
    const orders: string[] = [];
    for (let i = 0; i < BOOKINGS; i++) {
      const started = await startPayment(money, { kind: 'customer', customerId: customers[i]! }, bookingIds[i]!);
      if (started.kind !== 'pay') throw new Error(`booking ${bookingIds[i]} not payable`);
      orders.push(started.outTradeNo);
    }

    // Chaos: a settlement worker that keeps dying, a provider that fails 5 % of calls.
    stack.pay.setFailRate(0.05, 20261201);
    let worker = startSettlementWorker();
    let kills = 0;
    let chaos = true;
    const killer = (async () => {
      while (chaos && kills < KILLS) {
        await sleep(700 + Math.floor(Math.random() * 800));
        await killProcess(worker);
        kills++;
        worker = startSettlementWorker();
      }
    })();

    // Payers pay in waves: every 10th notify is duplicated, every 7th never arrives (the query path must find it).
    for (let i = 0; i < BOOKINGS; i++) {
      stack.pay.pay(orders[i]!, { notify: i % 7 === 3 ? 'none' : i % 10 === 0 ? 'duplicate' : 'normal' });
      if (i % 50 === 49) await sleep(150);
    }
    // Cancel 50 as soon as they are confirmed (more than 24 h ahead: free, full refund), while the kills go on.
    const toCancel = bookingIds.slice(0, CANCELLED * 2).filter((_, i) => i % 2 === 0);
    const refundIds: number[] = [];
    await waitUntil('the bookings to cancel are confirmed', async () => {
      const rows = await env.db.selectFrom('bookings').select('status').where('id', 'in', toCancel).execute();
      return rows.every((r) => r.status === 'CONFIRMED');
    });
    for (const bookingId of toCancel) {
      const customerId = customers[bookingIds.indexOf(bookingId)]!;
      const result = await cancelBooking(env, { kind: 'customer', customerId }, bookingId, 'CUSTOMER_REQUEST');
      refundIds.push(...result.refundIds);
      for (const refundId of result.refundIds) {
        await queue.add(JobNames.issueRefund, { kind: 'refund', refundId }, { ...settlementJobOptions, jobId: settlementJobIds.refund(refundId, 0) });
      }
    }
    expect(refundIds).toHaveLength(CANCELLED);
    chaos = false;
    await killer;
    stack.pay.setFailRate(0);

    await waitUntil(
      'every paid booking is confirmed or refunded',
      async () => {
        const pending = await env.db
          .selectFrom('bookings as b')
          .leftJoin('refunds as r', 'r.booking_id', 'b.id')
          .select(sql<number>`COUNT(*)`.as('n'))
          .where('b.id', 'in', bookingIds)
          .where((eb) => eb.not(eb.or([eb('b.status', '=', 'CONFIRMED'), eb.and([eb('b.status', '=', 'CANCELLED'), eb('r.status', '=', 'SUCCESS')])])))
          .executeTakeFirstOrThrow();
        return Number(pending.n) === 0;
      },
      180_000,
    );

    // ── the invariants ──────────────────────────────────────────────────────────
    const rows = await env.db.selectFrom('bookings').select(['id', 'status']).where('id', 'in', bookingIds).execute();
    const confirmed = rows.filter((r) => r.status === 'CONFIRMED').length;
    const cancelled = rows.filter((r) => r.status === 'CANCELLED').length;
    expect([confirmed, cancelled]).toEqual([BOOKINGS - CANCELLED, CANCELLED]);

    const ourOrders = await env.db.selectFrom('payment_orders').selectAll().where('booking_id', 'in', bookingIds).execute();
    expect(ourOrders.every((o) => o.status === 'PAID' && o.amount_fen === PRICE_FEN)).toBe(true);
    expect(new Set(ourOrders.map((o) => o.transaction_id)).size).toBe(BOOKINGS);

    const ledger = await env.db.selectFrom('ledger_entries').selectAll().where('merchant_id', '=', studio.merchantId).execute();
    const payments = ledger.filter((e) => e.kind === 'PAYMENT');
    const refunds = ledger.filter((e) => e.kind === 'REFUND');
    expect(payments).toHaveLength(BOOKINGS);
    expect(new Set(payments.map((e) => e.payment_order_id)).size).toBe(BOOKINGS);
    expect(refunds).toHaveLength(CANCELLED);

    const provider = stack.pay.records();
    const paidAtProvider = provider.orders.filter((o) => orders.includes(o.outTradeNo) && o.transactionId !== undefined);
    const refundedAtProvider = provider.refunds.filter((r) => orders.includes(r.outTradeNo));
    expect(paidAtProvider).toHaveLength(BOOKINGS);
    expect(refundedAtProvider).toHaveLength(CANCELLED);
    const providerNet = paidAtProvider.reduce((s, o) => s + o.amountFen, 0) - refundedAtProvider.reduce((s, r) => s + r.refundFen, 0);
    const ledgerNet = ledger.reduce((s, e) => s + e.amount_fen, 0);
    expect(ledgerNet).toBe(providerNet);
    expect(ledgerNet).toBe((BOOKINGS - CANCELLED) * PRICE_FEN);

    const over = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM inventory_cells WHERE booked > capacity`.execute(env.db);
    expect(Number(over.rows[0]!.n)).toBe(0);
    const notifies = await env.db.selectFrom('payment_notifications').select((eb) => [eb.fn.countAll<number>().as('events'), eb.fn.sum<number>('deliveries').as('deliveries')]).executeTakeFirstOrThrow();
    const byQuery = await env.db
      .selectFrom('booking_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('booking_id', 'in', bookingIds)
      .where('type', '=', 'PAYMENT_RECEIVED')
      .where('actor', '=', 'system:payment-query')
      .executeTakeFirstOrThrow();
    // Every 7th payer's notify never came: only the query path can have settled those.
    expect(Number(byQuery.n)).toBeGreaterThanOrEqual(Math.floor((BOOKINGS + 3) / 7));
    console.table({
      'paid bookings': BOOKINGS,
      'worker kills': kills,
      confirmed,
      'cancelled + refunded': cancelled,
      'notify events / deliveries': `${notifies.events} / ${notifies.deliveries}`,
      'settled by the query path': Number(byQuery.n),
      'ledger net (fen)': ledgerNet,
      'provider net (fen)': providerNet,
    });
  }, 300_000);
});
