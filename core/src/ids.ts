import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { Clock } from './clock.ts';

/**
 * Booking ids are `<ULID>-<storeId>`: time-ordered (friendly to InnoDB's
 * clustered index), never all digits and free of ':' (both matter for BullMQ
 * job ids). The store id lets any process find a not-yet-persisted hold, whose
 * Redis keys live under the store's hash tag, from the id alone.
 */
export function bookingIdFactory(clock: Clock): (storeId: number) => string {
  const next = monotonicFactory(pooledRandom());
  return (storeId) => `${next(clock.now())}-${storeId}`;
}

const BOOKING_ID = /^[0-9A-HJKMNP-TV-Z]{26}-([1-9]\d{0,12})$/;

export function isBookingId(value: string): boolean {
  return BOOKING_ID.test(value);
}

/** The store a booking id belongs to, or null if the id is malformed. */
export function storeIdOfBooking(bookingId: string): number | null {
  const match = BOOKING_ID.exec(bookingId);
  return match ? Number(match[1]) : null;
}

/**
 * ulid's default source asks the OS for one byte per character (16 calls per
 * id); on the booking path that was a tenth of the gateway's CPU. Same
 * cryptographic bytes, drawn from a 4 KiB pool refilled when used up.
 */
function pooledRandom(): () => number {
  const pool = Buffer.allocUnsafe(4096);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]! / 256;
  };
}
