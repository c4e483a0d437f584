import type { Queue } from 'bullmq';
import { unpaidPastDeadline } from '../../../db/src/repositories/booking.repository.ts';
import { staleUnpaidOrders, unsettledRefunds } from '../../../db/src/repositories/payment.repository.ts';
import type { LifecycleDeps } from '../../../core/src/lifecycle/deps.ts';
import { chinaDate } from '../../../core/src/wechatpay/time.ts';
import { DAY_MS } from '../../../core/src/time/zoned.ts';
import { JobNames, settlementJobIds, settlementJobOptions } from '../jobs/contracts.ts';

/**
 * The settlement pool's periodic work (leader only). Each sweep only finds
 * work in MySQL and queues it under ids bucketed by time: a doubled tick adds
 * nothing, a lost job is found again on a later tick.
 */
export function createSettlementSweeps(deps: LifecycleDeps, queue: Queue, options: { queryAfterMs: number }) {
  const bucket = (periodMs: number) => Math.floor(deps.clock.now() / periodMs);

  /** Payment deadlines that passed: close the order, expire the booking, free the slot. */
  async function deadlines(): Promise<number> {
    const due = await unpaidPastDeadline(deps.db, deps.clock.now(), 500);
    const b = bucket(60_000);
    await queue.addBulk(
      due.map((row) => ({ name: JobNames.expireUnpaid, data: { kind: 'unpaid' as const, bookingId: row.id }, opts: { ...settlementJobOptions, jobId: settlementJobIds.unpaid(row.id, b) } })),
    );
    return due.length;
  }

  /** Orders silent for a while (a lost notify, a failed close) and refunds still open: ask WeChat. */
  async function staleMoney(): Promise<number> {
    const now = deps.clock.now();
    const after = Math.max(1, options.queryAfterMs);
    const b = bucket(after);
    const orders = await staleUnpaidOrders(deps.db, now - options.queryAfterMs, now - options.queryAfterMs, 200);
    const refunds = await unsettledRefunds(deps.db, now - options.queryAfterMs, 200);
    await queue.addBulk([
      ...orders.map((o) => ({ name: JobNames.settlePayment, data: { kind: 'order' as const, outTradeNo: o.out_trade_no }, opts: { ...settlementJobOptions, jobId: settlementJobIds.order(o.out_trade_no, b) } })),
      ...refunds.map((r) =>
        r.status === 'PENDING'
          ? { name: JobNames.issueRefund, data: { kind: 'refund' as const, refundId: r.id }, opts: { ...settlementJobOptions, jobId: settlementJobIds.refund(r.id, b) } }
          : {
              name: JobNames.settleRefund,
              data: { kind: 'refund-check' as const, outRefundNo: r.out_refund_no },
              opts: { ...settlementJobOptions, jobId: settlementJobIds.refundCheck(r.out_refund_no, b) },
            },
      ),
    ]);
    return orders.length + refunds.length;
  }

  /** Yesterday's trade bill (China calendar), once per day. */
  async function bill(): Promise<string> {
    const billDate = chinaDate(deps.clock.now() - DAY_MS);
    await queue.add(JobNames.reconcileBill, { kind: 'bill', billDate }, { ...settlementJobOptions, jobId: settlementJobIds.bill(billDate) });
    return billDate;
  }

  return { deadlines, staleMoney, bill };
}
