import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StableToken } from '../../core/src/wechat-messages/types.ts';
import { createTestEnv, type TestEnv } from '../testing/test-env.ts';
import { createAccessTokenCache } from './access-token-cache.ts';
import { createRedis, whenReady } from './connection.ts';

let env: TestEnv;
const extraConnections: Redis[] = [];

beforeAll(async () => {
  env = await createTestEnv('tokencache');
});

afterAll(async () => {
  for (const redis of extraConnections) redis.disconnect();
  await env?.cleanup();
});

/** One Redis connection per simulated process. */
async function connection(): Promise<Redis> {
  const redis = createRedis({ url: env.redisUrl, failFast: false, name: 'token-cache-test' });
  extraConnections.push(redis);
  await whenReady(redis);
  return redis;
}

/** A stand-in for stable_token that counts its calls and takes `delayMs` to answer. */
function countingFetcher(options: { delayMs?: number; expiresInSeconds?: number; fail?: boolean } = {}) {
  let calls = 0;
  const fetch = async (): Promise<StableToken> => {
    calls += 1;
    await sleep(options.delayMs ?? 0);
    if (options.fail) throw new Error('stable_token unavailable');
    return { accessToken: `token-${calls}`, expiresInSeconds: options.expiresInSeconds ?? 7200 };
  };
  return { fetch, calls: () => calls };
}

describe('access token cache', () => {
  it('fetches once for many processes asking at the same time, and caches for expires_in − 300 s', async () => {
    const keys = env.keys.wechatAccessToken('wx-single-flight');
    const caches = await Promise.all(Array.from({ length: 6 }, async () => createAccessTokenCache({ redis: await connection(), keys, pollMs: 10 })));
    const fetcher = countingFetcher({ delayMs: 100 });

    const tokens = await Promise.all(caches.flatMap((cache) => [cache.get(fetcher.fetch), cache.get(fetcher.fetch), cache.get(fetcher.fetch)]));

    expect(fetcher.calls()).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    const ttl = await env.redis.pttl(keys.token);
    expect(ttl).toBeGreaterThan((7200 - 300) * 1000 - 5_000);
    expect(ttl).toBeLessThanOrEqual((7200 - 300) * 1000);
    expect(await env.redis.exists(keys.lock)).toBe(0);
  });

  it('drops the token only if it is still the cached one (compare-and-delete)', async () => {
    const keys = env.keys.wechatAccessToken('wx-invalidate');
    const cache = createAccessTokenCache({ redis: env.redis, keys });
    const fetcher = countingFetcher();
    expect(await cache.get(fetcher.fetch)).toBe('token-1');

    expect(await cache.invalidate('some-older-token')).toBe(false);
    expect(await env.redis.get(keys.token)).toBe('token-1');

    expect(await cache.invalidate('token-1')).toBe(true);
    expect(await env.redis.exists(keys.token)).toBe(0);
    expect(await cache.get(fetcher.fetch)).toBe('token-2');
    expect(await cache.invalidate('token-1')).toBe(false);
    expect(await env.redis.get(keys.token)).toBe('token-2');
  });

  it('does not cache a token that expires within the margin', async () => {
    const keys = env.keys.wechatAccessToken('wx-short');
    const cache = createAccessTokenCache({ redis: env.redis, keys });
    const fetcher = countingFetcher({ expiresInSeconds: 300 });
    expect(await cache.get(fetcher.fetch)).toBe('token-1');
    expect(await env.redis.exists(keys.token)).toBe(0);
    expect(await cache.get(fetcher.fetch)).toBe('token-2');
  });

  it('lets a waiting process take over when the fetching one fails', async () => {
    const keys = env.keys.wechatAccessToken('wx-takeover');
    const [a, b] = [createAccessTokenCache({ redis: env.redis, keys, pollMs: 10 }), createAccessTokenCache({ redis: await connection(), keys, pollMs: 10 })];
    const failing = countingFetcher({ delayMs: 80, fail: true });
    const working = countingFetcher();

    const first = a.get(failing.fetch);
    await sleep(20); // a holds the lock now
    const second = b.get(working.fetch);

    await expect(first).rejects.toThrow('stable_token unavailable');
    await expect(second).resolves.toBe('token-1');
    expect(failing.calls()).toBe(1);
    expect(working.calls()).toBe(1);
  });

  it('gives up after waitMs while another process holds the lock and caches nothing', async () => {
    const keys = env.keys.wechatAccessToken('wx-stuck');
    await env.redis.set(keys.lock, 'someone-else', 'PX', 10_000);
    const cache = createAccessTokenCache({ redis: env.redis, keys, waitMs: 150, pollMs: 20 });
    const fetcher = countingFetcher();
    const started = performance.now();
    await expect(cache.get(fetcher.fetch)).rejects.toThrow(/within 150 ms/);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(fetcher.calls()).toBe(0);
    // The holder's lock is untouched.
    expect(await env.redis.get(keys.lock)).toBe('someone-else');
  });

  it('keeps each app under its own hash tag', () => {
    expect(env.keys.wechatAccessToken('wxabc')).toStrictEqual({
      token: `${env.prefix}:{wxtoken:wxabc}:token`,
      lock: `${env.prefix}:{wxtoken:wxabc}:lock`,
    });
  });
});
