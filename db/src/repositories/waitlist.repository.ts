import { type Kysely, sql, type Transaction } from 'kysely';
import type { BookingStatus } from '../../../core/src/booking/state-machine.ts';
import type { WaitlistStatus } from '../../../core/src/waitlist/entry.ts';
import type { Database } from '../database.ts';
import type { NewWaitlistEntry, WaitlistEntryRow } from '../tables/waitlist.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** One slot somebody waits for. */
export interface WaitingSlot {
  storeId: number;
  serviceId: number;
  startsAt: Date;
}

/**
 * Adds an entry; a second active entry of the same customer for the same slot
 * fails on the `active_key` unique key (the caller maps it to WAITLIST_ALREADY_JOINED).
 *
 * @example const id = await insertWaitlistEntry(db, { ...entry, status: 'WAITING', active_key: activeKey(c, s, t) })
 */
export async function insertWaitlistEntry(db: Db, row: NewWaitlistEntry): Promise<number> {
  const result = await db.insertInto('waitlist_entries').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function findWaitlistEntry(db: Db, id: number): Promise<WaitlistEntryRow | undefined> {
  return db.selectFrom('waitlist_entries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function waitlistEntryOfBooking(db: Db, bookingId: string): Promise<WaitlistEntryRow | undefined> {
  return db.selectFrom('waitlist_entries').selectAll().where('booking_id', '=', bookingId).executeTakeFirst();
}

export async function customerWaitlistEntries(db: Db, customerId: number, limit: number): Promise<WaitlistEntryRow[]> {
  return db.selectFrom('waitlist_entries').selectAll().where('customer_id', '=', customerId).orderBy('joined_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** The entries waiting for one slot, in serving order (priority desc, join time, id). */
export async function waitersOf(db: Db, slot: WaitingSlot, limit: number): Promise<WaitlistEntryRow[]> {
  return db
    .selectFrom('waitlist_entries')
    .selectAll()
    .where('status', '=', 'WAITING')
    .where('store_id', '=', slot.storeId)
    .where('service_id', '=', slot.serviceId)
    .where('starts_at', '=', slot.startsAt)
    .orderBy('priority', 'desc')
    .orderBy('joined_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Slots with at least one waiting entry, soonest first. */
export async function waitingSlots(db: Db, limit: number): Promise<WaitingSlot[]> {
  const rows = await db
    .selectFrom('waitlist_entries')
    .select(['store_id', 'service_id', 'starts_at'])
    .where('status', '=', 'WAITING')
    .groupBy(['store_id', 'service_id', 'starts_at'])
    .orderBy('starts_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ storeId: r.store_id, serviceId: r.service_id, startsAt: r.starts_at }));
}

/**
 * Compare-and-set of an entry's status. Leaving an active status clears
 * `active_key` (the customer may join that slot again) and stamps `ended_at`;
 * going back to WAITING (an offer MySQL refused) counts an attempt, so the next
 * offer uses a fresh idempotency key. Returns whether this call changed the row.
 */
export async function setWaitlistStatus(
  db: Db,
  id: number,
  from: readonly WaitlistStatus[],
  to: WaitlistStatus,
  nowMs: number,
  changes: { bookingId?: string | null } = {},
): Promise<boolean> {
  const now = new Date(nowMs);
  const ended = to !== 'WAITING' && to !== 'OFFERED';
  const result = await db
    .updateTable('waitlist_entries')
    .set((eb) => ({
      status: to,
      updated_at: now,
      ...(ended ? { active_key: null, ended_at: now } : {}),
      ...(changes.bookingId !== undefined ? { booking_id: changes.bookingId } : {}),
      ...(to === 'WAITING' ? { offer_attempts: eb('offer_attempts', '+', 1) } : {}),
    }))
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Waiting entries whose slot has started: nothing can be offered any more. */
export async function expireStartedWaiters(db: Db, nowMs: number): Promise<number> {
  const now = new Date(nowMs);
  const result = await db
    .updateTable('waitlist_entries')
    .set({ status: 'EXPIRED', active_key: null, ended_at: now, updated_at: now })
    .where('status', '=', 'WAITING')
    .where('starts_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** OFFERED entries whose booking row has left OFFERED (accepted, declined, expired, refused, cancelled by staff). */
export async function settledOffers(db: Db, limit: number): Promise<{ id: number; bookingStatus: BookingStatus }[]> {
  return db
    .selectFrom('waitlist_entries as w')
    .innerJoin('bookings as b', 'b.id', 'w.booking_id')
    .select(['w.id as id', 'b.status as bookingStatus'])
    .where('w.status', '=', 'OFFERED')
    .where('b.status', '<>', 'OFFERED')
    .limit(limit)
    .execute();
}

/** OFFERED bookings whose offer window has passed. */
export async function offersPastDeadline(db: Db, nowMs: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('bookings')
    .select('id')
    .where('status', '=', 'OFFERED')
    .where('offer_expires_at', '<=', new Date(nowMs))
    .orderBy('offer_expires_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Sets what an accepted offer owes (or its check-in code) and its new status, if it is still OFFERED. */
export async function acceptOfferRow(
  trx: Transaction<Database>,
  bookingId: string,
  to: 'CONFIRMED' | 'AWAITING_PAYMENT',
  changes: { amountDueFen: number; paymentDueAt: Date | null; checkinCode: string | null },
  nowMs: number,
): Promise<boolean> {
  const result = await trx
    .updateTable('bookings')
    .set({
      status: to,
      status_reason: 'OFFER_ACCEPTED',
      amount_due_fen: changes.amountDueFen,
      payment_due_at: changes.paymentDueAt,
      checkin_code: changes.checkinCode,
      updated_at: new Date(nowMs),
      version: sql`version + 1`,
    })
    .where('id', '=', bookingId)
    .where('status', '=', 'OFFERED')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
