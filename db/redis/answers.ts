import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.ts';

/**
 * A pending booking's sealed form answers (core/src/forms/seal.ts), under the
 * store's hash tag next to the hold and with the hold's TTL. They are written
 * before reserve.lua runs and moved into MySQL `booking_answers` by the persist
 * transaction; the intent and the persist job carry only the form version.
 */
export async function stashPendingAnswers(redis: Redis, keys: RedisKeys, storeId: number, bookingId: string, sealed: string, ttlSeconds: number): Promise<void> {
  await redis.set(keys.store(storeId).answers(bookingId), sealed, 'EX', ttlSeconds);
}

export async function dropPendingAnswers(redis: Redis, keys: RedisKeys, storeId: number, bookingId: string): Promise<void> {
  await redis.del(keys.store(storeId).answers(bookingId));
}

export async function readPendingAnswers(redis: Redis, keys: RedisKeys, storeId: number, bookingId: string): Promise<string | null> {
  return redis.get(keys.store(storeId).answers(bookingId));
}

/** Sealed answers of several bookings, by booking id (missing ones are left out). One pipeline. */
export async function readPendingAnswersOf(redis: Redis, keys: RedisKeys, bookings: readonly { storeId: number; bookingId: string }[]): Promise<Map<string, string>> {
  if (bookings.length === 0) return new Map();
  const pipeline = redis.pipeline();
  for (const b of bookings) pipeline.get(keys.store(b.storeId).answers(b.bookingId));
  const replies = (await pipeline.exec()) ?? [];
  const out = new Map<string, string>();
  bookings.forEach((b, i) => {
    const [error, value] = replies[i] ?? [null, null];
    if (error) throw error;
    if (typeof value === 'string') out.set(b.bookingId, value);
  });
  return out;
}

export async function dropPendingAnswersOf(redis: Redis, keys: RedisKeys, bookings: readonly { storeId: number; bookingId: string }[]): Promise<void> {
  if (bookings.length === 0) return;
  const pipeline = redis.pipeline();
  for (const b of bookings) pipeline.del(keys.store(b.storeId).answers(b.bookingId));
  await pipeline.exec();
}
