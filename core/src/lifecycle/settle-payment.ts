import { appendEvents, bookingCellsOf, findBooking, lockBooking, setCheckinCode, transitionBooking } from '../../../db/src/repositories/booking.repository.ts';
import { holdOwnerOfRow, releaseBookingHold } from './converge.ts';
import { takeCells } from '../../../db/src/repositories/inventory.repository.ts';
import { insertRefund, lockOrder, recordMovement, updateOrder } from '../../../db/src/repositories/payment.repository.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { lateRevival } from '../booking/state-machine.ts';
import { newCheckinCode } from '../payments/checkin-code.ts';
import { outRefundNoOf, type ProviderTransaction } from '../payments/provider.ts';
import type { MoneyDeps } from './money-deps.ts';
import { bookingEvent, transitionEvent } from './events.ts';
import { reconcileStore } from './reconcile.ts';

export type SettlePaymentResult =
  | { kind: 'not-paid'; state: string }
  | { kind: 'mismatch'; detail: string }
  | { kind: 'already-settled' }
  | { kind: 'confirmed'; bookingId: string }
  | { kind: 'revived'; bookingId: string }
  | { kind: 'refund'; bookingId: string; refundId: number; reason: string };

/**
 * Applies a paid transaction, however it reached us (notify, query, a close
 * that found the order paid). Everything happens under the order's row lock:
 * the first caller records the payment and decides the booking's fate, every
 * replay finds the order PAID and changes nothing. The booking lock then
 * serialises us with the payment-deadline sweep, so a booking is confirmed or
 * refunded — never both, never neither:
 *  - AWAITING_PAYMENT → CONFIRMED;
 *  - expired by its payment deadline → CONFIRMED again if its cells are still
 *    free in MySQL, otherwise a full refund;
 *  - cancelled meanwhile (or anything else) → a full refund.
 */
export async function settlePaidTransaction(deps: MoneyDeps, tx: ProviderTransaction, source: string): Promise<SettlePaymentResult> {
  if (tx.state !== 'SUCCESS' && tx.state !== 'REFUND') return { kind: 'not-paid', state: tx.state };
  // "假通知" protection: the transaction must be ours, for our app, for the amount we asked.
  if (tx.mchid !== deps.provider.mchid || tx.appid !== deps.provider.appid) return { kind: 'mismatch', detail: `foreign mchid/appid ${tx.mchid}/${tx.appid}` };
  const now = deps.clock.now();
  const actor = `system:payment-${source}`;
  const result = await inTransaction(deps.db, async (trx): Promise<SettlePaymentResult> => {
    const order = await lockOrder(trx, tx.outTradeNo);
    if (!order) return { kind: 'mismatch', detail: `unknown out_trade_no ${tx.outTradeNo}` };
    if (order.amount_fen !== tx.totalFen) return { kind: 'mismatch', detail: `amount ${tx.totalFen} ≠ order ${order.amount_fen}` };
    if (order.status === 'PAID') return { kind: 'already-settled' };
    const paidAt = tx.paidAtMs ?? now;
    await updateOrder(trx, order.id, { status: 'PAID', transaction_id: tx.transactionId, paid_at: new Date(paidAt) }, now);
    await recordMovement(
      trx,
      { entryKey: `pay:${order.out_trade_no}`, kind: 'PAYMENT', amountFen: order.amount_fen, order, refundId: null, providerRef: tx.transactionId ?? order.out_trade_no },
      paidAt,
    );
    const ref = { bookingId: order.booking_id, merchantId: order.merchant_id };
    const paidEvent = bookingEvent(ref, 'PAYMENT_RECEIVED', actor, now, { outTradeNo: order.out_trade_no, amountFen: order.amount_fen, transactionId: tx.transactionId });
    const booking = await lockBooking(trx, order.booking_id);
    if (!booking) throw new Error(`booking ${order.booking_id} of order ${order.out_trade_no} is missing`);

    if (booking.status === 'AWAITING_PAYMENT') {
      await transitionBooking(trx, booking.id, ['AWAITING_PAYMENT'], 'CONFIRMED', null, now);
      await setCheckinCode(trx, booking.id, newCheckinCode());
      await appendEvents(trx, [paidEvent, transitionEvent(ref, 'AWAITING_PAYMENT', 'CONFIRMED', actor, now, { outTradeNo: order.out_trade_no })]);
      return { kind: 'confirmed', bookingId: booking.id };
    }
    if (booking.status === lateRevival.from && booking.status_reason === lateRevival.reason && booking.starts_at.getTime() > now) {
      if (await takeCells(trx, await bookingCellsOf(trx, booking.id))) {
        await transitionBooking(trx, booking.id, [lateRevival.from], lateRevival.to, 'LATE_PAYMENT', now);
        await setCheckinCode(trx, booking.id, newCheckinCode());
        await appendEvents(trx, [paidEvent, transitionEvent(ref, 'EXPIRED', 'CONFIRMED', actor, now, { reason: 'LATE_PAYMENT' })]);
        return { kind: 'revived', bookingId: booking.id };
      }
    }
    const reason = booking.status === 'EXPIRED' ? 'LATE_PAYMENT_NO_CAPACITY' : `PAID_WHILE_${booking.status}`;
    const outRefundNo = outRefundNoOf(booking.id, 'LATE');
    const refundId = await insertRefund(trx, { outRefundNo, order, amountFen: order.amount_fen, reason }, now);
    await appendEvents(trx, [paidEvent, bookingEvent(ref, 'REFUND_REQUESTED', actor, now, { outRefundNo, amountFen: order.amount_fen, reason })]);
    return { kind: 'refund', bookingId: booking.id, refundId, reason };
  });
  if (result.kind === 'revived') {
    // The expiry gives the cells back in Redis after its commit, possibly only now (it races us). Release
    // the hold first — the script acts once per hold, so the expiry's own release becomes a no-op — and
    // then rewrite those days from MySQL, which has taken the cells again.
    const booking = await findBooking(deps.db, result.bookingId);
    if (!booking) throw new Error(`revived booking ${result.bookingId} vanished`);
    const cells = await bookingCellsOf(deps.db, result.bookingId);
    await releaseBookingHold(deps, holdOwnerOfRow(booking), cells, 'EXPIRED', true);
    await reconcileStore(deps, booking.store_id, 'repair', [...new Set([booking.local_date, ...cells.map((c) => c.localDate)])]);
  }
  return result;
}
