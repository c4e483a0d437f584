import { api, type StoreDetail } from './api';

// Store pages change rarely; a booking list names many bookings of few stores.
const TTL_MS = 60_000;
const cache = new Map<number, { at: number; value: Promise<StoreDetail> }>();

export function storeDetail(id: number, nowMs: number): Promise<StoreDetail> {
  const hit = cache.get(id);
  if (hit && nowMs - hit.at < TTL_MS) return hit.value;
  const value = api.store(id);
  value.catch(() => cache.delete(id));
  cache.set(id, { at: nowMs, value });
  return value;
}
