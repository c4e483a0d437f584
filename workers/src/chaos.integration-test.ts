import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingIdFactory } from '../../core/src/ids.ts';
import { type AcceptDeps, acceptBooking } from '../../core/src/lifecycle/accept.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { reconcileStore } from '../../core/src/lifecycle/reconcile.ts';
import { zonedToInstant } from '../../core/src/time/zoned.ts';
import { loadStoreCatalog } from '../../db/src/repositories/catalog.repository.ts';
import { createRedis } from '../../db/redis/connection.ts';
import { createClassStudio } from '../../db/testing/fixtures.ts';
import { createTestEnv, deleteKeysWithPrefix, type TestEnv } from '../../db/testing/test-env.ts';
import { killProcess, workerProcesses } from '../testing/worker-processes.ts';
import { stackEnv } from '../../gateway/testing/test-stack.ts';
import { JobNames, Queues, rebuildJobId, rebuildJobOptions } from './jobs/contracts.ts';

/**
 * Fault injection against real worker processes: SIGKILL mid-batch, MySQL
 * connections killed under load, and Redis losing every key mid-run. After
 * each, the invariants are checked in MySQL: every accepted booking has
 * exactly one row, and no cell holds more than its capacity.
 */
let env: TestEnv;
let queue: Queue;
let maintenance: Queue;
let deps: AcceptDeps;
const processes = workerProcesses();
const children = processes.children;
const mysqlUser = `zy_chaos_${process.pid}`;

function startWorker(extra: Record<string, string> = {}): ChildProcess {
  return processes.start(
    stackEnv(env, {
      MYSQL_USER: mysqlUser,
      MYSQL_PASSWORD: 'chaos',
      WORKER_ROLES: 'persist',
      WORKER_HTTP_PORT: '0',
      // Short locks so a killed worker's jobs come back within seconds, not the default 30.
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      RELAY_CLAIM_AFTER_MS: '2000',
      // Small batches and one at a time, so a kill lands in the middle of the work.
      RELAY_BATCH: '8',
      PERSIST_CONCURRENCY: '1',
      CLOCK_MODE: 'fixed',
      CLOCK_AT: new Date(env.clock.now()).toISOString(),
      ...extra,
    }),
  );
}

async function rowsFor(ids: string[]): Promise<{ id: string; status: string }[]> {
  if (ids.length === 0) return [];
  return env.db.selectFrom('bookings').select(['id', 'status']).where('id', 'in', ids).execute();
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Invariants over the whole database: no cell over capacity, and `booked` = what capacity-holding bookings claim. */
async function assertNoOverbooking(): Promise<void> {
  const over = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM inventory_cells WHERE booked > capacity`.execute(env.db);
  expect(Number(over.rows[0]!.n)).toBe(0);
  const drift = await sql<{ resource_id: number; starts_at: Date; booked: number; claimed: number }>`
    SELECT ic.resource_id, ic.starts_at, ic.booked, COALESCE(SUM(CASE WHEN b.status IN ('CONFIRMED','CHECKED_IN','COMPLETED','NO_SHOW','AWAITING_PAYMENT') THEN bc.quantity ELSE 0 END), 0) AS claimed
    FROM inventory_cells ic
    LEFT JOIN booking_cells bc ON bc.resource_id = ic.resource_id AND ic.starts_at >= bc.starts_at AND ic.starts_at < bc.ends_at
    LEFT JOIN bookings b ON b.id = bc.booking_id
    GROUP BY ic.resource_id, ic.starts_at, ic.booked
    HAVING ic.booked <> claimed`.execute(env.db);
  expect(drift.rows).toEqual([]);
}

async function acceptMany(storeId: number, serviceId: number, startMs: number, count: number, firstCustomer: number): Promise<{ accepted: string[]; refused: string[] }> {
  const catalog = (await loadStoreCatalog(env.db, storeId))!;
  const accepted: string[] = [];
  const refused: string[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      try {
        const result = await acceptBooking(deps, catalog, {
          customerId: firstCustomer + i,
          storeId,
          serviceId,
          startMs,
          partySize: 1,
          note: '',
          idempotencyKey: `chaos-${firstCustomer + i}-key`,
        });
        accepted.push(result.bookingId);
      } catch (error) {
        refused.push((error as { code?: string }).code ?? String(error));
      }
    }),
  );
  return { accepted, refused };
}

beforeAll(async () => {
  env = await createTestEnv('chaos');
  await sql.raw(`CREATE USER IF NOT EXISTS '${mysqlUser}'@'%' IDENTIFIED BY 'chaos'`).execute(env.db);
  await sql.raw(`CREATE USER IF NOT EXISTS '${mysqlUser}'@'localhost' IDENTIFIED BY 'chaos'`).execute(env.db);
  for (const host of ['%', 'localhost']) await sql.raw(`GRANT ALL ON \`${env.mysql.database}\`.* TO '${mysqlUser}'@'${host}'`).execute(env.db);
  const connection = createRedis({ url: env.redisUrl, failFast: false, name: 'chaos-producer' });
  queue = new Queue(Queues.persist, { connection, prefix: env.keys.queuePrefix });
  maintenance = new Queue(Queues.maintenance, { connection, prefix: env.keys.queuePrefix });
  deps = {
    ...env,
    newBookingId: bookingIdFactory(env.clock),
    requestRebuild: async (storeId: number) => {
      await maintenance.add(JobNames.rebuildInventory, { storeId, reason: 'test' }, { ...rebuildJobOptions, jobId: rebuildJobId(storeId) });
    },
  };
});

