import { hostname } from 'node:os';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { activeStoreIds } from '../../../db/src/repositories/catalog.repository.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/src/database.ts';
import { ackIntents, claimStaleIntents, ensureRelayGroups, readIntents, type StreamedIntent } from '../../../db/redis/intents.ts';
import type { RedisKeys } from '../../../db/redis/keys.ts';
import type { Logger } from '../../../core/src/logging.ts';
import type { WorkerMetrics } from '../runtime/metrics.ts';
import { JobNames, type PersistBookingsPayload, persistJobId, persistJobOptions } from './contracts.ts';

export interface RelayDeps {
  db: Kysely<Database>;
  /** A connection of its own: the stream read blocks it. */
  blocking: Redis;
  redis: Redis;
  keys: RedisKeys;
  queue: Queue;
  log: Logger;
  metrics: WorkerMetrics;
}

export interface RelayOptions {
  batch: number;
  blockMs: number;
  /**
   * After a read that did not fill a batch, wait this long (from the start of that read) before the next one, so
   * that under load a batch carries the bookings of this interval instead of the few that arrived during the last
   * round trip. Each batch has fixed costs (a BullMQ job, its scripts, a MySQL transaction and commit); when idle
   * the blocking read still hands over the first booking at once, so quiet stores wait for nothing.
   */
  lingerMs: number;
  /** An entry read by a relay that then went silent this long is taken over by another relay. */
  claimAfterMs: number;
}

/**
 * Moves accepted bookings from the stores' intent streams into the persist
 * queue, one job per store per read, then acknowledges them. At-least-once: a
 * crash after the add and before the ack re-adds the same entries, which
 * BullMQ ignores while the job exists (same first entry, same job id) and
 * MySQL's primary key absorbs otherwise.
 */
export class IntentRelay {
  readonly consumer = `${hostname()}-${process.pid}`;
  readonly #deps: RelayDeps;
  readonly #options: RelayOptions;
  #stores: number[] = [];
  #storesLoadedAt = Number.NEGATIVE_INFINITY;
  #lastClaimAt = Number.NEGATIVE_INFINITY;
  #running: Promise<void> | undefined;
  #stopping = false;
  #endLinger: (() => void) | undefined;

  constructor(deps: RelayDeps, options: RelayOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  start(): void {
    this.#running = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#endLinger?.();
    await this.#running;
  }

  async #loop(): Promise<void> {
    // Our own unacknowledged entries first (this consumer name may be reused after a restart).
    let pending = true;
    while (!this.#stopping) {
      try {
        await this.#refreshStores();
        if (this.#stores.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, this.#options.blockMs));
          this.#storesLoadedAt = Number.NEGATIVE_INFINITY;
          continue;
        }
        await this.#claimStale();
        const readStarted = performance.now();
        const batch = await readIntents(this.#deps.blocking, this.#deps.keys, this.#stores, this.consumer, {
          count: this.#options.batch,
          blockMs: pending ? 0 : this.#options.blockMs,
          pending,
        });
        if (pending && batch.length === 0) pending = false;
        const fullest = await this.#relay(batch, 'read');
        // COUNT applies per stream: a store that filled it has more waiting, and the next read should not wait.
        if (!pending && fullest > 0 && fullest < this.#options.batch) await this.#linger(readStarted);
      } catch (error) {
        if ((error as Error).message?.includes('NOGROUP')) {
          // Redis lost the streams (restart, flush): recreate the groups and carry on.
          this.#storesLoadedAt = Number.NEGATIVE_INFINITY;
          continue;
        }
        if (this.#stopping) break;
        this.#deps.log.warn({ err: error }, 'intent relay failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async #linger(since: number): Promise<void> {
    const wait = this.#options.lingerMs - (performance.now() - since);
    if (wait <= 0 || this.#stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      // stop() ends the wait at once: shutting down must not take a linger interval longer.
      this.#endLinger = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#endLinger = undefined;
  }

  // Intervals below use the monotonic process timer, not the domain clock: a test's frozen clock must not freeze them.
  async #refreshStores(): Promise<void> {
    const now = performance.now();
    // Often: a store opened a moment ago must not wait for its first bookings to be relayed.
    if (now - this.#storesLoadedAt < 2_000) return;
    this.#stores = await activeStoreIds(this.#deps.db);
    await ensureRelayGroups(this.#deps.redis, this.#deps.keys, this.#stores);
    this.#storesLoadedAt = now;
  }

  async #claimStale(): Promise<void> {
    const now = performance.now();
    if (now - this.#lastClaimAt < 5_000) return;
    this.#lastClaimAt = now;
    for (const storeId of this.#stores) {
      const claimed = await claimStaleIntents(this.#deps.redis, this.#deps.keys, storeId, this.consumer, this.#options.claimAfterMs, this.#options.batch);
      if (claimed.length > 0) {
        this.#deps.log.warn({ storeId, count: claimed.length }, 'took over intents another relay left unacknowledged');
        await this.#relay(claimed, 'claimed');
      }
    }
  }

  /** Returns the most entries one store had in the batch. */
  async #relay(batch: StreamedIntent[], how: 'read' | 'claimed'): Promise<number> {
    if (batch.length === 0) return 0;
    const byStore = Map.groupBy(batch, (entry) => entry.storeId);
    await this.#deps.queue.addBulk(
      [...byStore.entries()].map(([storeId, entries]) => ({
        name: JobNames.persistBookings,
        data: { storeId, intents: entries.map((e) => e.intent) } satisfies PersistBookingsPayload,
        opts: { ...persistJobOptions, jobId: persistJobId(storeId, entries[0]!.entryId) },
      })),
    );
    await ackIntents(this.#deps.redis, this.#deps.keys, batch);
    this.#deps.metrics.intentsRelayed.inc({ how }, batch.length);
    return Math.max(...[...byStore.values()].map((entries) => entries.length));
  }
}
