export const BookingStatuses = ['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'CHECKED_IN', 'COMPLETED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'NO_SHOW', 'REFUNDED', 'OFFERED'] as const;
export type BookingStatus = (typeof BookingStatuses)[number];

export type StatusTone = 'progress' | 'action' | 'success' | 'muted' | 'danger';

const tones: Record<BookingStatus, StatusTone> = {
  PENDING: 'progress',
  AWAITING_PAYMENT: 'action',
  OFFERED: 'action',
  CONFIRMED: 'success',
  CHECKED_IN: 'success',
  COMPLETED: 'muted',
  CANCELLED: 'muted',
  REFUNDED: 'muted',
  EXPIRED: 'muted',
  REJECTED: 'danger',
  NO_SHOW: 'danger',
};

export function toneOf(status: BookingStatus): StatusTone {
  return tones[status];
}

/** States the pipeline will still move on its own: the UI keeps polling while a booking is in one. */
export function isSettling(status: BookingStatus): boolean {
  return status === 'PENDING';
}

interface BookingLike {
  status: BookingStatus;
  startAt: string;
  endAt: string;
}

const live: ReadonlySet<BookingStatus> = new Set(['PENDING', 'AWAITING_PAYMENT', 'OFFERED', 'CONFIRMED', 'CHECKED_IN']);

/** Upcoming: still live and not over; everything else is history. Upcoming soonest first, past newest first. */
export function splitBookings<T extends BookingLike>(bookings: readonly T[], nowMs: number): { upcoming: T[]; past: T[] } {
  const upcoming: T[] = [];
  const past: T[] = [];
  for (const b of bookings) (live.has(b.status) && Date.parse(b.endAt) > nowMs ? upcoming : past).push(b);
  upcoming.sort((a, b) => Date.parse(a.startAt) - Date.parse(b.startAt));
  past.sort((a, b) => Date.parse(b.startAt) - Date.parse(a.startAt));
  return { upcoming, past };
}

export interface Actions {
  pay: boolean;
  reschedule: boolean;
  cancel: boolean;
  checkinCode: boolean;
  review: boolean;
  offer: boolean;
}

/** What the customer may do with a booking now; the API is the judge, this only hides dead buttons. */
export function actionsFor(b: BookingLike & { amountDueFen: number; checkinCode: string | null; payment?: { status: string } | null }, nowMs: number, reviewed: boolean): Actions {
  const notStarted = Date.parse(b.startAt) > nowMs;
  const movable = (b.status === 'CONFIRMED' || b.status === 'AWAITING_PAYMENT') && notStarted;
  return {
    pay: b.status === 'AWAITING_PAYMENT' && b.amountDueFen > 0 && b.payment?.status !== 'PAID',
    reschedule: movable,
    cancel: movable || b.status === 'PENDING',
    checkinCode: (b.status === 'CONFIRMED' || b.status === 'CHECKED_IN') && b.checkinCode !== null,
    review: b.status === 'COMPLETED' && !reviewed,
    offer: b.status === 'OFFERED',
  };
}