afterAll(async () => {
  await processes.killAll();
  await queue?.close();
  await maintenance?.close();
  for (const host of ['%', 'localhost']) await sql.raw(`DROP USER IF EXISTS '${mysqlUser}'@'${host}'`).execute(env.db);
  await env?.cleanup();
});

describe('a persist worker killed mid-job', () => {
  it('when the worker is SIGKILLed while batches are in flight, then a second worker finishes: nothing lost, nothing doubled', async () => {
    const studio = await createClassStudio(env.db, env.clock.now(), { capacity: 400, perCustomerDailyLimit: 0 });
    await materializeStore(env, studio.storeId);
    const start = zonedToInstant('2026-12-02', 18 * 60, 'Asia/Shanghai');
    const { accepted } = await acceptMany(studio.storeId, studio.classId, start, 300, 10_000);
    expect(accepted).toHaveLength(300);

    const first = startWorker();
    await waitUntil('the first worker persisted some', async () => (await rowsFor(accepted)).length >= 20);
    await killProcess(first);
    const persistedAtKill = (await rowsFor(accepted)).length;
    expect(persistedAtKill).toBeLessThan(300);

    startWorker();
    await waitUntil('every accepted booking has its row', async () => (await rowsFor(accepted)).length === 300);
    await waitUntil('the queue is drained', async () => (await queue.getJobCounts('wait', 'active', 'delayed')).active === 0);
    const rows = await rowsFor(accepted);
    expect(new Set(rows.map((r) => r.id)).size).toBe(300);
    expect(rows.every((r) => r.status === 'CONFIRMED')).toBe(true);
    const events = await env.db.selectFrom('booking_events').select(['booking_id']).where('type', '=', 'CONFIRMED').where('booking_id', 'in', accepted).execute();
    expect(events).toHaveLength(300);
    const cell = await env.db.selectFrom('inventory_cells').select('booked').where('resource_id', '=', studio.studioId).where('starts_at', '=', new Date(start)).executeTakeFirstOrThrow();
    expect(cell.booked).toBe(300);
    expect((await queue.getJobCounts('failed')).failed).toBe(0);
    await assertNoOverbooking();
  });
});

describe('graceful shutdown', () => {
  it('when a worker gets SIGTERM mid-run, then it finishes the jobs in hand, exits 0, and leaves nothing stalled', async () => {
    for (const child of [...children]) await killProcess(child, 'SIGTERM');
    // Enough work that a SIGTERM soon after the first rows always finds some left, even on a loaded machine.
    const studio = await createClassStudio(env.db, env.clock.now(), { capacity: 600, perCustomerDailyLimit: 0 });
    await materializeStore(env, studio.storeId);
    const start = zonedToInstant('2026-12-02', 12 * 60, 'Asia/Shanghai');
    const { accepted } = await acceptMany(studio.storeId, studio.classId, start, 500, 50_000);
    const worker = startWorker({ RELAY_BATCH: '4' });
    await waitUntil('the worker persisted some', async () => (await rowsFor(accepted)).length >= 10);
    const exitCode = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exitCode).toBe(0);
    // Nothing was left active with a dead lock: every job is either done or back in the queue.
    const counts = await queue.getJobCounts('active', 'failed');
    expect(counts.active).toBe(0);
    expect(counts.failed).toBe(0);
    expect((await rowsFor(accepted)).length).toBeLessThan(500);
    startWorker();
    await waitUntil('the rest is persisted by the next worker', async () => (await rowsFor(accepted)).length === 500);
    await assertNoOverbooking();
  });
});

