import type { NewBookingEvent } from '../../../db/src/tables/booking.table.ts';
import type { BookingIntent } from '../booking/intent.ts';
import type { BookingStatus } from '../booking/state-machine.ts';

/**
 * The first event of a booking: how the accepted request (PENDING, in Redis)
 * ended in the pipeline. One row, not two: the acceptance itself is in the
 * payload (and in bookings.accepted_at), which keeps the persist path to the
 * fewest rows per booking.
 */
export function pipelineOutcomeEvent(intent: BookingIntent, to: BookingStatus, actor: string, atMs: number, extra: Record<string, unknown> = {}): NewBookingEvent {
  return transitionEvent(intent, 'PENDING', to, actor, atMs, {
    acceptedAt: new Date(intent.acceptedAt).toISOString(),
    customerId: intent.customerId,
    serviceId: intent.serviceId,
    startMs: intent.startMs,
    partySize: intent.partySize,
    cells: intent.cells.length,
    ...extra,
  });
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

/** An event that is not a status change (payment received, refund requested/settled, check-in code sent). */
export function bookingEvent(
  booking: { bookingId: string; merchantId: number },
  type: string,
  actor: string,
  atMs: number,
  payload: Record<string, unknown> = {},
): NewBookingEvent {
  return {
    booking_id: booking.bookingId,
    merchant_id: booking.merchantId,
    type,
    from_status: null,
    to_status: null,
    actor,
    payload: JSON.stringify(payload),
    occurred_at: new Date(atMs),
  };
}
