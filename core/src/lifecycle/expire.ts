import { leaseExpiredHolds, readHold } from '../../../db/redis/holds.ts';
import type { LifecycleDeps } from './deps.ts';
import { settleUnpersistedHold } from './settle-hold.ts';

export interface ExpireReport {
  leased: number;
  expired: number;
  alreadyPersisted: number;
  vanished: number;
}

/**
 * The release-expired sweep for one store: leases holds past their deadline,
 * then settles each against MySQL. A hold that the persist worker wrote in
 * time stays booked; one it never wrote becomes EXPIRED and frees its cells.
 */
export async function expireDueHolds(deps: LifecycleDeps, storeId: number, options: { leaseMs: number; limit: number }): Promise<ExpireReport> {
  const report: ExpireReport = { leased: 0, expired: 0, alreadyPersisted: 0, vanished: 0 };
  const ids = await leaseExpiredHolds(deps.redis, deps.keys, storeId, deps.clock.now(), options.leaseMs, options.limit);
  report.leased = ids.length;
  for (const bookingId of ids) {
    const hold = await readHold(deps.redis, deps.keys, storeId, bookingId);
    if (!hold || hold.state !== 'held') {
      // The hold record expired or was settled elsewhere; only the stale zset entry is left.
      await deps.redis.zrem(deps.keys.store(storeId).holds, bookingId);
      report.vanished++;
      continue;
    }
    const outcome = await settleUnpersistedHold(deps, hold.intent, 'EXPIRED', 'HOLD_DEADLINE_PASSED', 'system:sweeper');
    if (outcome.kind === 'settled') report.expired++;
    else report.alreadyPersisted++;
  }
  return report;
}
