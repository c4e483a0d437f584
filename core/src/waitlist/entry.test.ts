import { describe, expect, it } from 'vitest';
import { BookingStatuses } from '../booking/state-machine.ts';
import type { GroupPlan } from '../inventory/plan.ts';
import { activeKey, compareQueued, entryStatusAfter, isActiveEntry, offerDeadline, offerIdempotencyKey, positionIn, slotFits, WaitlistStatuses } from './entry.ts';

const MIN = 60_000;

describe('waitlist entries', () => {
  it('when an entry waits or holds an offer, then it is active; every other status is an end', () => {
    expect(WaitlistStatuses.filter(isActiveEntry)).toEqual(['WAITING', 'OFFERED']);
  });

  it('when the same customer waits for the same slot twice, then both attempts share one active key', () => {
    expect(activeKey(7, 3, 1_800_000)).toBe(activeKey(7, 3, 1_800_000));
    expect(new Set([activeKey(7, 3, 1), activeKey(8, 3, 1), activeKey(7, 4, 1), activeKey(7, 3, 2)]).size).toBe(4);
  });

  it('when an offer is retried after MySQL refused it, then it gets a fresh idempotency key', () => {
    expect(offerIdempotencyKey(12, 0)).toBe('wl-12-0');
    expect(offerIdempotencyKey(12, 1)).not.toBe(offerIdempotencyKey(12, 0));
    expect(offerIdempotencyKey(12, 0)).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('when the slot starts within the window, then the offer closes at the start', () => {
    expect(offerDeadline(0, 60 * MIN, 15 * MIN)).toBe(15 * MIN);
    expect(offerDeadline(0, 10 * MIN, 15 * MIN)).toBe(10 * MIN);
  });

  it('when the offered booking moves on, then the entry follows it into exactly one state', () => {
    const after = Object.fromEntries(BookingStatuses.map((s) => [s, entryStatusAfter(s)]));
    expect(after).toEqual({
      PENDING: null,
      OFFERED: null,
      AWAITING_PAYMENT: 'ACCEPTED',
      CONFIRMED: 'ACCEPTED',
      CHECKED_IN: 'ACCEPTED',
      COMPLETED: 'ACCEPTED',
      NO_SHOW: 'ACCEPTED',
      CANCELLED: 'DECLINED',
      EXPIRED: 'EXPIRED',
      REJECTED: 'WAITING',
    });
  });
});

describe('serving order', () => {
  const a = { id: 1, priority: 0, joinedMs: 100 };
  const b = { id: 2, priority: 0, joinedMs: 200 };
  const c = { id: 3, priority: 0, joinedMs: 200 };
  const vip = { id: 4, priority: 5, joinedMs: 900 };

  it('when priorities are equal, then first come first served, ids breaking ties', () => {
    expect([c, b, a].sort(compareQueued).map((e) => e.id)).toEqual([1, 2, 3]);
  });

  it('when someone has a higher priority, then they go first whenever they joined', () => {
    expect([a, b, c, vip].sort(compareQueued).map((e) => e.id)).toEqual([4, 1, 2, 3]);
    expect(positionIn(a, [a, b, c, vip])).toBe(2);
    expect(positionIn(c, [a, b, c])).toBe(3);
    expect(positionIn(a, [])).toBe(1);
  });
});

describe('slotFits', () => {
  const cell = (resourceId: number) => ({ resourceId, startMinute: 600, localDate: '2026-12-02' });
  const groups = (quantity: number, ...resources: number[]): GroupPlan[] => [{ quantity, candidates: resources.map((r) => ({ resourceId: r, cells: [cell(r)] })) }];
  const cells = (states: Record<number, [capacity: number, booked: number]>) => (date: string, field: string) => {
    const resource = Number(field.split(':')[0]);
    const state = states[resource];
    return date === '2026-12-02' && state ? { capacity: state[0], booked: state[1] } : undefined;
  };

  it('when one candidate has room for the units, then the slot fits', () => {
    expect(slotFits(groups(1, 1, 2), cells({ 1: [1, 1], 2: [1, 0] }))).toBe(true);
    expect(slotFits(groups(2, 1), cells({ 1: [20, 18] }))).toBe(true);
  });

  it('when every candidate is full, short of units, or has no cell, then it does not fit', () => {
    expect(slotFits(groups(1, 1, 2), cells({ 1: [1, 1], 2: [1, 1] }))).toBe(false);
    expect(slotFits(groups(2, 1), cells({ 1: [20, 19] }))).toBe(false);
    expect(slotFits(groups(1, 3), cells({}))).toBe(false);
  });

  it('when one of several requirements is full, then the slot does not fit', () => {
    const both: GroupPlan[] = [...groups(1, 1), ...groups(1, 2)];
    expect(slotFits(both, cells({ 1: [1, 0], 2: [1, 1] }))).toBe(false);
    expect(slotFits(both, cells({ 1: [1, 0], 2: [1, 0] }))).toBe(true);
  });
});
