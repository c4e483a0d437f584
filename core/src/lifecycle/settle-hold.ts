import { findBooking, bookingRowFromIntent, insertBookingIfAbsent, appendEvents } from '../../../db/src/repositories/booking.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import type { BookingIntent } from '../booking/intent.ts';
import { convergeHold, holdOwnerOfIntent, releaseBookingHold } from './converge.ts';
import type { LifecycleDeps } from './deps.ts';
import { pipelineOutcomeEvent } from './events.ts';

export type SettleOutcome = { kind: 'settled' } | { kind: 'already-persisted'; booking: BookingRow };

/**
 * Ends a booking that is still only a Redis hold (expired, or cancelled before
 * the persist worker got to it). The persist worker may be writing the same
 * booking at this moment, so MySQL arbitrates: whoever inserts the row with
 * this primary key first decides the outcome. Only the winner here releases
 * the Redis capacity, so a booking is never both confirmed and released.
 */
export async function settleUnpersistedHold(
  deps: LifecycleDeps,
  intent: BookingIntent,
  status: 'EXPIRED' | 'CANCELLED',
  reason: string,
  actor: string,
): Promise<SettleOutcome> {
  const now = deps.clock.now();
  const inserted = await inTransaction(deps.db, async (trx) => {
    const created = await insertBookingIfAbsent(trx, bookingRowFromIntent(intent, status, reason, now));
    if (created) await appendEvents(trx, [pipelineOutcomeEvent(intent, status, actor, now, { reason })]);
    return created;
  });
  if (inserted) {
    await releaseBookingHold(deps, holdOwnerOfIntent(intent), intent.cells, status, false);
    return { kind: 'settled' };
  }
  const booking = await findBooking(deps.db, intent.bookingId);
  if (!booking) throw new Error(`booking ${intent.bookingId} neither inserted nor found`);
  await convergeHold(deps, booking, intent.cells);
  return { kind: 'already-persisted', booking };
}
