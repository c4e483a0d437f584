import { findBooking } from '../../../db/src/repositories/booking.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { type Hold, readHold } from '../../../db/redis/holds.ts';
import { AppError } from '../errors.ts';
import { storeIdOfBooking } from '../ids.ts';
import { type Actor, canSee, type LifecycleDeps } from './deps.ts';

export type FoundBooking = { kind: 'row'; row: BookingRow } | { kind: 'pending'; hold: Hold };

/**
 * Finds a booking as the actor may see it: the MySQL row if persisted, else
 * the live Redis hold (PENDING). Someone else's booking is reported exactly
 * like a missing one, so ids cannot be probed across tenants.
 */
export async function findVisibleBooking(deps: LifecycleDeps, actor: Actor, bookingId: string): Promise<FoundBooking> {
  const storeId = storeIdOfBooking(bookingId);
  if (storeId === null) throw new AppError('BOOKING_NOT_FOUND', `malformed booking id ${bookingId}`);
  // MySQL first: most lookups are of persisted bookings and need no Redis round trip.
  const row = await findBooking(deps.db, bookingId);
  if (row) return visibleRow(actor, row);
  const hold = await readHold(deps.redis, deps.keys, storeId, bookingId);
  if (hold?.state === 'held') {
    const { intent } = hold;
    if (!canSee(actor, { customerId: intent.customerId, merchantId: intent.merchantId, storeId: intent.storeId })) throw notFound(bookingId);
    return { kind: 'pending', hold };
  }
  // The hold stopped being live after the MySQL read (persisted or settled): its row exists now.
  const settled = hold ? await findBooking(deps.db, bookingId) : undefined;
  if (settled) return visibleRow(actor, settled);
  throw notFound(bookingId);
}

function visibleRow(actor: Actor, row: BookingRow): FoundBooking {
  if (!canSee(actor, { customerId: row.customer_id, merchantId: row.merchant_id, storeId: row.store_id })) throw notFound(row.id);
  return { kind: 'row', row };
}

function notFound(bookingId: string): AppError {
  return new AppError('BOOKING_NOT_FOUND', `booking ${bookingId} not found`);
}
