import { api, type StoreDetail } from './api';

// Store pages change rarely; a booking list names many bookings of few stores.
const TTL_MS = 60_000;
const cache = new Map<number, { at: number; value: Promise<StoreDetail> }>();

/** `fresh`: read it again and keep that (the store page itself, so ratings and reviews are current). */
export function storeDetail(id: number, nowMs: number, options: { fresh?: boolean } = {}): Promise<StoreDetail> {
  const hit = cache.get(id);
  if (hit && !options.fresh && nowMs - hit.at < TTL_MS) return hit.value;
  const value = api.store(id);
  value.catch(() => cache.delete(id));
  cache.set(id, { at: nowMs, value });
  return value;
}
