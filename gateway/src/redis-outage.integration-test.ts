import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { createLogger } from '../../core/src/logging.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { createRedis, whenReady } from '../../db/redis/connection.ts';
import { createClassStudio, type ClassFixture } from '../../db/testing/fixtures.ts';
import { createTestEnv, type TestEnv } from '../../db/testing/test-env.ts';
import { loadWorkerConfig } from '../../workers/src/config.ts';
import { type RunningWorkers, startWorkers } from '../../workers/src/main.ts';
import { JWT_SECRET, stackEnv } from '../testing/test-stack.ts';
import { loadGatewayConfig } from './config.ts';
import { type RunningGateway, startGateway } from './server.ts';

/**
 * A private redis-server (own port, no persistence) that the test stops and
 * restarts: the gateway must answer 503 at once while it is down, and after
 * a restart that lost everything, the inventory is rebuilt from MySQL.
 */
let redisProcess: ChildProcess | undefined;
let port: number;
let env: TestEnv;
let studio: ClassFixture;
let gateway: RunningGateway;
let workers: RunningWorkers;
let token: string;
const dir = mkdtempSync(path.join(tmpdir(), 'zy-redis-'));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: p } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return p;
}

async function startRedis(): Promise<void> {
  redisProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const probe = createRedis({ url: `redis://127.0.0.1:${port}`, failFast: false, name: 'probe' });
  probe.on('error', () => undefined);
  await whenReady(probe, 10_000);
  probe.disconnect();
}

async function stopRedis(): Promise<void> {
  const child = redisProcess;
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function book(startAt: string, key: string) {
  const started = performance.now();
  const response = await fetch(`${gateway.url}/v1/bookings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ storeId: studio.storeId, serviceId: studio.classId, startAt }),
  });
  return { status: response.status, body: (await response.json()) as any, ms: performance.now() - started, retryAfter: response.headers.get('retry-after') };
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  env = await createTestEnv('outage');
  env.redis.disconnect();
  env.redis = createRedis({ url: `redis://127.0.0.1:${port}`, failFast: false, name: 'test' });
  env.redis.on('error', () => undefined); // the outage is the point of this test
  await whenReady(env.redis);
  studio = await createClassStudio(env.db, env.clock.now(), { capacity: 3, perCustomerDailyLimit: 5 });
  await materializeStore(env, studio.storeId);
  const settings = stackEnv(env, { REDIS_URL: `redis://127.0.0.1:${port}` });
  const log = createLogger({ name: 'test', level: 'silent' });
  gateway = await startGateway(loadGatewayConfig({ ...settings, HTTP_PORT: '0', JWT_SECRET }), { clock: env.clock, log });
  workers = await startWorkers(
    loadWorkerConfig({ ...settings, WORKER_HTTP_PORT: '0', SWEEP_CRON: '0 0 0 1 1 *', RECONCILE_CRON: '0 0 0 1 1 *', MATERIALIZE_CRON: '0 0 0 1 1 *' }),
    { clock: env.clock, log },
  );
  const now = Math.floor(env.clock.now() / 1000);
  token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('42')
    .setIssuer('zhiyue')
    .setAudience('zhiyue:consumer')
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .setJti('outage-test')
    .sign(new TextEncoder().encode(JWT_SECRET));
});

afterAll(async () => {
  await workers?.stop();
  await gateway?.stop();
  env.redis.disconnect();
  await stopRedis();
  // cleanup() also deletes keys: on a dead server that would hang, so only drop the database.
  await env.db.destroy();
  const { dropDatabase } = await import('../../db/src/admin.ts');
  await dropDatabase(env.mysql);
});

describe('Redis outage', () => {
  it('when Redis is down, then booking answers 503 at once and /readyz fails; when it returns empty, the inventory is rebuilt from MySQL', async () => {
    const first = await book('2026-12-02T18:00:00+08:00', 'outage-key-0001');
    expect(first.status).toBe(202);
    for (let i = 0; i < 100 && (await env.db.selectFrom('bookings').select('status').executeTakeFirst())?.status !== 'CONFIRMED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    await stopRedis();
    const down = await book('2026-12-02T18:00:00+08:00', 'outage-key-0002');
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(down.retryAfter).toBe('1');
    expect(down.ms).toBeLessThan(2500);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(503);

    // Restart without persistence: every key is gone, including the inventory and the queues.
    await startRedis();
    let after = await book('2026-12-02T18:00:00+08:00', 'outage-key-0003');
    for (let i = 0; i < 100 && after.status === 503; i++) {
      expect(['SERVICE_UNAVAILABLE', 'INVENTORY_REBUILDING']).toContain(after.body.error.code);
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await book('2026-12-02T18:00:00+08:00', 'outage-key-0003');
    }
    expect(after.status).toBe(202);
    // Rebuilt from MySQL: the confirmed first booking still counts, so 3 − 1 − 1 = 1 place is left.
    const extra = await book('2026-12-02T18:00:00+08:00', 'outage-key-0004');
    const full = await book('2026-12-02T18:00:00+08:00', 'outage-key-0005');
    expect([extra.status, full.status]).toEqual([202, 409]);
    const cells = await env.db.selectFrom('inventory_cells').select(['booked', 'capacity']).where('resource_id', '=', studio.studioId).execute();
    expect(cells.every((c) => c.booked <= c.capacity)).toBe(true);
  });
});
