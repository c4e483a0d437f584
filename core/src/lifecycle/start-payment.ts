import { findCustomer } from '../../../db/src/repositories/customer.repository.ts';
import { insertOrderOnce, updateOrder } from '../../../db/src/repositories/payment.repository.ts';
import { findStore } from '../../../db/src/repositories/catalog.repository.ts';
import { AppError } from '../errors.ts';
import { type ClientPaymentParams, isRetryableProviderError, outTradeNoOf } from '../payments/provider.ts';
import type { Actor } from './deps.ts';
import { findVisibleBooking } from './find.ts';
import type { MoneyDeps } from './money-deps.ts';

export type StartPaymentResult =
  | { kind: 'pay'; outTradeNo: string; amountFen: number; dueAt: string; params: ClientPaymentParams }
  | { kind: 'paid'; outTradeNo: string; amountFen: number };

/** WeChat refuses a time_expire less than a minute after the order is created. */
const MIN_PROVIDER_EXPIRY_MS = 61_000;

/**
 * Opens (or reopens) the WeChat Pay order of a booking awaiting payment and
 * returns what `wx.requestPayment` needs. One order per booking: a retry, a
 * second tab or a double tap all get the same out_trade_no with the same
 * parameters, which WeChat answers with the same prepay_id, so nobody can be
 * charged twice for one booking.
 */
export async function startPayment(deps: MoneyDeps, actor: Actor & { kind: 'customer' }, bookingId: string): Promise<StartPaymentResult> {
  const found = await findVisibleBooking(deps, actor, bookingId);
  if (found.kind === 'pending') throw new AppError('INVALID_TRANSITION', 'booking is still being processed; try again shortly', { retryAfterSeconds: 1 });
  const row = found.row;
  const now = deps.clock.now();
  if (row.amount_due_fen <= 0) throw new AppError('PAYMENT_NOT_REQUIRED', `booking ${row.id} is paid at the store`);
  if (row.status === 'EXPIRED' && row.status_reason === 'PAYMENT_DEADLINE_PASSED') throw new AppError('PAYMENT_DEADLINE_PASSED');
  if (row.status !== 'AWAITING_PAYMENT') {
    if (row.status === 'CONFIRMED' || row.status === 'CHECKED_IN' || row.status === 'COMPLETED') {
      return { kind: 'paid', outTradeNo: outTradeNoOf(row.id), amountFen: row.amount_due_fen };
    }
    throw new AppError('INVALID_TRANSITION', `cannot pay a ${row.status} booking`);
  }
  const dueMs = row.payment_due_at?.getTime() ?? now;
  if (dueMs <= now) throw new AppError('PAYMENT_DEADLINE_PASSED');

  const customer = await findCustomer(deps.db, row.customer_id);
  if (!customer) throw new Error(`customer ${row.customer_id} of booking ${row.id} is missing`);
  const order = await insertOrderOnce(deps.db, {
    out_trade_no: outTradeNoOf(row.id),
    booking_id: row.id,
    merchant_id: row.merchant_id,
    store_id: row.store_id,
    customer_id: row.customer_id,
    kind: row.amount_due_fen >= row.price_fen ? 'full' : 'deposit',
    amount_fen: row.amount_due_fen,
    status: 'CREATED',
    prepay_id: null,
    transaction_id: null,
    // Fixed at first creation: WeChat treats a changed time_expire on the same out_trade_no as a new order (OUT_TRADE_NO_USED).
    expires_at: new Date(Math.max(dueMs, now + MIN_PROVIDER_EXPIRY_MS)),
    paid_at: null,
    last_checked_at: null,
    created_at: new Date(now),
    updated_at: new Date(now),
  });
  if (order.status === 'PAID') return { kind: 'paid', outTradeNo: order.out_trade_no, amountFen: order.amount_fen };
  if (order.status === 'CLOSED') throw new AppError('PAYMENT_DEADLINE_PASSED');

  const store = await findStore(deps.db, row.store_id);
  let prepayId: string;
  try {
    ({ prepayId } = await deps.provider.createOrder({
      outTradeNo: order.out_trade_no,
      // WeChat shows this in the payer's bill; 1–3 byte UTF-8 only, ≤ 127 characters.
      description: `${store?.name ?? '智约'}-预约${order.kind === 'full' ? '付款' : '定金'}`.replace(/[\u{10000}-\u{10FFFF}]/gu, '').slice(0, 60),
      amountFen: order.amount_fen,
      payerOpenid: customer.openid,
      expiresAtMs: order.expires_at.getTime(),
      attach: row.id,
    }));
  } catch (error) {
    if (isRetryableProviderError(error)) throw new AppError('PAYMENT_UNAVAILABLE', 'payment provider unavailable', { retryAfterSeconds: 2 }, { cause: error });
    throw error;
  }
  if (order.prepay_id !== prepayId) await updateOrder(deps.db, order.id, { prepay_id: prepayId }, now);
  return { kind: 'pay', outTradeNo: order.out_trade_no, amountFen: order.amount_fen, dueAt: new Date(dueMs).toISOString(), params: deps.provider.clientParams(prepayId) };
}
