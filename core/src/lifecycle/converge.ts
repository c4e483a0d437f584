import { isTerminal } from '../booking/state-machine.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { intentDays, markPersisted, releaseHold } from '../../../db/redis/holds.ts';
import type { LifecycleDeps } from './deps.ts';
import type { CellQuantity } from '../booking/intent.ts';

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
  await releaseHold(deps.redis, deps.keys, {
    storeId: row.store_id,
    bookingId: row.id,
    customerId: row.customer_id,
    localDate: row.local_date,
    idempotencyKey: row.idempotency_key,
    days: intentDays({ cells }),
    reason,
    forgetIdempotency: false,
    includePersisted: true,
  });
}
