/**
 * The WeChat stable access token, shared by every process through Redis.
 *
 * Workers on many processes send subscribe messages; each fetching its own
 * token would be harmless for correctness (stable_token with
 * `force_refresh:false` hands every caller the same token while it is valid)
 * but would call WeChat once per process at every rotation. So the token is
 * cached under one key with TTL = `expires_in − 300 s` (the platform issues the
 * next token 5 minutes early and both work meanwhile, wechat-and-libraries.md
 * §2.3), and a miss is filled by one caller holding a `SET NX PX` lock while
 * the others poll for the value. The caller passes the fetch (the sender's
 * `createStableTokenFetcher`, `POST /cgi-bin/stable_token` with
 * `force_refresh:false`, never the classic /cgi-bin/token); this file only
 * stores and single-flights.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis, Result } from 'ioredis';
import type { AccessTokenSource, StableToken } from '../../core/src/wechat-messages/types.ts';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** scripts/invalidateAccessToken-1.lua */
    invalidateAccessToken(token: string, rejected: string): Result<number, Context>;
  }
}

export interface AccessTokenCacheOptions {
  /** A connection from createRedis (the scripts must be defined on it). */
  redis: Redis;
  /** `keys.wechatAccessToken(appid)`. */
  keys: { token: string; lock: string };
  /** Cache for `expires_in` minus this. Default 300 s, the platform's rotation margin. */
  refreshMarginSeconds?: number;
  /** How long the fetching caller holds the lock; longer than one fetchToken call. Default 15 s. */
  lockMs?: number;
  /** How long a caller waits for someone else's fetch before giving up. Default lockMs + 5 s. */
  waitMs?: number;
  /** Poll interval while waiting. Default 50 ms. */
  pollMs?: number;
}

/** Below this a token is returned but not cached: an expiry that short means something is off upstream. */
const MIN_CACHE_MS = 1_000;

export function createAccessTokenCache(options: AccessTokenCacheOptions): AccessTokenSource {
  const { redis, keys } = options;
  const marginMs = (options.refreshMarginSeconds ?? 300) * 1000;
  const lockMs = options.lockMs ?? 15_000;
  const waitMs = options.waitMs ?? lockMs + 5_000;
  const pollMs = options.pollMs ?? 50;

  async function fetchAndCache(fetchToken: () => Promise<StableToken>): Promise<string> {
    const fresh = await fetchToken();
    const ttlMs = fresh.expiresInSeconds * 1000 - marginMs;
    if (ttlMs >= MIN_CACHE_MS) await redis.set(keys.token, fresh.accessToken, 'PX', ttlMs);
    return fresh.accessToken;
  }

  return {
    async get(fetchToken) {
      // Elapsed real time, not domain time: this bounds a wait, it decides nothing about the booking.
      const deadline = performance.now() + waitMs;
      for (;;) {
        const cached = await redis.get(keys.token);
        if (cached) return cached;
        const owner = randomUUID();
        if ((await redis.set(keys.lock, owner, 'PX', lockMs, 'NX')) === 'OK') {
          try {
            // The previous holder may have cached it between our GET and our SET NX.
            return (await redis.get(keys.token)) ?? (await fetchAndCache(fetchToken));
          } finally {
            // Only our own lock; if Redis hiccups here the lock simply expires after lockMs.
            await redis.releaseLease(keys.lock, owner).catch(() => undefined);
          }
        }
        if (performance.now() >= deadline) {
          throw new Error(`WeChat access token: nobody cached one within ${waitMs} ms while another process held the fetch lock`);
        }
        await sleep(pollMs);
      }
    },

    async invalidate(token) {
      return (await redis.invalidateAccessToken(keys.token, token)) === 1;
    },
  };
}
