import type { Kysely } from 'kysely';
import type { BookingStatus } from '../../core/src/booking/state-machine.ts';
import { systemClock } from '../../core/src/clock.ts';
import { bookingIdFactory } from '../../core/src/ids.ts';
import { MINUTE_MS } from '../../core/src/time/zoned.ts';
import type { Database } from '../src/database.ts';
import { insertBookingIfAbsent } from '../src/repositories/booking.repository.ts';

const newBookingId = bookingIdFactory(systemClock);

export interface FinishedBooking {
  merchantId: number;
  storeId: number;
  serviceId: number;
  customerId: number;
  /** The staff member or room the customer chose; null for "any". */
  resourceId?: number | null;
  /** Resources whose cells the booking took (default: resourceId, if any). */
  cellResourceIds?: number[];
  status?: BookingStatus;
  startMs: number;
}

/**
 * Writes a booking row (and its cells) in a state the pipeline reaches only
 * over time, COMPLETED by default, for tests of what happens after a visit.
 * The cells are recorded but not counted in inventory: the visit is over.
 */
export async function createFinishedBooking(db: Kysely<Database>, b: FinishedBooking): Promise<string> {
  const id = newBookingId(b.storeId);
  const resourceId = b.resourceId ?? null;
  const created = await insertBookingIfAbsent(db, {
    id,
    merchant_id: b.merchantId,
    store_id: b.storeId,
    service_id: b.serviceId,
    customer_id: b.customerId,
    resource_id: resourceId,
    starts_at: new Date(b.startMs),
    ends_at: new Date(b.startMs + 60 * MINUTE_MS),
    local_date: new Date(b.startMs + 8 * 60 * MINUTE_MS).toISOString().slice(0, 10),
    party_size: 1,
    price_fen: 8800,
    status: b.status ?? 'COMPLETED',
    status_reason: null,
    idempotency_key: `finished-${id}`,
    accepted_at: new Date(b.startMs - 24 * 60 * MINUTE_MS),
    updated_at: new Date(b.startMs + 60 * MINUTE_MS),
  });
  if (!created) throw new Error(`booking ${id} exists`);
  const cellResources = b.cellResourceIds ?? (resourceId === null ? [] : [resourceId]);
  if (cellResources.length > 0) {
    await db
      .insertInto('booking_cells')
      .values(cellResources.map((rid) => ({ booking_id: id, resource_id: rid, starts_at: new Date(b.startMs), ends_at: new Date(b.startMs + 60 * MINUTE_MS), quantity: 1 })))
      .execute();
  }
  return id;
}
