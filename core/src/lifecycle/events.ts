import type { NewBookingEvent } from '../../../db/src/tables/booking.table.ts';
import type { BookingIntent } from '../booking/intent.ts';
import type { BookingStatus } from '../booking/state-machine.ts';

/** The ACCEPTED event is written with the first row, dated when the gateway accepted the request. */
export function acceptedEvent(intent: BookingIntent): NewBookingEvent {
  return {
    booking_id: intent.bookingId,
    merchant_id: intent.merchantId,
    type: 'ACCEPTED',
    from_status: null,
    to_status: 'PENDING',
    actor: `customer:${intent.customerId}`,
    payload: JSON.stringify({ serviceId: intent.serviceId, startMs: intent.startMs, partySize: intent.partySize, cells: intent.cells.length }),
    occurred_at: new Date(intent.acceptedAt),
  };
}

export function transitionEvent(
  booking: { bookingId: string; merchantId: number },
  from: BookingStatus | null,
  to: BookingStatus,
  actor: string,
  atMs: number,
  payload: Record<string, unknown> = {},
): NewBookingEvent {
  return {
    booking_id: booking.bookingId,
    merchant_id: booking.merchantId,
    type: to,
    from_status: from,
    to_status: to,
    actor,
    payload: JSON.stringify(payload),
    occurred_at: new Date(atMs),
  };
}
