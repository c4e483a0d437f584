import { type Kysely, type Transaction, sql } from 'kysely';
import { cellsOfRuns } from '../../../core/src/inventory/runs.ts';
import { MINUTE_MS } from '../../../core/src/time/zoned.ts';
import type { Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface CellState {
  resourceId: number;
  startMinute: number;
  localDate: string;
  capacity: number;
  booked: number;
}

/** Every inventory cell of a store on the given local dates. */
export async function cellsOnDates(db: Db, storeId: number, dates: readonly string[]): Promise<CellState[]> {
  if (dates.length === 0) return [];
  const rows = await db
    .selectFrom('inventory_cells')
    .select(['resource_id', 'starts_at', 'local_date', 'capacity', 'booked'])
    .where('store_id', '=', storeId)
    .where('local_date', 'in', [...dates])
    .execute();
  return rows.map((r) => ({ resourceId: r.resource_id, startMinute: r.starts_at.getTime() / MINUTE_MS, localDate: r.local_date, capacity: r.capacity, booked: r.booked }));
}

/**
 * Sets each cell's capacity to `GREATEST(wanted, booked)`: raising is immediate, lowering never goes
 * under what bookings still hold (CHECK booked <= capacity), the caller records the deficit.
 */
export async function setCellCapacities(db: Db, cells: readonly { resourceId: number; startMinute: number; capacity: number }[]): Promise<void> {
  for (let i = 0; i < cells.length; i += 500) {
    const chunk = cells.slice(i, i + 500);
    const table = sql.join(
      chunk.map((c, n) =>
        n === 0
          ? sql`SELECT ${c.resourceId} AS resource_id, ${new Date(c.startMinute * MINUTE_MS)} AS starts_at, ${c.capacity} AS capacity`
          : sql`SELECT ${c.resourceId}, ${new Date(c.startMinute * MINUTE_MS)}, ${c.capacity}`,
      ),
      sql` UNION ALL `,
    );
    await sql`
      UPDATE inventory_cells ic
      JOIN (${table}) wanted ON ic.resource_id = wanted.resource_id AND ic.starts_at = wanted.starts_at
      SET ic.capacity = GREATEST(wanted.capacity, ic.booked)
    `.execute(db);
  }
}

export interface HeldCell {
  bookingId: string;
  resourceId: number;
  startMinute: number;
  quantity: number;
}

/** Cells held by a store's capacity-holding bookings on the given dates (their runs, cell by cell). */
export async function heldCellsOnDates(db: Db, storeId: number, dates: readonly string[], statuses: readonly string[]): Promise<HeldCell[]> {
  if (dates.length === 0) return [];
  const rows = await db
    .selectFrom('booking_cells as bc')
    .innerJoin('bookings as b', 'b.id', 'bc.booking_id')
    .innerJoin('stores as s', 's.id', 'b.store_id')
    .select(['bc.booking_id', 'bc.resource_id', 'bc.starts_at', 'bc.ends_at', 'bc.quantity', 's.cell_minutes'])
    .where('b.store_id', '=', storeId)
    .where('b.local_date', 'in', [...dates])
    .where('b.status', 'in', [...statuses] as never[])
    .execute();
  return rows.flatMap((r) =>
    cellsOfRuns([{ resourceId: r.resource_id, startMinute: r.starts_at.getTime() / MINUTE_MS, endMinute: r.ends_at.getTime() / MINUTE_MS, quantity: r.quantity }], r.cell_minutes).map(
      (cell) => ({ bookingId: r.booking_id, ...cell }),
    ),
  );
}

export interface BookingFlag {
  id: number;
  bookingId: string;
  storeId: number;
  reason: string;
  detail: Record<string, unknown>;
  deficitUnits: number;
  createdAt: Date;
}

export async function insertBookingFlag(
  db: Db,
  flag: { bookingId: string; merchantId: number; storeId: number; reason: string; detail: Record<string, unknown>; deficitUnits: number },
  nowMs: number,
): Promise<void> {
  await sql`
    INSERT INTO booking_flags (booking_id, merchant_id, store_id, reason, detail, deficit_units, created_at)
    VALUES (${flag.bookingId}, ${flag.merchantId}, ${flag.storeId}, ${flag.reason}, ${JSON.stringify(flag.detail)}, ${flag.deficitUnits}, ${new Date(nowMs)})
  `.execute(db);
}

interface FlagRow {
  id: number;
  booking_id: string;
  store_id: number;
  reason: string;
  detail: string;
  deficit_units: number;
  created_at: Date;
}

function flagFromRow(r: FlagRow): BookingFlag {
  return { id: Number(r.id), bookingId: r.booking_id, storeId: Number(r.store_id), reason: r.reason, detail: JSON.parse(r.detail) as Record<string, unknown>, deficitUnits: Number(r.deficit_units), createdAt: r.created_at };
}

/** Open (unresolved) flags of a merchant, optionally one store's or some bookings'. */
export async function openBookingFlags(db: Db, merchantId: number, filter: { storeId?: number | undefined; bookingIds?: readonly string[] } = {}): Promise<BookingFlag[]> {
  if (filter.bookingIds && filter.bookingIds.length === 0) return [];
  const store = filter.storeId !== undefined ? sql` AND store_id = ${filter.storeId}` : sql``;
  const ids = filter.bookingIds ? sql` AND booking_id IN (${sql.join([...filter.bookingIds])})` : sql``;
  const result = await sql<FlagRow>`
    SELECT id, booking_id, store_id, reason, detail, deficit_units, created_at FROM booking_flags
    WHERE merchant_id = ${merchantId} AND resolved_at IS NULL${store}${ids} ORDER BY id
  `.execute(db);
  return result.rows.map(flagFromRow);
}
