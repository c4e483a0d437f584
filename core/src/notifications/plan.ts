import { type NotificationKind, isPushed } from './kinds.ts';
import { reminderTimes } from './timing.ts';

/** A booking event as the planner reads it from the event log. */
export interface PlannerEvent {
  id: number;
  bookingId: string;
  type: string;
  fromStatus: string | null;
  actor: string;
  payload: Record<string, unknown>;
  occurredMs: number;
}

export interface PlannerBooking {
  id: string;
  merchantId: number;
  storeId: number;
  customerId: number;
  startMs: number;
  status: string;
}

export interface PlannerSettings {
  reminderOffsets: readonly number[];
  reviewDelayMinutes: number;
}

export interface PlannedNotification {
  dedupeKey: string;
  kind: NotificationKind;
  audience: 'customer' | 'merchant';
  channel: 'push' | 'inapp';
  dueMs: number;
  /** Appointment start the message speaks of (reminders are checked against it when sent). */
  startMs: number;
  amountFen: number | null;
}

const MINUTE = 60_000;

/**
 * The notifications one booking event calls for. Pure and deterministic:
 * the dedupe keys name the event (or, for reminders, the booking, its start
 * and the offset), so planning the same event twice plans nothing new, and a
 * moved booking gets fresh reminders while the old ones are skipped at send
 * time because they name the old start.
 */
export function plansForEvent(event: PlannerEvent, booking: PlannerBooking, settings: PlannerSettings, nowMs: number): PlannedNotification[] {
  const out: PlannedNotification[] = [];
  const amount = typeof event.payload.amountFen === 'number' ? event.payload.amountFen : null;
  const byCustomer = event.actor.startsWith('customer:');
  const add = (kind: NotificationKind, audience: 'customer' | 'merchant', dueMs = event.occurredMs, startMs = booking.startMs) => {
    const channels: ('push' | 'inapp')[] = audience === 'customer' && isPushed(kind) ? ['push', 'inapp'] : ['inapp'];
    for (const channel of channels) out.push({ dedupeKey: `ev:${event.id}:${kind}:${channel}`, kind, audience, channel, dueMs, startMs, amountFen: amount });
  };
  const reminders = (startMs: number) => {
    for (const { offset, dueMs } of reminderTimes(startMs, settings.reminderOffsets, nowMs)) {
      for (const channel of ['push', 'inapp'] as const) {
        out.push({ dedupeKey: `rem:${booking.id}:${startMs}:${offset}:${channel}`, kind: 'REMINDER', audience: 'customer', channel, dueMs, startMs, amountFen: null });
      }
    }
  };

  switch (event.type) {
    case 'CONFIRMED':
      add('BOOKING_CONFIRMED', 'customer');
      add('NEW_BOOKING', 'merchant');
      reminders(booking.startMs);
      break;
    case 'RESCHEDULED':
    case 'RESOURCE_CHANGED': {
      // The event names the slot it moved to; a booking moved again since then has its own later event.
      // RESOURCE_CHANGED: moved to another staff member/room at the same time after a capacity change.
      const toStart = (event.payload.to as { startAt?: unknown } | undefined)?.startAt;
      const to = typeof toStart === 'string' ? Date.parse(toStart) : booking.startMs;
      add('BOOKING_CHANGED', 'customer', event.occurredMs, to);
      if (booking.status === 'CONFIRMED') reminders(to);
      break;
    }
    case 'CANCELLED':
      // A cancellation the customer made is confirmed in-app; one made for them is pushed.
      // A waitlist offer declined (or withdrawn when the customer left the list) was never the merchant's booking.
      if (byCustomer) {
        out.push({ dedupeKey: `ev:${event.id}:BOOKING_CANCELLED:inapp`, kind: 'BOOKING_CANCELLED', audience: 'customer', channel: 'inapp', dueMs: event.occurredMs, startMs: booking.startMs, amountFen: null });
        if (event.fromStatus !== 'PENDING' && event.fromStatus !== 'OFFERED') add('BOOKING_CANCELLED_BY_CUSTOMER', 'merchant');
      } else if (event.fromStatus !== 'PENDING' && event.fromStatus !== 'OFFERED') {
        add('BOOKING_CANCELLED', 'customer');
      }
      break;
    case 'EXPIRED':
      if (event.fromStatus === 'AWAITING_PAYMENT') add('PAYMENT_EXPIRED', 'customer');
      break;
    case 'PAYMENT_RECEIVED':
      add('PAYMENT_RECEIVED', 'customer');
      break;
    case 'REFUNDED':
      add('REFUND_ISSUED', 'customer');
      break;
    case 'COMPLETED':
      add('REVIEW_REQUEST', 'customer', event.occurredMs + settings.reviewDelayMinutes * MINUTE);
      break;
    case 'CAPACITY_FLAGGED':
      // Its staff member/room became unavailable and no equivalent one was free: the merchant will be in touch.
      add('BOOKING_CHANGED', 'customer');
      break;
    case 'WAITLIST_OFFERED':
      add('WAITLIST_OFFER', 'customer');
      break;
  }
  return out;
}
