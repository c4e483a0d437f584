import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import {
  type BookingStatus,
  BookingStatuses,
  assertTransition,
  canTransition,
  capacityHoldingStatuses,
  isTerminal,
  pipelineOutcomes,
  statusesLeadingTo,
} from './state-machine.ts';

// Written out from the life-cycle diagram, independently of the table in the module.
const expected: Record<BookingStatus, BookingStatus[]> = {
  PENDING: ['CONFIRMED', 'AWAITING_PAYMENT', 'OFFERED', 'EXPIRED', 'CANCELLED', 'REJECTED'],
  // A waitlist offer: accepted (then the payment policy applies), declined, or its window passes.
  OFFERED: ['CONFIRMED', 'AWAITING_PAYMENT', 'EXPIRED', 'CANCELLED'],
  AWAITING_PAYMENT: ['CONFIRMED', 'EXPIRED', 'CANCELLED'],
  CONFIRMED: ['CHECKED_IN', 'NO_SHOW', 'CANCELLED'],
  CHECKED_IN: ['COMPLETED'],
  COMPLETED: [],
  NO_SHOW: [],
  CANCELLED: [],
  EXPIRED: [],
  REJECTED: [],
};

const allPairs = BookingStatuses.flatMap((from) => BookingStatuses.map((to) => [from, to] as const));

describe('booking state machine', () => {
  it('when every pair of statuses is checked, then exactly the transitions of the diagram are allowed', () => {
    for (const [from, to] of allPairs) expect({ from, to, allowed: canTransition(from, to) }).toEqual({ from, to, allowed: expected[from].includes(to) });
  });

  it('when a status is checked against itself, then it never transitions to itself', () => {
    for (const status of BookingStatuses) expect(canTransition(status, status)).toBe(false);
  });

  it('when a booking is completed, no-show, cancelled, expired or rejected, then it is terminal', () => {
    expect(BookingStatuses.filter(isTerminal)).toEqual(['COMPLETED', 'NO_SHOW', 'CANCELLED', 'EXPIRED', 'REJECTED']);
  });

  it('when a booking is pending, offered, awaiting payment, confirmed or checked in, then it is not terminal', () => {
    for (const status of ['PENDING', 'OFFERED', 'AWAITING_PAYMENT', 'CONFIRMED', 'CHECKED_IN'] as const) expect(isTerminal(status)).toBe(false);
  });

  it('when every status is followed from PENDING, then all of them are reachable', () => {
    // Arrange
    const reached = new Set<BookingStatus>(['PENDING']);
    const queue: BookingStatus[] = ['PENDING'];

    // Act
    while (queue.length > 0) {
      const from = queue.shift()!;
      for (const to of BookingStatuses) if (canTransition(from, to) && !reached.has(to)) (reached.add(to), queue.push(to));
    }

    // Assert
    expect([...reached].sort()).toEqual([...BookingStatuses].sort());
  });
});

describe('statusesLeadingTo', () => {
  it.each([
    ['CONFIRMED', ['PENDING', 'OFFERED', 'AWAITING_PAYMENT']],
    ['CANCELLED', ['PENDING', 'OFFERED', 'AWAITING_PAYMENT', 'CONFIRMED']],
    ['EXPIRED', ['PENDING', 'OFFERED', 'AWAITING_PAYMENT']],
    ['COMPLETED', ['CHECKED_IN']],
    ['NO_SHOW', ['CONFIRMED']],
    ['REJECTED', ['PENDING']],
    ['PENDING', []],
  ] as const)('when the target is %s, then it is reached from %j', (to, from) => {
    expect(statusesLeadingTo(to)).toEqual(from);
  });

  it('when computed for every status, then it agrees with canTransition', () => {
    for (const to of BookingStatuses) expect(statusesLeadingTo(to)).toEqual(BookingStatuses.filter((from) => canTransition(from, to)));
  });
});

describe('assertTransition', () => {
  it('when the transition is allowed, then it does not throw', () => {
    expect(() => assertTransition('PENDING', 'CONFIRMED')).not.toThrow();
    expect(() => assertTransition('CHECKED_IN', 'COMPLETED')).not.toThrow();
  });

  it('when a completed booking is cancelled, then it throws INVALID_TRANSITION naming both states', () => {
    // Act
    let thrown: unknown;
    try {
      assertTransition('COMPLETED', 'CANCELLED');
    } catch (error) {
      thrown = error;
    }

    // Assert
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('INVALID_TRANSITION');
    expect((thrown as AppError).message).toContain('COMPLETED');
    expect((thrown as AppError).message).toContain('CANCELLED');
  });

  it('when any transition outside the diagram is asserted, then it throws', () => {
    for (const [from, to] of allPairs.filter(([f, t]) => !expected[f].includes(t))) {
      expect(() => assertTransition(from, to)).toThrow(AppError);
    }
  });
});

describe('status sets', () => {
  it('when capacity is counted, then cancelled, expired and rejected bookings give it back and all others hold it', () => {
    expect([...capacityHoldingStatuses].sort()).toEqual(BookingStatuses.filter((s) => !['CANCELLED', 'EXPIRED', 'REJECTED'].includes(s)).sort());
  });

  it('when a booking has given capacity back, then it can never move again (so capacity is never taken twice)', () => {
    for (const status of BookingStatuses.filter((s) => !capacityHoldingStatuses.includes(s))) expect(isTerminal(status)).toBe(true);
  });

  it('when a waitlist offer is open, then it holds capacity and is not terminal', () => {
    expect(capacityHoldingStatuses).toContain('OFFERED');
    expect(isTerminal('OFFERED')).toBe(false);
    expect(statusesLeadingTo('CONFIRMED')).toContain('OFFERED');
  });

  it('when the pipeline settles a pending request, then every outcome is one step from PENDING', () => {
    expect([...pipelineOutcomes].sort()).toEqual(['AWAITING_PAYMENT', 'CANCELLED', 'CONFIRMED', 'EXPIRED', 'REJECTED']);
    for (const outcome of pipelineOutcomes) expect(canTransition('PENDING', outcome)).toBe(true);
  });
});
