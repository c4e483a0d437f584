import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cancellationMoney, noShowMoney, type PaymentPolicy, payAtStore, paymentPlan, percentOf } from './policy.ts';

const HOUR = 3_600_000;
const now = Date.parse('2026-12-01T02:00:00Z');
const start = now + 48 * HOUR;
const newcomer = { visits: 0, noShows: 0 };
const regular = { visits: 5, noShows: 0 };
const flaky = { visits: 3, noShows: 2 };

const deposit = (over: Partial<PaymentPolicy>): PaymentPolicy => ({ ...payAtStore, mode: 'deposit', depositPercent: 30, ...over });

describe('paymentPlan', () => {
  it('asks nothing online when the service is paid at the store', () => {
    expect(paymentPlan(payAtStore, { priceFen: 9900, startMs: start }, newcomer, now)).toEqual({ kind: 'none' });
  });

  it('takes a percentage deposit rounded half up to the fen', () => {
    // 30 % of 333 fen = 99.9 → 100
    expect(paymentPlan(deposit({}), { priceFen: 333, startMs: start }, regular, now)).toMatchObject({ kind: 'deposit', amountFen: 100 });
    // 30 % of 1 fen = 0.3 → 0: nothing to pay
    expect(paymentPlan(deposit({}), { priceFen: 1, startMs: start }, regular, now)).toEqual({ kind: 'none' });
  });

  it('takes a fixed deposit, never more than the price', () => {
    expect(paymentPlan(deposit({ depositFixedFen: 5000, depositPercent: null }), { priceFen: 12800, startMs: start }, regular, now)).toMatchObject({
      amountFen: 5000,
    });
    expect(paymentPlan(deposit({ depositFixedFen: 5000, depositPercent: null }), { priceFen: 3000, startMs: start }, regular, now)).toMatchObject({
      amountFen: 3000,
    });
  });

  it('takes the whole price for full prepayment', () => {
    expect(paymentPlan({ ...payAtStore, mode: 'full' }, { priceFen: 12800, startMs: start }, regular, now)).toMatchObject({ kind: 'full', amountFen: 12800 });
  });

  it('targets new customers, prior no-shows and large bookings only when asked', () => {
    const forNew = deposit({ target: 'new_customers' });
    expect(paymentPlan(forNew, { priceFen: 10000, startMs: start }, newcomer, now).kind).toBe('deposit');
    expect(paymentPlan(forNew, { priceFen: 10000, startMs: start }, regular, now).kind).toBe('none');

    const forNoShows = deposit({ target: 'prior_no_shows', targetNoShows: 2 });
    expect(paymentPlan(forNoShows, { priceFen: 10000, startMs: start }, flaky, now).kind).toBe('deposit');
    expect(paymentPlan(forNoShows, { priceFen: 10000, startMs: start }, { visits: 1, noShows: 1 }, now).kind).toBe('none');

    const forLarge = deposit({ target: 'amount_above', targetAmountFen: 50000 });
    expect(paymentPlan(forLarge, { priceFen: 50000, startMs: start }, newcomer, now).kind).toBe('none');
    expect(paymentPlan(forLarge, { priceFen: 50001, startMs: start }, newcomer, now).kind).toBe('deposit');
  });

  it('gives the payment window, but never past the start of the appointment', () => {
    const plan = paymentPlan(deposit({ paymentWindowMinutes: 15 }), { priceFen: 10000, startMs: start }, regular, now);
    expect(plan).toMatchObject({ dueMs: now + 15 * 60_000 });
    const soon = paymentPlan(deposit({ paymentWindowMinutes: 15 }), { priceFen: 10000, startMs: now + 5 * 60_000 }, regular, now);
    expect(soon).toMatchObject({ dueMs: now + 5 * 60_000 });
  });
});

describe('cancellationMoney', () => {
  const policy = deposit({ freeCancelHours: 24, lateCancelFeePercent: 50 });

  it('is free at exactly the cut-off and earlier', () => {
    expect(cancellationMoney(policy, 3000, { startMs: start, nowMs: start - 24 * HOUR, byMerchant: false })).toEqual({
      rule: 'FREE_CANCELLATION',
      feeFen: 0,
      refundFen: 3000,
    });
  });

  it('charges the late fee one millisecond after the cut-off', () => {
    expect(cancellationMoney(policy, 3001, { startMs: start, nowMs: start - 24 * HOUR + 1, byMerchant: false })).toEqual({
      rule: 'LATE_CANCELLATION',
      feeFen: 1501,
      refundFen: 1500,
    });
  });

  it('forfeits the whole deposit at 100 %', () => {
    expect(cancellationMoney({ ...policy, lateCancelFeePercent: 100 }, 3000, { startMs: start, nowMs: start - HOUR, byMerchant: false })).toMatchObject({
      feeFen: 3000,
      refundFen: 0,
    });
  });

  it('refunds everything when the merchant cancels, however late', () => {
    expect(cancellationMoney(policy, 3000, { startMs: start, nowMs: start - 1, byMerchant: true })).toEqual({
      rule: 'MERCHANT_CANCELLED',
      feeFen: 0,
      refundFen: 3000,
    });
  });

  it('never creates or loses a fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 96 }), (paid, pct, hoursBefore) => {
        const money = cancellationMoney({ ...policy, lateCancelFeePercent: pct }, paid, { startMs: start, nowMs: start - hoursBefore * HOUR, byMerchant: false });
        return money.feeFen + money.refundFen === paid && money.feeFen >= 0 && money.refundFen >= 0 && Number.isInteger(money.feeFen);
      }),
    );
  });
});

describe('noShowMoney and percentOf', () => {
  it('forfeits the configured share of a no-show', () => {
    expect(noShowMoney(deposit({ noShowFeePercent: 100 }), 5000)).toEqual({ rule: 'NO_SHOW', feeFen: 5000, refundFen: 0 });
    expect(noShowMoney(deposit({ noShowFeePercent: 25 }), 5001)).toEqual({ rule: 'NO_SHOW', feeFen: 1250, refundFen: 3751 });
  });

  it('rounds half up with integers only', () => {
    expect(percentOf(150, 1)).toBe(2); // 1.5 → 2
    expect(percentOf(149, 1)).toBe(1); // 1.49 → 1
    expect(percentOf(0, 50)).toBe(0);
  });
});
