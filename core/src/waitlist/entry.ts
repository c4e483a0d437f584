import type { CellState } from '../availability/slots.ts';
import type { BookingStatus } from '../booking/state-machine.ts';
import { cellField } from '../inventory/cells.ts';
import type { GroupPlan } from '../inventory/plan.ts';

/**
 * A waitlist entry's life: WAITING until capacity frees, OFFERED while a booking
 * holds a unit for this customer (booking status OFFERED), then exactly one of
 * ACCEPTED, DECLINED, EXPIRED (offer window or slot start passed), LEFT.
 */
export const WaitlistStatuses = ['WAITING', 'OFFERED', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'LEFT'] as const;
export type WaitlistStatus = (typeof WaitlistStatuses)[number];

export const activeWaitlistStatuses: readonly WaitlistStatus[] = ['WAITING', 'OFFERED'];

export function isActiveEntry(status: WaitlistStatus): boolean {
  return activeWaitlistStatuses.includes(status);
}

/** The unique key of an active entry: one per customer, service and start. */
export function activeKey(customerId: number, serviceId: number, startMs: number): string {
  return `${customerId}:${serviceId}:${startMs}`;
}

/** The idempotency key of an entry's offer: a tick that died after reserving finds the same booking again. */
export function offerIdempotencyKey(entryId: number, attempt: number): string {
  return `wl-${entryId}-${attempt}`;
}

/** An offer stays open for the window, but never past the appointment's start. */
export function offerDeadline(nowMs: number, startMs: number, windowMs: number): number {
  return Math.min(nowMs + windowMs, startMs);
}

/**
 * What an OFFERED entry becomes once its booking moved on: accepted (confirmed
 * or awaiting payment, and anything after), declined (cancelled), expired, or
 * back to WAITING when MySQL refused the offer (REJECTED: Redis had been wrong).
 * null: the offer is still open (or not persisted yet).
 */
export function entryStatusAfter(booking: BookingStatus): WaitlistStatus | null {
  switch (booking) {
    case 'PENDING':
    case 'OFFERED':
      return null;
    case 'CANCELLED':
      return 'DECLINED';
    case 'EXPIRED':
      return 'EXPIRED';
    case 'REJECTED':
      return 'WAITING';
    case 'AWAITING_PAYMENT':
    case 'CONFIRMED':
    case 'CHECKED_IN':
    case 'COMPLETED':
    case 'NO_SHOW':
      return 'ACCEPTED';
  }
}

/**
 * True if some candidate of every requirement group has room for its units in
 * these cells: the same test reserve.lua makes, read from an availability
 * snapshot (the join check: a slot with room needs no waitlist).
 */
export function slotFits(groups: readonly GroupPlan[], lookup: (localDate: string, field: string) => CellState | undefined): boolean {
  return groups.every((group) =>
    group.candidates.some((candidate) =>
      candidate.cells.every((cell) => {
        const state = lookup(cell.localDate, cellField(cell.resourceId, cell.startMinute));
        return state !== undefined && state.capacity - state.booked >= group.quantity;
      }),
    ),
  );
}

export interface QueuedEntry {
  id: number;
  priority: number;
  joinedMs: number;
}

/** Serving order: higher priority first, then first come (id breaks ties within a millisecond). */
export function compareQueued(a: QueuedEntry, b: QueuedEntry): number {
  return b.priority - a.priority || a.joinedMs - b.joinedMs || a.id - b.id;
}

/** 1-based place of `entry` among the waiting entries of its slot (itself included or not). */
export function positionIn(entry: QueuedEntry, waiting: readonly QueuedEntry[]): number {
  return waiting.filter((other) => other.id !== entry.id && compareQueued(other, entry) < 0).length + 1;
}
