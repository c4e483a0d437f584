import type { Generated, Insertable, Selectable } from 'kysely';
import type { BookingStatus } from '../../../core/src/booking/state-machine.ts';

export interface BookingTable {
  id: string;
  merchant_id: number;
  store_id: number;
  service_id: number;
  customer_id: number;
  resource_id: number | null;
  starts_at: Date;
  ends_at: Date;
  local_date: string;
  party_size: number;
  price_fen: number;
  status: BookingStatus;
  status_reason: string | null;
  idempotency_key: string;
  note: Generated<string>;
  version: Generated<number>;
  accepted_at: Date;
  updated_at: Date;
  /** What must be paid online before the booking is confirmed (0 = nothing, pay at the store). */
  amount_due_fen: Generated<number>;
  payment_due_at: Date | null;
  /** One-time check-in (核销) code, set when the booking is confirmed. */
  checkin_code: string | null;
  /** Until when a waitlist offer (OFFERED) may be accepted; null otherwise. */
  offer_expires_at: Generated<Date | null>;
}

/** One run of adjacent cells of one resource, [starts_at, ends_at), `quantity` units each (core/src/inventory/runs.ts). */
export interface BookingCellTable {
  booking_id: string;
  resource_id: number;
  starts_at: Date;
  ends_at: Date;
  quantity: number;
}

export interface BookingEventTable {
  id: Generated<number>;
  booking_id: string;
  merchant_id: number;
  type: string;
  from_status: BookingStatus | null;
  to_status: BookingStatus | null;
  actor: string;
  payload: string;
  occurred_at: Date;
}

export type BookingRow = Selectable<BookingTable>;
export type NewBooking = Insertable<BookingTable>;
export type NewBookingEvent = Insertable<BookingEventTable>;
