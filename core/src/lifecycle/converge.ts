import { isTerminal } from '../booking/state-machine.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { intentDays, markPersisted, type ReleaseInput, releaseHold } from '../../../db/redis/holds.ts';
import type { LifecycleDeps } from './deps.ts';
import type { BookingIntent, CellQuantity } from '../booking/intent.ts';

/** What identifies a booking's Redis hold and the counters it touched. */
export interface HoldOwner {
  storeId: number;
  bookingId: string;
  customerId: number;
  localDate: string;
  idempotencyKey: string;
}

export const holdOwnerOfIntent = (intent: BookingIntent): HoldOwner => intent;

export const holdOwnerOfRow = (row: BookingRow): HoldOwner => ({
  storeId: row.store_id,
  bookingId: row.id,
  customerId: row.customer_id,
  localDate: row.local_date,
  idempotencyKey: row.idempotency_key,
});

/**
 * Gives a booking's cells back in Redis. `includePersisted` also releases a
 * hold already marked persisted (a cancelled confirmed booking); otherwise
 * only a live hold is released. Idempotent: the script acts once per hold.
 */
export async function releaseBookingHold(
  deps: LifecycleDeps,
  owner: HoldOwner,
  cells: readonly CellQuantity[],
  reason: ReleaseInput['reason'],
  includePersisted: boolean,
): Promise<void> {
  await releaseHold(deps.redis, deps.keys, { ...owner, days: intentDays({ cells }), reason, forgetIdempotency: false, includePersisted });
}

/**
 * Brings the Redis hold of a booking in line with its MySQL row, which is the
 * truth: a row that holds capacity means the hold is persisted; a terminal row
 * that holds none (cancelled, expired, rejected) means the hold is released.
 * Safe to repeat: both scripts are idempotent.
 */
export async function convergeHold(deps: LifecycleDeps, row: BookingRow, cells: readonly CellQuantity[]): Promise<void> {
  if (!isTerminal(row.status) || row.status === 'COMPLETED' || row.status === 'NO_SHOW') {
    await markPersisted(deps.redis, deps.keys, row.store_id, row.id);
    return;
  }
  const reason = row.status === 'CANCELLED' ? 'CANCELLED' : row.status === 'EXPIRED' ? 'EXPIRED' : 'REJECTED';
  await releaseBookingHold(deps, holdOwnerOfRow(row), cells, reason, true);
}
