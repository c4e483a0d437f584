import { HOUR_MS, MINUTE_MS } from '../time/zoned.ts';

/**
 * A service's payment rules, as merchants set them. Pure data: the functions
 * below decide what a booking owes and what a cancellation gives back, to
 * the fen, so the same numbers appear in the API, the refund and the ledger.
 */
export type PaymentMode = 'none' | 'deposit' | 'full';
export type DepositTarget = 'all' | 'new_customers' | 'prior_no_shows' | 'amount_above';

export interface PaymentPolicy {
  mode: PaymentMode;
  depositFixedFen: number | null;
  depositPercent: number | null;
  /** Who must pay online; everyone else pays at the store. */
  target: DepositTarget;
  targetAmountFen: number | null;
  targetNoShows: number;
  paymentWindowMinutes: number;
  /** Cancelling at least this many hours before the start is free. */
  freeCancelHours: number;
  /** Share of what was paid that a late cancellation keeps (100 = the deposit is forfeited). */
  lateCancelFeePercent: number;
  noShowFeePercent: number;
}

export const payAtStore: PaymentPolicy = {
  mode: 'none',
  depositFixedFen: null,
  depositPercent: null,
  target: 'all',
  targetAmountFen: null,
  targetNoShows: 1,
  paymentWindowMinutes: 15,
  freeCancelHours: 24,
  lateCancelFeePercent: 100,
  noShowFeePercent: 100,
};

/** What we know of a customer at this merchant when a booking is persisted. */
export interface CustomerHistory {
  /** Bookings that were checked in or completed. */
  visits: number;
  noShows: number;
}

export type PaymentPlan = { kind: 'none' } | { kind: 'deposit' | 'full'; amountFen: number; dueMs: number };

/** Whole-percent share of an amount in fen, rounded half up, so fee + refund always add up to what was paid. */
export function percentOf(amountFen: number, percent: number): number {
  return Math.floor((amountFen * percent + 50) / 100);
}

export function isTargeted(policy: PaymentPolicy, priceFen: number, history: CustomerHistory): boolean {
  switch (policy.target) {
    case 'all':
      return true;
    case 'new_customers':
      return history.visits === 0;
    case 'prior_no_shows':
      return history.noShows >= Math.max(1, policy.targetNoShows);
    case 'amount_above':
      return priceFen > (policy.targetAmountFen ?? 0);
  }
}

/** True if deciding the plan needs the customer's history (saves a query for everyone else). */
export function needsHistory(policy: PaymentPolicy): boolean {
  return policy.mode !== 'none' && (policy.target === 'new_customers' || policy.target === 'prior_no_shows');
}

/**
 * What a booking must pay online, and by when. The deadline never passes the
 * start of the appointment; a zero amount (free service, 0 % deposit) means
 * nothing to pay.
 */
export function paymentPlan(
  policy: PaymentPolicy,
  booking: { priceFen: number; startMs: number },
  history: CustomerHistory,
  nowMs: number,
): PaymentPlan {
  if (policy.mode === 'none' || booking.priceFen <= 0 || !isTargeted(policy, booking.priceFen, history)) return { kind: 'none' };
  const amountFen =
    policy.mode === 'full'
      ? booking.priceFen
      : Math.min(booking.priceFen, policy.depositFixedFen ?? percentOf(booking.priceFen, policy.depositPercent ?? 0));
  if (amountFen <= 0) return { kind: 'none' };
  const dueMs = Math.min(nowMs + policy.paymentWindowMinutes * MINUTE_MS, booking.startMs);
  return { kind: policy.mode, amountFen, dueMs };
}

export type CancelRule = 'FREE_CANCELLATION' | 'LATE_CANCELLATION' | 'MERCHANT_CANCELLED' | 'NO_SHOW';

export interface MoneyBack {
  rule: CancelRule;
  /** Kept by the merchant (a late-cancellation fee or the forfeited deposit). */
  feeFen: number;
  refundFen: number;
}

/**
 * What a cancellation gives back. Merchants cancelling always refund in full;
 * a customer cancelling at least `freeCancelHours` before the start is free,
 * later costs `lateCancelFeePercent` of what was paid.
 */
export function cancellationMoney(
  policy: PaymentPolicy,
  paidFen: number,
  input: { startMs: number; nowMs: number; byMerchant: boolean },
): MoneyBack {
  if (input.byMerchant) return { rule: 'MERCHANT_CANCELLED', feeFen: 0, refundFen: paidFen };
  if (input.startMs - input.nowMs >= policy.freeCancelHours * HOUR_MS) return { rule: 'FREE_CANCELLATION', feeFen: 0, refundFen: paidFen };
  const feeFen = percentOf(paidFen, policy.lateCancelFeePercent);
  return { rule: 'LATE_CANCELLATION', feeFen, refundFen: paidFen - feeFen };
}

/** A no-show forfeits `noShowFeePercent` of what was paid; the rest goes back. */
export function noShowMoney(policy: PaymentPolicy, paidFen: number): MoneyBack {
  const feeFen = percentOf(paidFen, policy.noShowFeePercent);
  return { rule: 'NO_SHOW', feeFen, refundFen: paidFen - feeFen };
}
