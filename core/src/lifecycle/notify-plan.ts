import { findBookings } from '../../../db/src/repositories/booking.repository.ts';
import { cursorOf, eventsAfter, insertNotifications, setCursor, settingsOf } from '../../../db/src/repositories/notification.repository.ts';
import type { NewNotification } from '../../../db/src/tables/notification.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { type PlannerEvent, plansForEvent } from '../notifications/plan.ts';
import { parseOffsets } from '../notifications/timing.ts';
import type { NotificationFacts } from '../notifications/variables.ts';
import type { LifecycleDeps } from './deps.ts';

const CURSOR = 'booking-events';

/**
 * Event ids are handed out when a transaction inserts, but transactions
 * commit in any order: id 41 may become visible after id 42, and a rolled-back
 * insert leaves 41 missing for ever. The planner therefore reads only the
 * gap-free run after its cursor, and gives up on a gap once it has stayed
 * open longer than `gapGraceMs` (process time, on the planner's leader).
 */
export class EventGaps {
  private readonly firstSeen = new Map<number, number>();
  private readonly graceMs: number;
  constructor(graceMs: number) {
    this.graceMs = graceMs;
  }

  /** How far the cursor may move: the last id before the first gap that is still young. */
  safeEnd(cursor: number, ids: readonly number[], nowPerf: number): number {
    let expected = cursor + 1;
    let end = cursor;
    for (const id of ids) {
      if (id !== expected) {
        const seen = this.firstSeen.get(expected) ?? nowPerf;
        this.firstSeen.set(expected, seen);
        if (nowPerf - seen < this.graceMs) break;
        this.firstSeen.delete(expected);
      }
      end = id;
      expected = id + 1;
    }
    for (const gap of this.firstSeen.keys()) if (gap <= end) this.firstSeen.delete(gap);
    return end;
  }
}

export interface PlanReport {
  events: number;
  planned: number;
  cursor: number;
}

/**
 * Turns new booking events into notification rows. The event log is the
 * outbox: every state change writes its event in the same transaction, so no
 * trigger can be lost, and the rows' dedupe keys make a replayed batch (a
 * crash between insert and cursor move) plan nothing twice.
 */
export async function planNotifications(deps: LifecycleDeps, gaps: EventGaps, limit = 1000): Promise<PlanReport> {
  const cursor = await cursorOf(deps.db, CURSOR);
  const fetched = await eventsAfter(deps.db, cursor, limit);
  const end = gaps.safeEnd(cursor, fetched.map((e) => Number(e.id)), performance.now());
  const events = fetched.filter((e) => Number(e.id) <= end);
  if (events.length === 0) return { events: 0, planned: 0, cursor };

  const bookings = new Map((await findBookings(deps.db, [...new Set(events.map((e) => e.booking_id))])).map((b) => [b.id, b]));
  const rowsOfBookings = [...bookings.values()];
  const [stores, services, settings] = await Promise.all([
    rowsOfBookings.length === 0 ? [] : deps.db.selectFrom('stores').select(['id', 'name', 'timezone']).where('id', 'in', [...new Set(rowsOfBookings.map((b) => b.store_id))]).execute(),
    rowsOfBookings.length === 0 ? [] : deps.db.selectFrom('services').select(['id', 'name']).where('id', 'in', [...new Set(rowsOfBookings.map((b) => b.service_id))]).execute(),
    settingsOf(deps.db, rowsOfBookings.map((b) => b.merchant_id)),
  ]);
  const storeById = new Map(stores.map((s) => [s.id, s]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const now = deps.clock.now();

  const rows: NewNotification[] = [];
  for (const event of events) {
    const booking = bookings.get(event.booking_id);
    if (!booking) continue; // an event of a booking that was never persisted cannot be addressed to anyone
    const setting = settings.get(booking.merchant_id)!;
    const store = storeById.get(booking.store_id);
    const plannerEvent: PlannerEvent = {
      id: Number(event.id),
      bookingId: event.booking_id,
      type: event.type,
      fromStatus: event.from_status,
      actor: event.actor,
      payload: JSON.parse(event.payload) as Record<string, unknown>,
      occurredMs: event.occurred_at.getTime(),
    };
    const plans = plansForEvent(
      plannerEvent,
      { id: booking.id, merchantId: booking.merchant_id, storeId: booking.store_id, customerId: booking.customer_id, startMs: booking.starts_at.getTime(), status: booking.status },
      { reminderOffsets: parseOffsets(setting.reminder_offsets), reviewDelayMinutes: setting.review_delay_minutes },
      now,
    );
    for (const plan of plans) {
      const facts: NotificationFacts = {
        storeName: store?.name ?? '',
        serviceName: serviceById.get(booking.service_id)?.name ?? '',
        startMs: plan.startMs,
        timezone: store?.timezone ?? 'Asia/Shanghai',
        amountFen: plan.amountFen,
        checkinCode: booking.checkin_code,
        customerLabel: `顾客#${booking.customer_id}`,
        count: null,
        date: null,
        deadlineMs: plan.kind === 'WAITLIST_OFFER' ? (booking.offer_expires_at?.getTime() ?? null) : null,
      };
      rows.push({
        dedupe_key: plan.dedupeKey,
        merchant_id: booking.merchant_id,
        store_id: booking.store_id,
        booking_id: booking.id,
        audience: plan.audience,
        customer_id: plan.audience === 'customer' ? booking.customer_id : null,
        kind: plan.kind,
        channel: plan.channel,
        channel_used: null,
        status: 'PENDING',
        reason: null,
        variables: JSON.stringify(facts),
        due_at: new Date(plan.dueMs),
        provider_ref: null,
        sending_at: null,
        sent_at: null,
        delivered_at: null,
        created_at: new Date(now),
        updated_at: new Date(now),
      });
    }
  }
  const planned = await inTransaction(deps.db, async (trx) => {
    const inserted = await insertNotifications(trx, rows);
    await setCursor(trx, CURSOR, end, now);
    return inserted;
  });
  return { events: events.length, planned, cursor: end };
}
