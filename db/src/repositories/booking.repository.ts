import type { Kysely, Transaction } from 'kysely';
import type { BookingIntent, CellQuantity } from '../../../core/src/booking/intent.ts';
import type { BookingStatus } from '../../../core/src/booking/state-machine.ts';
import { storeIdOfBooking } from '../../../core/src/ids.ts';
import { runsOfCells } from '../../../core/src/inventory/runs.ts';
import { MINUTE_MS } from '../../../core/src/time/zoned.ts';
import type { Database } from '../database.ts';
import { aggregateCells } from './inventory.repository.ts';
import type { BookingRow, NewBooking, NewBookingEvent } from '../tables/booking.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function bookingRowFromIntent(intent: BookingIntent, status: BookingStatus, reason: string | null, nowMs: number): NewBooking {
  return {
    id: intent.bookingId,
    merchant_id: intent.merchantId,
    store_id: intent.storeId,
    service_id: intent.serviceId,
    customer_id: intent.customerId,
    resource_id: intent.resourceId,
    starts_at: new Date(intent.startMs),
    ends_at: new Date(intent.endMs),
    local_date: intent.localDate,
    party_size: intent.partySize,
    price_fen: intent.priceFen,
    status,
    status_reason: reason,
    idempotency_key: intent.idempotencyKey,
    note: intent.note,
    accepted_at: new Date(intent.acceptedAt),
    updated_at: new Date(nowMs),
  };
}

/** Plain multi-row insert: a duplicate id fails the whole statement (the caller falls back to one by one). */
export async function insertBookings(trx: Transaction<Database>, rows: NewBooking[]): Promise<void> {
  if (rows.length > 0) await trx.insertInto('bookings').values(rows).execute();
}

/** Inserts unless the id exists; true if this call created the row. The primary key arbitrates races. */
export async function insertBookingIfAbsent(trx: Db, row: NewBooking): Promise<boolean> {
  const result = await trx.insertInto('bookings').ignore().values(row).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function insertBookingCells(trx: Transaction<Database>, bookingId: string, cells: readonly CellQuantity[]): Promise<void>;
export async function insertBookingCells(trx: Transaction<Database>, rows: { bookingId: string; cells: readonly CellQuantity[] }[]): Promise<void>;
export async function insertBookingCells(
  trx: Transaction<Database>,
  first: string | { bookingId: string; cells: readonly CellQuantity[] }[],
  cells?: readonly CellQuantity[],
): Promise<void> {
  const groups = typeof first === 'string' ? [{ bookingId: first, cells: cells ?? [] }] : first;
  const storeIds = groups.map((g) => storeOfBooking(g.bookingId));
  const cellMinutes = await cellMinutesOfStores(trx, storeIds);
  // Two requirements met by one resource (two rooms of a 4-room pool) claim the same cell twice: summed, then
  // one row per run of adjacent cells.
  const values = groups.flatMap((g, i) =>
    runsOfCells(aggregateCells(g.cells), cellMinutes.get(storeIds[i]!)!).map((run) => ({
      booking_id: g.bookingId,
      resource_id: run.resourceId,
      starts_at: new Date(run.startMinute * MINUTE_MS),
      ends_at: new Date(run.endMinute * MINUTE_MS),
      quantity: run.quantity,
    })),
  );
  for (let i = 0; i < values.length; i += 2000) await trx.insertInto('booking_cells').values(values.slice(i, i + 2000)).execute();
}

function storeOfBooking(bookingId: string): number {
  const storeId = storeIdOfBooking(bookingId);
  if (storeId === null) throw new Error(`not a booking id: ${bookingId}`);
  return storeId;
}

/** A store's cell length is fixed when it is created, so runs written with it stay true. */
async function cellMinutesOfStores(db: Db, storeIds: readonly number[]): Promise<Map<number, number>> {
  const distinct = [...new Set(storeIds)];
  if (distinct.length === 0) return new Map();
  const rows = await db.selectFrom('stores').select(['id', 'cell_minutes']).where('id', 'in', distinct).execute();
  const found = new Map(rows.map((r) => [Number(r.id), r.cell_minutes]));
  for (const storeId of distinct) if (!found.has(storeId)) throw new Error(`no store ${storeId} for booking cells`);
  return found;
}

export async function appendEvents(trx: Db, events: NewBookingEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 2000) await trx.insertInto('booking_events').values(events.slice(i, i + 2000)).execute();
}

export async function findBooking(db: Db, bookingId: string): Promise<BookingRow | undefined> {
  return db.selectFrom('bookings').selectAll().where('id', '=', bookingId).executeTakeFirst();
}

export async function findBookings(db: Db, bookingIds: string[]): Promise<BookingRow[]> {
  if (bookingIds.length === 0) return [];
  return db.selectFrom('bookings').selectAll().where('id', 'in', bookingIds).execute();
}

/** Row lock for a state change; read committed + FOR UPDATE serialises concurrent changes of one booking. */
export async function lockBooking(trx: Transaction<Database>, bookingId: string): Promise<BookingRow | undefined> {
  return trx.selectFrom('bookings').selectAll().where('id', '=', bookingId).forUpdate().executeTakeFirst();
}

/**
 * The cells a booking holds: the inventory cells inside its runs (see core/src/inventory/runs.ts). Two reads,
 * the runs and then their cells by primary-key ranges: a join on the range would read, in MariaDB, every cell
 * of the resource for each run.
 */
