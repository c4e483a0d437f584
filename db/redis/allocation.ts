import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.ts';

export interface AllocationDay {
  /** Every open cell of the day, field "<resource>:<minute>" → booked units (0 when never booked). */
  cells: Map<string, { booked: number }>;
  /** Bookings each capped resource has taken that day (reserve.lua's counters). */
  bookings: Map<number, number>;
}

/** One round trip: the day's capacity and booked hashes and the daily-cap counters. */
export async function readAllocationDay(redis: Redis, keys: RedisKeys, storeId: number, localDate: string): Promise<AllocationDay> {
  const store = keys.store(storeId);
  const results = (await redis.pipeline().hgetall(store.capacity(localDate)).hgetall(store.booked(localDate)).hgetall(store.allocations(localDate)).exec()) ?? [];
  for (const [error] of results) if (error) throw error;
  const capacity = (results[0]?.[1] ?? {}) as Record<string, string>;
  const booked = (results[1]?.[1] ?? {}) as Record<string, string>;
  const counters = (results[2]?.[1] ?? {}) as Record<string, string>;
  const cells = new Map<string, { booked: number }>();
  for (const field of Object.keys(capacity)) cells.set(field, { booked: Number(booked[field] ?? 0) });
  return { cells, bookings: new Map(Object.entries(counters).map(([resource, n]) => [Number(resource), Number(n)])) };
}
