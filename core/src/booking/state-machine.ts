import { AppError } from '../errors.ts';

export const BookingStatuses = [
  'PENDING',
  'OFFERED',
  'AWAITING_PAYMENT',
  'CONFIRMED',
  'CHECKED_IN',
  'COMPLETED',
  'NO_SHOW',
  'CANCELLED',
  'EXPIRED',
  'REJECTED',
] as const;

export type BookingStatus = (typeof BookingStatuses)[number];

/**
 * The booking life cycle. PENDING exists only between the 202 and the persist
 * worker (the hold lives in Redis); every other state is a MySQL row.
 *
 *   PENDING ──► CONFIRMED ──► CHECKED_IN ──► COMPLETED
 *      │  │         │  └────► NO_SHOW
 *      │  │         └───────► CANCELLED
 *      │  └─► AWAITING_PAYMENT ─► CONFIRMED | EXPIRED | CANCELLED
 *      ├────► EXPIRED | CANCELLED | REJECTED
 *      └─► OFFERED ─► CONFIRMED | AWAITING_PAYMENT | EXPIRED | CANCELLED
 *
 * OFFERED is a waitlist offer (lifecycle/waitlist-offers.ts): capacity held
 * for one waiting customer, who accepts (then the payment policy applies) or
 * declines before `offer_expires_at`, else it expires.
 *
 * One exception to "terminal": a payment that reaches us after its deadline
 * expired the booking revives it (EXPIRED → CONFIRMED) if its cells are still
 * free, else it is refunded — see `lateRevival` and lifecycle/settle-payment.ts.
 */

const transitions: Record<BookingStatus, readonly BookingStatus[]> = {
  PENDING: ['CONFIRMED', 'AWAITING_PAYMENT', 'OFFERED', 'EXPIRED', 'CANCELLED', 'REJECTED'],
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

/** States that hold inventory: their cells count towards `booked`. */
export const capacityHoldingStatuses: readonly BookingStatus[] = [
  'PENDING',
  'OFFERED',
  'AWAITING_PAYMENT',
  'CONFIRMED',
  'CHECKED_IN',
  'COMPLETED',
  'NO_SHOW',
];

/** Outcomes of the accept → persist pipeline: every accepted request reaches exactly one. */
export const pipelineOutcomes: readonly BookingStatus[] = ['CONFIRMED', 'AWAITING_PAYMENT', 'REJECTED', 'EXPIRED', 'CANCELLED'];

/** The only way out of a terminal state: a late payment reviving a booking its payment deadline expired. */
export const lateRevival = { from: 'EXPIRED', to: 'CONFIRMED', reason: 'PAYMENT_DEADLINE_PASSED' } as const;

export function canTransition(from: BookingStatus, to: BookingStatus): boolean {
  return transitions[from].includes(to);
}

export function assertTransition(from: BookingStatus, to: BookingStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('INVALID_TRANSITION', `booking cannot go from ${from} to ${to}`);
  }
}

export function isTerminal(status: BookingStatus): boolean {
  return transitions[status].length === 0;
}

/** Statuses from which `to` can be reached; used for compare-and-set updates (`WHERE status IN (...)`). */
export function statusesLeadingTo(to: BookingStatus): BookingStatus[] {
  return BookingStatuses.filter((from) => transitions[from].includes(to));
}
