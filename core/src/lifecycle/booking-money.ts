import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../db/src/database.ts';
import { appendEvents } from '../../../db/src/repositories/booking.repository.ts';
import { insertRefund, policiesOf } from '../../../db/src/repositories/payment.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import type { PaymentOrderRow } from '../../../db/src/tables/payment.table.ts';
import { type MoneyBack, payAtStore, type PaymentPolicy } from '../payments/policy.ts';
import { outRefundNoOf } from '../payments/provider.ts';
import { bookingEvent } from './events.ts';

export async function policyOfService(db: Kysely<Database> | Transaction<Database>, serviceId: number): Promise<PaymentPolicy> {
  return (await policiesOf(db, [serviceId])).get(serviceId) ?? payAtStore;
}

/** What is still refundable on an order: paid and not yet refunded (or being refunded). */
export function refundableFen(order: PaymentOrderRow | undefined): number {
  return order?.status === 'PAID' ? order.amount_fen - order.refunded_fen : 0;
}

/**
 * Records the money side of a cancellation or no-show inside the caller's
 * transaction: the refund to send (if any) and what the merchant keeps, as
 * booking events. The refund itself is sent after the commit by the
 * settlement workers, under this refund's out_refund_no.
 */
export async function recordMoneyBack(
  trx: Transaction<Database>,
  booking: BookingRow,
  order: PaymentOrderRow,
  money: MoneyBack,
  refundTag: string,
  actor: string,
  nowMs: number,
): Promise<number | null> {
  const ref = { bookingId: booking.id, merchantId: booking.merchant_id };
  const events = [];
  let refundId: number | null = null;
  if (money.refundFen > 0) {
    const outRefundNo = outRefundNoOf(booking.id, refundTag);
    refundId = await insertRefund(trx, { outRefundNo, order, amountFen: money.refundFen, reason: money.rule }, nowMs);
    events.push(bookingEvent(ref, 'REFUND_REQUESTED', actor, nowMs, { outRefundNo, amountFen: money.refundFen, reason: money.rule }));
  }
  if (money.feeFen > 0) events.push(bookingEvent(ref, 'FEE_RETAINED', actor, nowMs, { feeFen: money.feeFen, rule: money.rule, outTradeNo: order.out_trade_no }));
  await appendEvents(trx, events);
  return refundId;
}
