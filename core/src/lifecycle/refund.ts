import { appendEvents } from '../../../db/src/repositories/booking.repository.ts';
import { lockRefund, orderById, recordMovement, refundById, updateRefund } from '../../../db/src/repositories/payment.repository.ts';
import type { RefundRow, RefundStatus } from '../../../db/src/tables/payment.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { isRetryableProviderError, type ProviderRefund } from '../payments/provider.ts';
import { bookingEvent } from './events.ts';
import type { MoneyDeps } from './money-deps.ts';

const finalStatuses: readonly RefundStatus[] = ['SUCCESS', 'CLOSED'];

export type IssueRefundResult = { kind: 'final'; status: RefundStatus } | { kind: 'processing' } | { kind: 'abnormal'; failure: string };

/**
 * Asks the provider for a refund we decided on (the row exists, committed
 * with the decision). Always under the same out_refund_no, so a retry after a
 * timeout or a crash can never refund twice. Retryable failures are thrown
 * for the job's backoff; a refusal (NOT_ENOUGH, bad parameters) parks the
 * refund as ABNORMAL for a human, visibly.
 */
export async function issueRefund(deps: MoneyDeps, refundId: number): Promise<IssueRefundResult> {
  const refund = await refundById(deps.db, refundId);
  if (!refund) throw new Error(`refund ${refundId} not found`);
  if (finalStatuses.includes(refund.status)) return { kind: 'final', status: refund.status };
  const order = await orderById(deps.db, refund.payment_order_id);
  if (!order) throw new Error(`order ${refund.payment_order_id} of refund ${refund.out_refund_no} not found`);
  let answer: ProviderRefund;
  try {
    answer = await deps.provider.refund({
      outRefundNo: refund.out_refund_no,
      outTradeNo: order.out_trade_no,
      refundFen: refund.amount_fen,
      totalFen: order.amount_fen,
      reason: refund.reason,
    });
  } catch (error) {
    await updateRefund(deps.db, refund.id, { status: refund.status, attempts: refund.attempts + 1 }, deps.clock.now());
    if (isRetryableProviderError(error)) throw error;
    const failure = String((error as { code?: string }).code ?? (error as Error).message).slice(0, 200);
    await updateRefund(deps.db, refund.id, { status: 'ABNORMAL', failure }, deps.clock.now());
    return { kind: 'abnormal', failure };
  }
  const status = await applyRefundResult(deps, answer, 'request');
  if (status === 'SUCCESS' || status === 'CLOSED') return { kind: 'final', status };
  return status === 'ABNORMAL' ? { kind: 'abnormal', failure: 'provider reported ABNORMAL' } : { kind: 'processing' };
}

/**
 * Records what the provider says about a refund (its answer, a refund
 * notify, a query). SUCCESS is recorded once: the ledger entry, the order's
 * refunded total and the booking event all happen in the transaction that
 * first moves the refund to SUCCESS.
 */
export async function applyRefundResult(deps: MoneyDeps, answer: ProviderRefund, source: string): Promise<RefundStatus | 'unknown'> {
  const now = deps.clock.now();
  return inTransaction(deps.db, async (trx) => {
    const refund = await lockRefund(trx, answer.outRefundNo);
    if (!refund) return 'unknown';
    if (finalStatuses.includes(refund.status)) return refund.status;
    if (answer.status !== 'SUCCESS') {
      const failure = answer.status === 'CLOSED' ? 'provider closed the refund' : answer.status === 'ABNORMAL' ? 'provider reported ABNORMAL' : null;
      await updateRefund(trx, refund.id, { status: answer.status, refund_id: answer.refundId, failure }, now);
      if (answer.status !== 'PROCESSING') await appendEvents(trx, [refundEvent(refund, `REFUND_${answer.status}`, source, now)]);
      return answer.status;
    }
    const order = await orderById(trx, refund.payment_order_id);
    if (!order) throw new Error(`order of refund ${refund.out_refund_no} not found`);
    const succeededAt = answer.succeededAtMs ?? now;
    await updateRefund(trx, refund.id, { status: 'SUCCESS', refund_id: answer.refundId, failure: null, succeeded_at: new Date(succeededAt) }, now);
    await trx
      .updateTable('payment_orders')
      .set((eb) => ({ refunded_fen: eb('refunded_fen', '+', refund.amount_fen), updated_at: new Date(now) }))
      .where('id', '=', order.id)
      .execute();
    await recordMovement(
      trx,
      { entryKey: `refund:${refund.out_refund_no}`, kind: 'REFUND', amountFen: -refund.amount_fen, order, refundId: refund.id, providerRef: answer.refundId },
      succeededAt,
    );
    await appendEvents(trx, [refundEvent(refund, 'REFUNDED', source, now)]);
    return 'SUCCESS';
  });
}

function refundEvent(refund: RefundRow, type: string, source: string, atMs: number) {
  return bookingEvent({ bookingId: refund.booking_id, merchantId: refund.merchant_id }, type, `system:refund-${source}`, atMs, {
    outRefundNo: refund.out_refund_no,
    amountFen: refund.amount_fen,
    reason: refund.reason,
  });
}
