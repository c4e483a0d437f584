import { appendEvents, bookingCellsOf, lockBooking, transitionBooking } from '../../../db/src/repositories/booking.repository.ts';
import { giveBackCells } from '../../../db/src/repositories/inventory.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { holdOwnerOfRow, releaseBookingHold } from './converge.ts';
import { type BookingStatus, canTransition, statusesLeadingTo } from '../booking/state-machine.ts';
import { AppError } from '../errors.ts';
import { type Actor, actorLabel, type LifecycleDeps } from './deps.ts';
import { transitionEvent } from './events.ts';
import { findVisibleBooking } from './find.ts';
import { settleUnpersistedHold } from './settle-hold.ts';

export interface CancelResult {
  bookingId: string;
  status: BookingStatus;
}

/**
 * Cancels a booking the actor can see, whether it is still a hold or already a
 * row. Cancelling twice answers the same; a booking that has started, or that
 * ended some other way, cannot be cancelled.
 */
export async function cancelBooking(deps: LifecycleDeps, actor: Actor, bookingId: string, reason: string): Promise<CancelResult> {
  const found = await findVisibleBooking(deps, actor, bookingId);
  if (found.kind === 'pending') {
    const intent = found.hold.intent;
    assertNotStarted(deps, intent.startMs);
    const settled = await settleUnpersistedHold(deps, intent, 'CANCELLED', reason, actorLabel(actor));
    if (settled.kind === 'settled') return { bookingId, status: 'CANCELLED' };
    return cancelPersisted(deps, actor, settled.booking, reason);
  }
  return cancelPersisted(deps, actor, found.row, reason);
}

function assertNotStarted(deps: LifecycleDeps, startMs: number): void {
  if (deps.clock.now() >= startMs) throw new AppError('BOOKING_ALREADY_STARTED', 'booking has started');
}

async function cancelPersisted(deps: LifecycleDeps, actor: Actor, row: BookingRow, reason: string): Promise<CancelResult> {
  if (row.status === 'CANCELLED') return { bookingId: row.id, status: 'CANCELLED' };
  if (!canTransition(row.status, 'CANCELLED')) throw new AppError('INVALID_TRANSITION', `cannot cancel a ${row.status} booking`);
  assertNotStarted(deps, row.starts_at.getTime());
  const now = deps.clock.now();
  const outcome = await inTransaction(deps.db, async (trx) => {
    const locked = await lockBooking(trx, row.id);
    if (!locked) throw new Error(`booking ${row.id} vanished`);
    if (locked.status === 'CANCELLED') return { changed: false, status: locked.status, cells: [] };
    if (!(await transitionBooking(trx, row.id, statusesLeadingTo('CANCELLED'), 'CANCELLED', reason, now))) {
      throw new AppError('INVALID_TRANSITION', `cannot cancel a ${locked.status} booking`);
    }
    const cells = await bookingCellsOf(trx, row.id);
    await giveBackCells(trx, cells);
    await appendEvents(trx, [transitionEvent({ bookingId: row.id, merchantId: row.merchant_id }, locked.status, 'CANCELLED', actorLabel(actor), now, { reason })]);
    return { changed: true, status: 'CANCELLED' as const, cells };
  });
  if (outcome.changed) {
    // After the commit: if this fails, Redis counts the booking a little longer and the reconciler frees it.
    await releaseBookingHold(deps, holdOwnerOfRow(row), outcome.cells, 'CANCELLED', true);
  }
  return { bookingId: row.id, status: outcome.status };
}
