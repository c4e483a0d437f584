import { monotonicFactory } from 'ulid';
import type { Clock } from './clock.ts';

/**
 * Booking ids are ULIDs taken from the injected clock: time-ordered (friendly
 * to InnoDB's clustered index), never all digits and free of ':' (both matter
 * for BullMQ job ids).
 */
export function bookingIdFactory(clock: Clock): () => string {
  const next = monotonicFactory();
  return () => next(clock.now());
}

export const BOOKING_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
