import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/src/database.ts';
import type { RedisKeys } from '../../../db/redis/keys.ts';
import type { Clock } from '../clock.ts';

/**
 * What the booking life cycle needs from the outside world. Gateway and
 * workers build one of these; tests build one against a throwaway database
 * and key prefix. Nothing here knows about HTTP or queues.
 */
export interface LifecycleDeps {
  db: Kysely<Database>;
  redis: Redis;
  keys: RedisKeys;
  clock: Clock;
}

/** Who is asking: decides which bookings are visible (tenant isolation) and who an event is attributed to. */
export type Actor =
  | { kind: 'customer'; customerId: number }
  | { kind: 'merchant'; merchantId: number; staffId: number; storeId: number | null }
  | { kind: 'system'; name: string };

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'customer':
      return `customer:${actor.customerId}`;
    case 'merchant':
      return `staff:${actor.staffId}`;
    case 'system':
      return `system:${actor.name}`;
  }
}

/** True if the actor may see a booking with these owners; anything else must look like "not found". */
export function canSee(actor: Actor, owner: { customerId: number; merchantId: number; storeId: number }): boolean {
  switch (actor.kind) {
    case 'customer':
      return actor.customerId === owner.customerId;
    case 'merchant':
      return actor.merchantId === owner.merchantId && (actor.storeId === null || actor.storeId === owner.storeId);
    case 'system':
      return true;
  }
}
