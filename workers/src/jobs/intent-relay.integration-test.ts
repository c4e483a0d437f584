import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingIdFactory } from '../../../core/src/ids.ts';
import { type AcceptDeps, acceptBooking } from '../../../core/src/lifecycle/accept.ts';
import { materializeStore } from '../../../core/src/lifecycle/materialize.ts';
import { createLogger } from '../../../core/src/logging.ts';
import { zonedToInstant } from '../../../core/src/time/zoned.ts';
import { createRedis } from '../../../db/redis/connection.ts';
import { loadStoreCatalog } from '../../../db/src/repositories/catalog.repository.ts';
import { createClassStudio, type ClassFixture } from '../../../db/testing/fixtures.ts';
import { createTestEnv, type TestEnv } from '../../../db/testing/test-env.ts';
import { createWorkerMetrics } from '../runtime/metrics.ts';
import { Queues } from './contracts.ts';
import { IntentRelay } from './intent-relay.ts';
import type { PersistBookingsPayload } from './contracts.ts';

let env: TestEnv;
let studio: ClassFixture;
let second: ClassFixture;
let deps: AcceptDeps;
const connections: Redis[] = [];
let customer = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  env = await createTestEnv('relay');
  studio = await createClassStudio(env.db, env.clock.now(), { capacity: 500 });
  deps = { ...env, newBookingId: bookingIdFactory(env.clock), requestRebuild: async () => {} };
  await materializeStore(env, studio.storeId);
  second = await createClassStudio(env.db, env.clock.now(), { capacity: 500 });
  await materializeStore(env, second.storeId);
});

afterAll(async () => {
  for (const c of connections) c.disconnect();
  await env?.cleanup();
});

async function acceptOne(store: ClassFixture = studio): Promise<string> {
  const catalog = await loadStoreCatalog(env.db, store.storeId);
  customer += 1;
  const start = zonedToInstant('2026-12-02', 19 * 60, 'Asia/Shanghai');
  const answer = await acceptBooking(deps, catalog!, {
    storeId: store.storeId,
    serviceId: store.classId,
    customerId: customer,
    startMs: start,
    partySize: 1,
    idempotencyKey: `relay-test-${customer}`,
    note: '',
  });
  expect(answer.outcome).toBe('reserved');
  return answer.bookingId;
}

/** A relay on its own queue (own prefix per test), as workers/src/main.ts wires it. */
function startRelay(label: string, lingerMs: number, batch = 500) {
  const connection = () => {
    const c = createRedis({ url: env.redisUrl, failFast: false, name: `relay-test-${label}` });
    connections.push(c);
    return c;
  };
  const queuePrefix = `${env.keys.queuePrefix}-${label}`;
  const queue = new Queue<PersistBookingsPayload>(Queues.persist, { connection: connection(), prefix: queuePrefix });
  const relay = new IntentRelay(
    { db: env.db, blocking: connection(), redis: env.redis, keys: env.keys, queue, log: createLogger({ name: 'relay-test', level: 'silent' }), metrics: createWorkerMetrics() },
    { batch, blockMs: 200, lingerMs, claimAfterMs: 30_000 },
  );
  relay.start();
  return {
    async jobs() {
      const jobs = await queue.getJobs(['wait']);
      return jobs.map((j) => j.data.intents.map((i) => i.bookingId)).sort((a, b) => a.length - b.length);
    },
    async stop() {
      await relay.stop();
      await queue.close();
    },
  };
}

describe('intent relay (real Redis, BullMQ and MariaDB)', () => {
  it('hands a lone booking over at once, then gathers the bookings of the linger interval into one persist job', async () => {
    const relay = startRelay('linger', 600);
    try {
      // Idle: the blocking read returns the first booking as soon as it is appended.
      const first = await acceptOne();
      await expect.poll(() => relay.jobs(), { timeout: 400, interval: 20 }).toEqual([[first]]);
      // Four more, 50 ms apart, all inside the 600 ms that follow the first read: one job, not four.
      const rest: string[] = [];
      for (let i = 0; i < 4; i++) {
        rest.push(await acceptOne());
        await sleep(50);
      }
      await expect.poll(() => relay.jobs(), { timeout: 3000, interval: 50 }).toEqual([[first], rest]);
    } finally {
      await relay.stop();
    }
  });

  it('lingers after a read in which no store filled a batch, even when the stores together did (COUNT is per stream)', async () => {
    // Two stores with two waiting bookings each; batches of three: one read returns four, none of them a full batch.
    const waiting = [await acceptOne(studio), await acceptOne(studio), await acceptOne(second), await acceptOne(second)];
    const relay = startRelay('per-store', 3000, 3);
    try {
      await expect.poll(async () => (await relay.jobs()).flat().sort(), { timeout: 1000, interval: 20 }).toEqual([...waiting].sort());
      const late = await acceptOne(studio);
      await sleep(400);
      // Still inside the linger interval that followed the read: the new booking waits for the next read.
      expect((await relay.jobs()).flat()).not.toContain(late);
      await expect.poll(async () => (await relay.jobs()).flat(), { timeout: 6000, interval: 50 }).toContain(late);
    } finally {
      await relay.stop();
    }
  });

  it('does not linger after a store filled a batch: what is left is read at once', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await acceptOne(studio));
    const relay = startRelay('full', 5000, 2);
    try {
      // 2 + 2 (full batches, no waiting) + 1: all relayed long before one linger interval has passed.
      await expect.poll(async () => (await relay.jobs()).flat().sort(), { timeout: 2000, interval: 20 }).toEqual([...ids].sort());
      expect((await relay.jobs()).map((job) => job.length)).toEqual([1, 2, 2]);
      // The last read (one booking) started a 5 s linger; stopping ends it at once.
      const stopping = performance.now();
      await relay.stop();
      expect(performance.now() - stopping).toBeLessThan(1500);
    } catch (error) {
      await relay.stop();
      throw error;
    }
  });

  it('without a linger interval, bookings that arrive apart become jobs of their own', async () => {
    const relay = startRelay('eager', 0);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await acceptOne());
        await sleep(150);
      }
      await expect.poll(async () => (await relay.jobs()).flat().sort(), { timeout: 3000, interval: 50 }).toEqual([...ids].sort());
      expect((await relay.jobs()).map((job) => job.length)).toEqual([1, 1, 1]);
    } finally {
      await relay.stop();
    }
  });
});
