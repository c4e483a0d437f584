import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';
import type { BookingSeriesItemRow, BookingSeriesRow, NewBookingSeries, SeriesItemOutcome, SeriesStatus, SeriesTables } from '../tables/series.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

const tables = (db: Db) => db.withTables<SeriesTables>();

/**
 * Inserts a series unless the customer already has one under this idempotency key; returns the row either way.
 *
 * @example const { row, created } = await insertSeriesIfAbsent(db, { ...series, status: 'CREATING' })
 */
export async function insertSeriesIfAbsent(db: Db, row: NewBookingSeries): Promise<{ row: BookingSeriesRow; created: boolean }> {
  const result = await tables(db).insertInto('booking_series').ignore().values(row).executeTakeFirst();
  const created = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  const found = await tables(db)
    .selectFrom('booking_series')
    .selectAll()
    .where('customer_id', '=', row.customer_id)
    .where('idempotency_key', '=', row.idempotency_key)
    .executeTakeFirstOrThrow();
  return { row: found, created };
}

export async function findSeries(db: Db, id: number): Promise<BookingSeriesRow | undefined> {
  return tables(db).selectFrom('booking_series').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setSeriesStatus(db: Db, id: number, status: SeriesStatus, now: number): Promise<void> {
  await tables(db).updateTable('booking_series').set({ status, updated_at: new Date(now) }).where('id', '=', id).execute();
}

export async function seriesItems(db: Db, seriesId: number): Promise<BookingSeriesItemRow[]> {
  return tables(db).selectFrom('booking_series_items').selectAll().where('series_id', '=', seriesId).orderBy('idx').execute();
}

/** Records (or overwrites) the outcome of one occurrence. */
export async function upsertSeriesItem(
  db: Db,
  item: { seriesId: number; idx: number; startsAt: Date; localDate: string; outcome: SeriesItemOutcome; reason: string | null; bookingId: string | null },
  now: number,
): Promise<void> {
  const values = { outcome: item.outcome, reason: item.reason, booking_id: item.bookingId, updated_at: new Date(now) };
  await tables(db)
    .insertInto('booking_series_items')
    .values({ series_id: item.seriesId, idx: item.idx, starts_at: item.startsAt, local_date: item.localDate, ...values })
    .onDuplicateKeyUpdate(values)
    .execute();
}

export async function insertSequence(
  db: Db,
  row: { bookingId: string; storeId: number; customerId: number; sameStaff: boolean; steps: unknown },
  now: number,
): Promise<void> {
  await tables(db)
    .insertInto('booking_sequences')
    .values({ booking_id: row.bookingId, store_id: row.storeId, customer_id: row.customerId, same_staff: row.sameStaff, steps: JSON.stringify(row.steps), created_at: new Date(now) })
    .execute();
}

export async function deleteSequence(db: Db, bookingId: string): Promise<void> {
  await tables(db).deleteFrom('booking_sequences').where('booking_id', '=', bookingId).execute();
}

export async function findSequence(db: Db, bookingId: string): Promise<{ sameStaff: boolean; steps: unknown } | undefined> {
  const row = await tables(db).selectFrom('booking_sequences').select(['same_staff', 'steps']).where('booking_id', '=', bookingId).executeTakeFirst();
  return row ? { sameStaff: Boolean(row.same_staff), steps: JSON.parse(row.steps) as unknown } : undefined;
}

/** Status of each booking by id (for a series' report). */
export async function bookingStatuses(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('bookings').select(['id', 'status']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.status]));
}
