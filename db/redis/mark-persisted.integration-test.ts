import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../testing/test-env.ts';
import { markManyPersisted, markPersisted } from './holds.ts';
import { MarkPersistedCode } from './reserve-codes.ts';

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv('markpersisted');
});
afterAll(async () => {
  await env?.cleanup();
});

describe('markPersisted.lua (real Redis)', () => {
  it('marks a persist batch in one call, with the right code per booking, and leaves the others alone', async () => {
    const { redis, keys } = env;
    const store = keys.store(41);
    const deadline = Date.now() + 60_000;
    // Three holds: live, already persisted, already released; and one id Redis never saw.
    await redis.hset(store.hold('live'), 'st', 'H');
    await redis.hset(store.hold('done'), 'st', 'P');
    await redis.hset(store.hold('gone'), 'st', 'R');
    await redis.zadd(store.holds, deadline, 'live', deadline, 'done', deadline, 'gone');

    const codes = await markManyPersisted(redis, keys, 41, ['live', 'done', 'gone', 'never']);

    expect(codes).toEqual([MarkPersistedCode.Marked, MarkPersistedCode.AlreadyPersisted, MarkPersistedCode.Released, MarkPersistedCode.Unknown]);
    expect(await redis.hget(store.hold('live'), 'st')).toBe('P');
    expect(await redis.hget(store.hold('gone'), 'st')).toBe('R');
    // Only the live hold left the expiry zset and entered `persisted`.
    expect(await redis.zrange(store.holds, '0', '-1')).toEqual(['done', 'gone']);
    expect(await redis.zrange(store.persisted, '0', '-1')).toEqual(['live']);
    // Marking again is harmless: already persisted.
    expect(await markPersisted(redis, keys, 41, 'live')).toBe(MarkPersistedCode.AlreadyPersisted);
  });

  it('marks many bookings of one batch and stamps them with Redis time', async () => {
    const { redis, keys } = env;
    const store = keys.store(42);
    const ids = Array.from({ length: 250 }, (_, i) => `b${i}`);
    for (const id of ids) await redis.hset(store.hold(id), 'st', 'H');
    const [seconds] = await redis.time();
    const codes = await markManyPersisted(redis, keys, 42, ids);
    expect(codes).toEqual(ids.map(() => MarkPersistedCode.Marked));
    const stamps = await redis.zrange(store.persisted, '0', '-1', 'WITHSCORES');
    expect(stamps.length / 2).toBe(250);
    expect(Number(stamps[1])).toBeGreaterThanOrEqual(Number(seconds) * 1000);
    expect(await markManyPersisted(redis, keys, 42, [] as string[])).toEqual([]);
  });
});
