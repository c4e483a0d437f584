import { JobNames, settlementJobIds, settlementJobOptions } from '../../../workers/src/jobs/contracts.ts';
import type { GatewayDeps } from '../deps.ts';

/**
 * Hands refunds a cancellation or no-show decided on to the settlement
 * workers. The refund rows are already committed; if this enqueue fails, the
 * settlement sweep finds them PENDING and sends them anyway.
 */
export async function queueRefunds(deps: GatewayDeps, refundIds: readonly number[]): Promise<void> {
  for (const refundId of refundIds) {
    try {
      await deps.settlementQueue.add(JobNames.issueRefund, { kind: 'refund', refundId }, { ...settlementJobOptions, jobId: settlementJobIds.refund(refundId, 0) });
    } catch (error) {
      deps.log.warn({ err: error, refundId }, 'could not queue a refund; the settlement sweep will send it');
    }
  }
}
