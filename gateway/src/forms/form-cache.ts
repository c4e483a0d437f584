import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../../../db/src/database.ts';
import { currentForm, type StoredForm } from '../../../db/src/repositories/booking-form.repository.ts';

/**
 * Current booking forms by service, cached in memory like the store catalogs:
 * every POST /v1/bookings looks its service's form up, so a hit must not touch
 * MySQL. An edit through this process invalidates at once; other gateway
 * processes see it within the TTL (answers always record the version they
 * were checked against, so a booking in that window keeps consistent labels).
 */
export class FormCache {
  readonly #cache: LRUCache<number, StoredForm | false>;

  constructor(db: Kysely<Database>, ttlMs: number) {
    this.#cache = new LRUCache<number, StoredForm | false>({
      max: 50_000,
      ttl: Math.max(1, ttlMs),
      // Services without a form are cached too (as false): most services have none.
      fetchMethod: async (serviceId) => (await currentForm(db, serviceId)) ?? false,
    });
  }

  /** The service's current form version (possibly with no fields), or null when it never had one. */
  async get(serviceId: number): Promise<StoredForm | null> {
    const hit = this.#cache.get(serviceId);
    return (hit === undefined ? await this.#cache.fetch(serviceId) : hit) || null;
  }

  invalidate(serviceId: number): void {
    this.#cache.delete(serviceId);
  }
}

const FORM_CACHE_TTL_MS = 5_000;
const caches = new WeakMap<object, FormCache>();

/** One cache per gateway (keyed by its deps), shared by the booking and the form routes. */
export function formCacheOf(deps: { db: Kysely<Database> }): FormCache {
  let cache = caches.get(deps);
  if (!cache) {
    cache = new FormCache(deps.db, FORM_CACHE_TTL_MS);
    caches.set(deps, cache);
  }
  return cache;
}
