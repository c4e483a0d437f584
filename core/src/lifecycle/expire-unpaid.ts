import { appendEvents, bookingCellsOf, findBooking, lockBooking, transitionBooking } from '../../../db/src/repositories/booking.repository.ts';
import { giveBackCells } from '../../../db/src/repositories/inventory.repository.ts';
import { lockOrder, orderByOutTradeNo, orderOfBooking, updateOrder } from '../../../db/src/repositories/payment.repository.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { lateRevival } from '../booking/state-machine.ts';
import { isRetryableProviderError } from '../payments/provider.ts';
import { holdOwnerOfRow, releaseBookingHold } from './converge.ts';
import { transitionEvent } from './events.ts';
import type { MoneyDeps } from './money-deps.ts';
import { settlePaidTransaction, type SettlePaymentResult } from './settle-payment.ts';

export type ExpireUnpaidResult = 'not-due' | 'gone' | 'expired' | { paid: SettlePaymentResult };

/**
 * The payment deadline of one booking. The WeChat order is closed first, so
 * a customer cannot pay for a slot we are about to give away; if the close
 * finds the order already paid, the payment is settled instead. If WeChat
 * cannot be reached the booking expires anyway (capacity must not wait on a
 * third party) and the order stays open for the stale-order check, which
 * closes it later — or, if a payment slipped in, settles it (revive or refund).
 */
export async function expireUnpaidBooking(deps: MoneyDeps, bookingId: string): Promise<ExpireUnpaidResult> {
  const row = await findBooking(deps.db, bookingId);
  if (!row || row.status !== 'AWAITING_PAYMENT') return 'gone';
  const now = deps.clock.now();
  if ((row.payment_due_at?.getTime() ?? 0) > now) return 'not-due';
  const order = await orderOfBooking(deps.db, bookingId);
  if (order?.status === 'CREATED') {
    const closed = await closeOrSettle(deps, order.out_trade_no);
    if (closed !== 'closed' && closed !== 'unreachable') return { paid: closed };
  }
  const outcome = await inTransaction(deps.db, async (trx) => {
    // Order before booking: the same lock order as settling a payment, so the two never deadlock.
    if (order) await lockOrder(trx, order.out_trade_no);
    const locked = await lockBooking(trx, bookingId);
    if (!locked || locked.status !== 'AWAITING_PAYMENT') return null;
    await transitionBooking(trx, bookingId, ['AWAITING_PAYMENT'], 'EXPIRED', lateRevival.reason, now);
    const cells = await bookingCellsOf(trx, bookingId);
    await giveBackCells(trx, cells);
    await appendEvents(trx, [transitionEvent({ bookingId, merchantId: locked.merchant_id }, 'AWAITING_PAYMENT', 'EXPIRED', 'system:payment-deadline', now, { reason: lateRevival.reason })]);
    return cells;
  });
  if (!outcome) return 'gone';
  await releaseBookingHold(deps, holdOwnerOfRow(row), outcome, 'EXPIRED', true);
  return 'expired';
}

/** Closes an unpaid order; a paid one is settled. 'unreachable' leaves it for the next stale-order check. */
async function closeOrSettle(deps: MoneyDeps, outTradeNo: string): Promise<'closed' | 'unreachable' | SettlePaymentResult> {
  try {
    if ((await deps.provider.closeOrder(outTradeNo)) === 'closed') {
      const order = await orderByOutTradeNo(deps.db, outTradeNo);
      if (order?.status === 'CREATED') await updateOrder(deps.db, order.id, { status: 'CLOSED' }, deps.clock.now());
      return 'closed';
    }
    const transaction = await deps.provider.queryOrder(outTradeNo);
    if (!transaction) return 'unreachable';
    return await settlePaidTransaction(deps, transaction, 'close');
  } catch (error) {
    if (isRetryableProviderError(error)) return 'unreachable';
    throw error;
  }
}

export type StaleOrderResult = 'skipped' | 'still-open' | 'closed' | 'unreachable' | SettlePaymentResult;

/**
 * The query path: an order we have heard nothing about for a while. Settles
 * it if WeChat says it was paid (the notify was lost), closes it if its
 * booking no longer waits for the money, and otherwise leaves it alone.
 */
export async function checkStaleOrder(deps: MoneyDeps, outTradeNo: string): Promise<StaleOrderResult> {
  const order = await orderByOutTradeNo(deps.db, outTradeNo);
  if (!order || order.status !== 'CREATED') return 'skipped';
  const now = deps.clock.now();
  await updateOrder(deps.db, order.id, { last_checked_at: new Date(now) }, now);
  const transaction = await deps.provider.queryOrder(outTradeNo);
  if (transaction && (transaction.state === 'SUCCESS' || transaction.state === 'REFUND')) return settlePaidTransaction(deps, transaction, 'query');
  if (transaction?.state === 'CLOSED' || transaction?.state === 'REVOKED') {
    await updateOrder(deps.db, order.id, { status: 'CLOSED' }, now);
    return 'closed';
  }
  const booking = await findBooking(deps.db, order.booking_id);
  if (booking?.status === 'AWAITING_PAYMENT') return 'still-open';
  if (!transaction) {
    // WeChat never saw it (createOrder failed): nothing to close.
    await updateOrder(deps.db, order.id, { status: 'CLOSED' }, now);
    return 'closed';
  }
  return closeOrSettle(deps, outTradeNo);
}