describe('MySQL connections dropped under load', () => {
  it('when every worker connection is killed repeatedly, then transactions rerun and each booking is written exactly once', async () => {
    for (const child of [...children]) await killProcess(child, 'SIGTERM');
    const studio = await createClassStudio(env.db, env.clock.now(), { capacity: 250, perCustomerDailyLimit: 0 });
    await materializeStore(env, studio.storeId);
    const start = zonedToInstant('2026-12-02', 19 * 60, 'Asia/Shanghai');
    const { accepted, refused } = await acceptMany(studio.storeId, studio.classId, start, 300, 20_000);
    expect(accepted).toHaveLength(250);
    expect(refused).toEqual(Array(50).fill('SLOT_SOLD_OUT'));

    startWorker();
    let killed = 0;
    let done = false;
    const killer = (async () => {
      while (!done) {
        const victims = await sql<{ ID: number }>`SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ${mysqlUser}`.execute(env.db);
        for (const { ID } of victims.rows) {
          await sql.raw(`KILL CONNECTION ${Number(ID)}`).execute(env.db).catch(() => undefined);
          killed++;
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    try {
      await waitUntil('every accepted booking has its row', async () => (await rowsFor(accepted)).length === 250, 90_000);
    } finally {
      done = true;
      await killer;
    }
    expect(killed).toBeGreaterThan(0);
    const rows = await rowsFor(accepted);
    expect(rows.every((r) => r.status === 'CONFIRMED')).toBe(true);
    const cell = await env.db.selectFrom('inventory_cells').select(['booked', 'capacity']).where('resource_id', '=', studio.studioId).where('starts_at', '=', new Date(start)).executeTakeFirstOrThrow();
    expect(cell).toEqual({ booked: 250, capacity: 250 });
    await assertNoOverbooking();
  });
});

describe('Redis loses everything mid-run', () => {
  it('when every key is wiped while bookings flow, then the inventory is rebuilt from MySQL and MySQL never exceeds capacity', async () => {
    for (const child of [...children]) await killProcess(child);
    const studio = await createClassStudio(env.db, env.clock.now(), { capacity: 60, perCustomerDailyLimit: 0 });
    await materializeStore(env, studio.storeId);
    const start = zonedToInstant('2026-12-02', 20 * 60, 'Asia/Shanghai');
    startWorker({ WORKER_ROLES: 'persist,maintenance', SWEEP_CRON: '0 0 0 1 1 *', RECONCILE_CRON: '0 0 0 1 1 *', MATERIALIZE_CRON: '0 0 0 1 1 *' });

    const before = await acceptMany(studio.storeId, studio.classId, start, 40, 30_000);
    expect(before.accepted).toHaveLength(40);
    await waitUntil('some of the first wave persisted', async () => (await rowsFor(before.accepted)).length >= 10);
    await deleteKeysWithPrefix(env.redis, env.prefix);

    // Requests now find no epoch: they are refused (503) and trigger a rebuild, then flow again.
    const after = { accepted: [] as string[], refused: [] as string[] };
    for (let wave = 0; wave < 40 && after.accepted.length + after.refused.filter((c) => c === 'SLOT_SOLD_OUT').length < 60; wave++) {
      const result = await acceptMany(studio.storeId, studio.classId, start, 10, 40_000 + wave * 10);
      after.accepted.push(...result.accepted);
      after.refused.push(...result.refused);
      if (result.accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(after.refused).toContain('INVENTORY_REBUILDING');
    expect(after.accepted.length).toBeGreaterThan(0);
    await waitUntil('every booking accepted after the loss has its row', async () => (await rowsFor(after.accepted)).length === after.accepted.length);

    const confirmed = await env.db
      .selectFrom('bookings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', studio.storeId)
      .where('status', '=', 'CONFIRMED')
      .executeTakeFirstOrThrow();
    expect(Number(confirmed.n)).toBeLessThanOrEqual(60);
    await assertNoOverbooking();
    // After a reconcile pass, Redis agrees with MySQL again.
    await reconcileStore(env, studio.storeId);
    const cell = await env.db.selectFrom('inventory_cells').select('booked').where('resource_id', '=', studio.studioId).where('starts_at', '=', new Date(start)).executeTakeFirstOrThrow();
    const redisBooked = await env.redis.hget(env.keys.store(studio.storeId).booked('2026-12-02'), `${studio.studioId}:${start / 60_000}`);
    expect(Number(redisBooked)).toBe(cell.booked);
  });
});
