import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.ts';

/** Single-use notify nonces across every gateway process: SET NX with the replay window as TTL. */
export function redisNonceStore(redis: Redis, keys: RedisKeys): { claim(nonce: string, ttlSeconds: number): Promise<boolean> } {
  return {
    async claim(nonce, ttlSeconds) {
      return (await redis.set(keys.payNotifyNonce(nonce), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    },
  };
}