export async function bookingCellsOf(db: Db, bookingId: string): Promise<CellQuantity[]> {
  const runs = await db.selectFrom('booking_cells').select(['resource_id', 'starts_at', 'ends_at', 'quantity']).where('booking_id', '=', bookingId).execute();
  if (runs.length === 0) return [];
  const cells = await db
    .selectFrom('inventory_cells')
    .select(['resource_id', 'starts_at', 'local_date'])
    .where((eb) => eb.or(runs.map((run) => eb.and([eb('resource_id', '=', run.resource_id), eb('starts_at', '>=', run.starts_at), eb('starts_at', '<', run.ends_at)]))))
    .orderBy('resource_id')
    .orderBy('starts_at')
    .execute();
  return cells.map((cell) => {
    const run = runs.find((r) => r.resource_id === cell.resource_id && r.starts_at <= cell.starts_at && cell.starts_at < r.ends_at)!;
    return { resourceId: cell.resource_id, startMinute: cell.starts_at.getTime() / MINUTE_MS, localDate: cell.local_date, quantity: run.quantity };
  });
}

/** Compare-and-set status change; returns whether this call made it (0 rows = someone else moved first). */
export async function transitionBooking(
  trx: Db,
  bookingId: string,
  from: readonly BookingStatus[],
  to: BookingStatus,
  reason: string | null,
  nowMs: number,
): Promise<boolean> {
  const result = await trx
    .updateTable('bookings')
    .set((eb) => ({ status: to, status_reason: reason, updated_at: new Date(nowMs), version: eb('version', '+', 1) }))
    .where('id', '=', bookingId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface BookingListFilter {
  storeId?: number | undefined;
  localDate?: string | undefined;
  status?: BookingStatus | undefined;
  limit: number;
}

/** Tenant-scoped: the merchant id comes from the caller's token, never from the request. */
export async function listMerchantBookings(db: Db, merchantId: number, filter: BookingListFilter): Promise<BookingRow[]> {
  let query = db.selectFrom('bookings').selectAll().where('merchant_id', '=', merchantId);
  if (filter.storeId !== undefined) query = query.where('store_id', '=', filter.storeId);
  if (filter.localDate !== undefined) query = query.where('local_date', '=', filter.localDate);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return query.orderBy('starts_at').orderBy('id').limit(filter.limit).execute();
}

export async function listCustomerBookings(db: Db, customerId: number, limit: number): Promise<BookingRow[]> {
  return db.selectFrom('bookings').selectAll().where('customer_id', '=', customerId).orderBy('starts_at', 'desc').limit(limit).execute();
}

export async function eventsOf(db: Db, bookingId: string) {
  return db.selectFrom('booking_events').selectAll().where('booking_id', '=', bookingId).orderBy('id').execute();
}

export async function setCheckinCode(trx: Db, bookingId: string, code: string | null): Promise<void> {
  await trx.updateTable('bookings').set({ checkin_code: code }).where('id', '=', bookingId).execute();
}

/** Confirmed bookings of a store on a local day carrying this check-in code (normally one). */
export async function bookingsByCheckinCode(db: Db, storeIds: readonly number[], localDate: string, code: string): Promise<BookingRow[]> {
  if (storeIds.length === 0) return [];
  return db
    .selectFrom('bookings')
    .selectAll()
    .where('store_id', 'in', [...storeIds])
    .where('local_date', '=', localDate)
    .where('checkin_code', '=', code)
    .where('status', '=', 'CONFIRMED')
    .limit(5)
    .execute();
}

/** AWAITING_PAYMENT bookings whose payment deadline has passed, oldest first. */
export async function unpaidPastDeadline(db: Db, nowMs: number, limit: number): Promise<{ id: string; store_id: number }[]> {
  return db
    .selectFrom('bookings')
    .select(['id', 'store_id'])
    .where('status', '=', 'AWAITING_PAYMENT')
    .where('payment_due_at', '<=', new Date(nowMs))
    .orderBy('payment_due_at')
    .limit(limit)
    .execute();
}

/** Swaps a booking's cells (reschedule); the caller holds the booking's row lock. */
export async function replaceBookingCells(trx: Transaction<Database>, bookingId: string, cells: readonly CellQuantity[]): Promise<void> {
  await trx.deleteFrom('booking_cells').where('booking_id', '=', bookingId).execute();
  await insertBookingCells(trx, bookingId, cells);
}

export interface BookingSlot {
  startMs: number;
  endMs: number;
  localDate: string;
  resourceId: number | null;
}

/** Moves a booking to another slot; false if its status changed meanwhile (compare-and-set like transitionBooking). */
export async function moveBookingSlot(trx: Db, bookingId: string, from: readonly BookingStatus[], slot: BookingSlot, nowMs: number): Promise<boolean> {
  const result = await trx
    .updateTable('bookings')
    .set((eb) => ({
      starts_at: new Date(slot.startMs),
      ends_at: new Date(slot.endMs),
      local_date: slot.localDate,
      resource_id: slot.resourceId,
      updated_at: new Date(nowMs),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', bookingId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countBookingEvents(db: Db, bookingId: string, type: string): Promise<number> {
  const row = await db
    .selectFrom('booking_events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('booking_id', '=', bookingId)
    .where('type', '=', type)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
