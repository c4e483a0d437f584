import { describe, expect, it } from 'vitest';
import { type PlannerEvent, plansForEvent } from './plan.ts';

const now = Date.parse('2026-12-01T00:00:00Z');
const booking = { id: 'B1', merchantId: 1, storeId: 2, customerId: 3, startMs: Date.parse('2026-12-02T02:00:00Z'), status: 'CONFIRMED' };
const settings = { reminderOffsets: [1440, 120], reviewDelayMinutes: 120 };
const event = (over: Partial<PlannerEvent>): PlannerEvent => ({ id: 10, bookingId: 'B1', type: 'CONFIRMED', fromStatus: 'PENDING', actor: 'system:persist', payload: {}, occurredMs: now, ...over });
const summary = (plans: ReturnType<typeof plansForEvent>) => plans.map((p) => `${p.audience}:${p.kind}:${p.channel}`).sort();

describe('plansForEvent', () => {
  it('confirms to the customer (push + in-app), tells the merchant, and plans each reminder', () => {
    const plans = plansForEvent(event({}), booking, settings, now);
    expect(summary(plans)).toEqual(
      [
        'customer:BOOKING_CONFIRMED:inapp',
        'customer:BOOKING_CONFIRMED:push',
        'customer:REMINDER:inapp',
        'customer:REMINDER:inapp',
        'customer:REMINDER:push',
        'customer:REMINDER:push',
        'merchant:NEW_BOOKING:inapp',
      ].sort(),
    );
    expect(new Set(plans.map((p) => p.dedupeKey)).size).toBe(plans.length);
    expect(plans.filter((p) => p.kind === 'REMINDER').map((p) => p.dedupeKey)).toContain(`rem:B1:${booking.startMs}:1440:push`);
  });

  it('is deterministic: the same event plans the same keys (replays add nothing)', () => {
    expect(plansForEvent(event({}), booking, settings, now).map((p) => p.dedupeKey)).toEqual(plansForEvent(event({}), booking, settings, now).map((p) => p.dedupeKey));
  });

  it('confirms a cancellation the customer made in-app only, and pushes one made for them', () => {
    expect(summary(plansForEvent(event({ type: 'CANCELLED', fromStatus: 'CONFIRMED', actor: 'customer:3' }), booking, settings, now))).toEqual([
      'customer:BOOKING_CANCELLED:inapp',
      'merchant:BOOKING_CANCELLED_BY_CUSTOMER:inapp',
    ]);
    expect(summary(plansForEvent(event({ type: 'CANCELLED', fromStatus: 'CONFIRMED', actor: 'staff:9' }), booking, settings, now))).toEqual([
      'customer:BOOKING_CANCELLED:inapp',
      'customer:BOOKING_CANCELLED:push',
    ]);
    // A request cancelled before it was ever persisted is nobody's news.
    expect(plansForEvent(event({ type: 'CANCELLED', fromStatus: 'PENDING', actor: 'staff:9' }), booking, settings, now)).toEqual([]);
  });

  it('pushes a waitlist offer to the customer, and keeps a declined or withdrawn offer from the merchant', () => {
    expect(summary(plansForEvent(event({ type: 'WAITLIST_OFFERED', fromStatus: null, actor: 'system:persist' }), booking, settings, now))).toEqual([
      'customer:WAITLIST_OFFER:inapp',
      'customer:WAITLIST_OFFER:push',
    ]);
    expect(summary(plansForEvent(event({ type: 'CANCELLED', fromStatus: 'OFFERED', actor: 'customer:3' }), booking, settings, now))).toEqual(['customer:BOOKING_CANCELLED:inapp']);
    expect(plansForEvent(event({ type: 'CANCELLED', fromStatus: 'OFFERED', actor: 'system:waitlist' }), booking, settings, now)).toEqual([]);
    expect(plansForEvent(event({ type: 'EXPIRED', fromStatus: 'OFFERED', actor: 'system:waitlist' }), booking, settings, now)).toEqual([]);
    expect(plansForEvent(event({ type: 'OFFERED', fromStatus: 'PENDING' }), booking, settings, now)).toEqual([]);
  });

  it('plans fresh reminders at the new time when a booking moves', () => {
    const to = Date.parse('2026-12-03T02:00:00Z');
    const plans = plansForEvent(event({ type: 'RESCHEDULED', payload: { from: { startAt: new Date(booking.startMs).toISOString() }, to: { startAt: new Date(to).toISOString() } } }), booking, settings, now);
    expect(plans.filter((p) => p.kind === 'REMINDER').every((p) => p.startMs === to && p.dedupeKey.includes(String(to)))).toBe(true);
    expect(plans.find((p) => p.kind === 'BOOKING_CHANGED' && p.channel === 'push')).toBeDefined();
  });

  it('asks for a review after the delay, refunds and payments with the amount, expiry only after awaiting payment', () => {
    const review = plansForEvent(event({ type: 'COMPLETED' }), booking, settings, now);
    expect(review.every((p) => p.kind === 'REVIEW_REQUEST' && p.dueMs === now + 120 * 60_000)).toBe(true);
    expect(plansForEvent(event({ type: 'REFUNDED', payload: { amountFen: 5820 } }), booking, settings, now).map((p) => p.amountFen)).toEqual([5820, 5820]);
    expect(summary(plansForEvent(event({ type: 'PAYMENT_RECEIVED', payload: { amountFen: 100 } }), booking, settings, now))).toEqual(['customer:PAYMENT_RECEIVED:inapp']);
    expect(summary(plansForEvent(event({ type: 'EXPIRED', fromStatus: 'AWAITING_PAYMENT' }), booking, settings, now))).toEqual(['customer:PAYMENT_EXPIRED:inapp']);
    expect(plansForEvent(event({ type: 'EXPIRED', fromStatus: 'PENDING' }), booking, settings, now)).toEqual([]);
    expect(plansForEvent(event({ type: 'CHECKED_IN' }), booking, settings, now)).toEqual([]);
  });
});
