import { claimDue, stuckNotifications } from '../../../db/src/repositories/notification.repository.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import type { LifecycleDeps } from './deps.ts';

/**
 * Claims every notification that is due (including those a stopped sweeper
 * missed: "due" is `due_at <= now`, so downtime only delays) and marks them
 * QUEUED in the same transaction. The caller enqueues the ids under
 * deterministic job ids; if that enqueue is lost, `stuck` hands them out again.
 */
export async function claimDueNotifications(deps: LifecycleDeps, limit: number): Promise<{ id: number; dueMs: number }[]> {
  return inTransaction(deps.db, (trx) => claimDue(trx, deps.clock.now(), limit));
}

/** Rows QUEUED or SENDING without progress for `afterMs` (lost job, dead worker). */
export async function stuckNotificationIds(deps: LifecycleDeps, afterMs: number, limit: number) {
  return stuckNotifications(deps.db, deps.clock.now() - afterMs, limit);
}
