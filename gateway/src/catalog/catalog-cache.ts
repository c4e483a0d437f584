import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { StoreCatalog } from '../../../core/src/catalog/types.ts';
import { AppError } from '../../../core/src/errors.ts';
import type { Database } from '../../../db/src/database.ts';
import { loadStoreCatalog } from '../../../db/src/repositories/catalog.repository.ts';

/**
 * Store catalogs (services, resources, rules) cached in memory: the booking
 * path reads one per request and must not touch MySQL to do it. Merchant
 * edits show up within the TTL; concurrent misses share one load.
 */
export class CatalogCache {
  readonly #cache: LRUCache<number, StoreCatalog | false>;

  constructor(db: Kysely<Database>, ttlMs: number) {
    this.#cache = new LRUCache<number, StoreCatalog | false>({
      max: 20_000,
      ttl: Math.max(1, ttlMs),
      // Unknown stores are cached too (as false), so probing random ids cannot hammer MySQL.
      fetchMethod: async (storeId) => (await loadStoreCatalog(db, storeId)) ?? false,
    });
  }

  async get(storeId: number): Promise<StoreCatalog> {
    // A fresh entry without fetch()'s promise bookkeeping: the booking path asks for the same few stores all day.
    const catalog = this.#cache.get(storeId) ?? (await this.#cache.fetch(storeId));
    if (!catalog) throw new AppError('STORE_NOT_FOUND', `store ${storeId} not found`);
    return catalog;
  }

  invalidate(storeId: number): void {
    this.#cache.delete(storeId);
  }
}
