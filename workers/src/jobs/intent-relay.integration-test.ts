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
let deps: AcceptDeps;
const connections: Redis[] = [];
let customer = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  env = await createTestEnv('relay');
  studio = await createClassStudio(env.db, env.clock.now(), { capacity: 500 });
  deps = { ...env, newBookingId: bookingIdFactory(env.clock), requestRebuild: async () => {} };
  await materializeStore(env, studio.storeId);
});

afterAll(async () => {
  for (const c of connections) c.disconnect();
  await env?.cleanup();
});

async function acceptOne(): Promise<string> {
  const catalog = await loadStoreCatalog(env.db, studio.storeId);
  customer += 1;
  const start = zonedToInstant('2026-12-02', 19 * 60, 'Asia/Shanghai');
  const answer = await acceptBooking(deps, catalog!, {
    storeId: studio.storeId,
    serviceId: studio.classId,
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
function startRelay(label: string, lingerMs: number) {
  const connection = () => {
    const c = createRedis({ url: env.redisUrl, failFast: false, name: `relay-test-${label}` });
    connections.push(c);
    return c;
  };
  const queuePrefix = `${env.keys.queuePrefix}-${label}`;
  const queue = new Queue<PersistBookingsPayload>(Queues.persist, { connection: connection(), prefix: queuePrefix });
  const relay = new IntentRelay(
    { db: env.db, blocking: connection(), redis: env.redis, keys: env.keys, queue, log: createLogger({ name: 'relay-test', level: 'silent' }), metrics: createWorkerMetrics() },
    { batch: 500, blockMs: 200, lingerMs, claimAfterMs: 30_000 },
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
