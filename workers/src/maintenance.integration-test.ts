import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingIdFactory } from '../../core/src/ids.ts';
import { type AcceptDeps, acceptBooking } from '../../core/src/lifecycle/accept.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { createLogger } from '../../core/src/logging.ts';
import { zonedToInstant } from '../../core/src/time/zoned.ts';
import { findBooking } from '../../db/src/repositories/booking.repository.ts';
import { loadStoreCatalog } from '../../db/src/repositories/catalog.repository.ts';
import { hasEpoch } from '../../db/redis/inventory.ts';
import { createClassStudio, type ClassFixture } from '../../db/testing/fixtures.ts';
import { createTestEnv, type TestEnv } from '../../db/testing/test-env.ts';
import { stackEnv } from '../../gateway/testing/test-stack.ts';
import { loadWorkerConfig } from './config.ts';
import { LeaderLease } from './maintenance/leader-lease.ts';
import { type RunningWorkers, startWorkers } from './main.ts';

/**
 * The maintenance pool as it runs: node-cron ticks under the Redis leader
 * lease, against the real services. Only the maintenance role runs here, so
 * nothing persists bookings and expiry is what happens to them.
 */
let env: TestEnv;
let studio: ClassFixture;
let workers: RunningWorkers;
let deps: AcceptDeps;

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  env = await createTestEnv('maint');
  studio = await createClassStudio(env.db, env.clock.now(), { capacity: 3, perCustomerDailyLimit: 0 });
  await materializeStore(env, studio.storeId);
  deps = { ...env, newBookingId: bookingIdFactory(env.clock), requestRebuild: async () => {} };
  workers = await startWorkers(
    loadWorkerConfig(
      stackEnv(env, { WORKER_ROLES: 'maintenance', WORKER_HTTP_PORT: '0', SWEEP_CRON: '* * * * * *', RECONCILE_CRON: '* * * * * *', MATERIALIZE_CRON: '0 0 0 1 1 *', LEADER_LEASE_MS: '2000' }),
    ),
    { clock: env.clock, log: createLogger({ name: 'test', level: 'silent' }) },
  );
});

afterAll(async () => {
  await workers?.stop();
  await env?.cleanup();
});

describe('leader lease', () => {
  it('when two instances compete, then exactly one leads, and the other takes over once the leader lets go', async () => {
    const key = env.keys.lease('test');
    const a = new LeaderLease(env.redis, key, 1000);
    const b = new LeaderLease(env.redis, key, 1000);
    await a.start();
    await b.start();
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    await a.stop();
    await waitUntil('b takes the lease', async () => b.isLeader, 3000);
    expect(b.isLeader).toBe(true);
    await b.stop();
  });
});

describe('release-expired on cron', () => {
  it('when a hold is never persisted and its deadline passes, then the sweeper ends it EXPIRED and frees the seat', async () => {
    const start = zonedToInstant('2026-12-02', 18 * 60, 'Asia/Shanghai');
    const catalog = (await loadStoreCatalog(env.db, studio.storeId))!;
    const accepted = await acceptBooking(deps, catalog, { customerId: 1, storeId: studio.storeId, serviceId: studio.classId, startMs: start, partySize: 1, note: '', idempotencyKey: 'maint-expire-1' });
    const booked = () => env.redis.hget(env.keys.store(studio.storeId).booked('2026-12-02'), `${studio.studioId}:${start / 60_000}`);
    expect(await booked()).toBe('1');
    env.clock.advance(16 * 60_000); // past the 15-minute hold
    await waitUntil('the booking is EXPIRED', async () => (await findBooking(env.db, accepted.bookingId))?.status === 'EXPIRED');
    expect(await booked()).toBe('0');
  });
});

describe('reconcile on cron', () => {
  it('when a store loses its Redis epoch, then the next tick rebuilds it from MySQL', async () => {
    await env.redis.del(env.keys.store(studio.storeId).epoch, env.keys.store(studio.storeId).capacity('2026-12-02'));
    await waitUntil('the epoch is back', () => hasEpoch(env.redis, env.keys, studio.storeId));
    const capacity = await env.redis.hget(env.keys.store(studio.storeId).capacity('2026-12-02'), `${studio.studioId}:${zonedToInstant('2026-12-02', 18 * 60, 'Asia/Shanghai') / 60_000}`);
    expect(capacity).toBe('3');
  });
});
