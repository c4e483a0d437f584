import type { Job, Queue } from 'bullmq';
import { expireUnpaidBooking, checkStaleOrder } from '../../../core/src/lifecycle/expire-unpaid.ts';
import type { MoneyDeps } from '../../../core/src/lifecycle/money-deps.ts';
import { reconcileBillDay } from '../../../core/src/lifecycle/reconcile-payments.ts';
import { applyRefundResult, issueRefund } from '../../../core/src/lifecycle/refund.ts';
import { settlePaidTransaction, type SettlePaymentResult } from '../../../core/src/lifecycle/settle-payment.ts';
import type { Logger } from '../../../core/src/logging.ts';
import { JobNames, type SettlementPayload, settlementJobIds, settlementJobOptions } from '../jobs/contracts.ts';
import type { WorkerMetrics } from '../runtime/metrics.ts';

/** A refund WeChat is still processing is asked about again after this long (its notify may never come). */
const REFUND_RECHECK_MS = 60_000;

/**
 * The settlement pool: every job is idempotent (row locks and unique keys in
 * MySQL, fixed out_trade_no/out_refund_no at WeChat), so BullMQ redelivering
 * a job after a crash, or a sweep re-driving it, can never double anything.
 */
export function createSettlementHandler(deps: MoneyDeps, queue: Queue, metrics: WorkerMetrics, log: Logger) {
  async function refundsDecided(result: SettlePaymentResult | { refundIds: number[] }): Promise<void> {
    const ids = 'refundIds' in result ? result.refundIds : result.kind === 'refund' ? [result.refundId] : [];
    for (const refundId of ids) {
      await queue.add(JobNames.issueRefund, { kind: 'refund', refundId }, { ...settlementJobOptions, jobId: settlementJobIds.refund(refundId, 0) });
    }
  }

  function counted(kind: string, result: string) {
    metrics.settlements.inc({ kind, result });
  }

  return async function handle(job: Job<SettlementPayload>): Promise<string> {
    const data = job.data;
    switch (data.kind) {
      case 'transaction': {
        const result = await settlePaidTransaction(deps, data.transaction, data.source);
        if (result.kind === 'mismatch') log.error({ outTradeNo: data.transaction.outTradeNo, detail: result.detail }, 'paid transaction does not match our order');
        await refundsDecided(result);
        counted('payment', result.kind);
        return result.kind;
      }
      case 'order': {
        const result = await checkStaleOrder(deps, data.outTradeNo);
        if (typeof result === 'object') await refundsDecided(result);
        const label = typeof result === 'object' ? result.kind : result;
        counted('order', label);
        return label;
      }
      case 'unpaid': {
        const result = await expireUnpaidBooking(deps, data.bookingId);
        if (typeof result === 'object') await refundsDecided(result.paid);
        const label = typeof result === 'object' ? `paid:${result.paid.kind}` : result;
        counted('deadline', label);
        return label;
      }
      case 'refund': {
        const result = await issueRefund(deps, data.refundId);
        if (result.kind === 'processing') {
          const refund = await deps.db.selectFrom('refunds').select('out_refund_no').where('id', '=', data.refundId).executeTakeFirstOrThrow();
          await queue.add(
            JobNames.settleRefund,
            { kind: 'refund-check', outRefundNo: refund.out_refund_no },
            { ...settlementJobOptions, delay: REFUND_RECHECK_MS, jobId: settlementJobIds.refundCheck(refund.out_refund_no, 0) },
          );
        }
        if (result.kind === 'abnormal') log.error({ refundId: data.refundId, failure: result.failure }, 'refund needs manual handling');
        const label = result.kind === 'final' ? `final:${result.status}` : result.kind;
        counted('refund', label);
        return label;
      }
      case 'refund-result': {
        const status = await applyRefundResult(deps, data.refund, data.source);
        counted('refund_result', status);
        return status;
      }
      case 'refund-check': {
        const answer = await deps.provider.queryRefund(data.outRefundNo);
        const status = answer ? await applyRefundResult(deps, answer, 'query') : 'unknown';
        counted('refund_check', status);
        return status;
      }
      case 'bill': {
        const report = await reconcileBillDay(deps, data.billDate);
        for (const outTradeNo of report.toSettle) {
          await queue.add(JobNames.settlePayment, { kind: 'order', outTradeNo }, { ...settlementJobOptions, jobId: settlementJobIds.order(outTradeNo, 0) });
        }
        if (report.mismatches.length > 0) log.error({ billDate: data.billDate, mismatches: report.mismatches.length }, 'trade bill reconciliation found mismatches');
        else log.info({ billDate: data.billDate, matched: report.matched }, 'trade bill reconciled');
        counted('bill', report.mismatches.length > 0 ? 'mismatches' : 'clean');
        return `${report.matched}/${report.mismatches.length}`;
      }
    }
  };
}
