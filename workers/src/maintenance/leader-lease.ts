import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * One leader among the maintenance processes, by a Redis lease renewed at a
 * third of its length. A leader that stalls longer than the lease loses it;
 * the tasks it runs are idempotent, so a brief overlap with a new leader is
 * harmless.
 */
export class LeaderLease {
  readonly owner = randomUUID();
  readonly #redis: Redis;
  readonly #key: string;
  readonly #leaseMs: number;
  #leader = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(redis: Redis, key: string, leaseMs: number) {
    this.#redis = redis;
    this.#key = key;
    this.#leaseMs = leaseMs;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    await this.#renew();
    this.#timer = setInterval(() => void this.#renew(), Math.max(250, Math.floor(this.#leaseMs / 3)));
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#leader) await this.#redis.releaseLease(this.#key, this.owner).catch(() => 0);
    this.#leader = false;
  }

  async #renew(): Promise<void> {
    try {
      this.#leader = (await this.#redis.acquireLease(this.#key, this.owner, this.#leaseMs)) === 1;
    } catch {
      // Cannot reach Redis: assume we lost the lease rather than risk two leaders.
      this.#leader = false;
    }
  }
}
