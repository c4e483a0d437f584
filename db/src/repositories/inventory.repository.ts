import { type Kysely, type Transaction, sql } from 'kysely';
import type { CellQuantity } from '../../../core/src/booking/intent.ts';
import type { DateException, WeeklyHours } from '../../../core/src/inventory/build-cells.ts';
import { MINUTE_MS } from '../../../core/src/time/zoned.ts';
import type { Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ScheduleInputs {
  resources: { id: number; capacity: number }[];
  hours: WeeklyHours[];
  exceptions: DateException[];
}

export async function loadScheduleInputs(db: Db, storeId: number, fromDate: string, toDate: string): Promise<ScheduleInputs> {
  const [resources, hours, exceptions] = await Promise.all([
    db.selectFrom('resources').select(['id', 'capacity']).where('store_id', '=', storeId).where('status', '=', 'active').orderBy('id').execute(),
    db.selectFrom('opening_hours').select(['resource_id', 'weekday', 'open_minute', 'close_minute']).where('store_id', '=', storeId).execute(),
    db
      .selectFrom('schedule_exceptions')
      .select(['resource_id', 'local_date', 'closed', 'open_minute', 'close_minute'])
      .where('store_id', '=', storeId)
      .where('local_date', '>=', fromDate)
      .where('local_date', '<=', toDate)
      .execute(),
  ]);
  return {
    resources,
    hours: hours.map((h) => ({ resourceId: h.resource_id, weekday: h.weekday, openMinute: h.open_minute, closeMinute: h.close_minute })),
    exceptions: exceptions.map((e) => ({
      resourceId: e.resource_id,
      localDate: e.local_date,
      closed: e.closed === 1,
      openMinute: e.open_minute,
      closeMinute: e.close_minute,
    })),
  };
}

export interface NewCell {
  resourceId: number;
  startMinute: number;
  merchantId: number;
  storeId: number;
  localDate: string;
  capacity: number;
}

/** Adds cells that do not exist yet; existing cells (and their `booked`) are left alone. */
export async function insertCells(db: Db, cells: NewCell[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < cells.length; i += 1000) {
    const chunk = cells.slice(i, i + 1000);
    const result = await db
      .insertInto('inventory_cells')
      .ignore()
      .values(
        chunk.map((c) => ({
          resource_id: c.resourceId,
          starts_at: new Date(c.startMinute * MINUTE_MS),
          merchant_id: c.merchantId,
          store_id: c.storeId,
          local_date: c.localDate,
          capacity: c.capacity,
          booked: 0,
        })),
      )
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

export interface CellSnapshotRow {
  resourceId: number;
  startMinute: number;
  localDate: string;
  capacity: number;
  booked: number;
}

/** Cells of a store from `fromMs` on (the ones still bookable), for reconciliation and rebuilds. */
export async function storeCellsFrom(db: Db, storeId: number, fromMs: number): Promise<CellSnapshotRow[]> {
  const rows = await db
    .selectFrom('inventory_cells')
    .select(['resource_id', 'starts_at', 'local_date', 'capacity', 'booked'])
    .where('store_id', '=', storeId)
    .where('starts_at', '>=', new Date(fromMs))
    .execute();
  return rows.map((r) => ({
    resourceId: r.resource_id,
    startMinute: r.starts_at.getTime() / MINUTE_MS,
    localDate: r.local_date,
    capacity: r.capacity,
    booked: r.booked,
  }));
}

/** Sums quantities per cell, so one statement can touch each row once. */
export function aggregateCells(cells: readonly CellQuantity[]): CellQuantity[] {
  const byCell = new Map<string, CellQuantity>();
  for (const cell of cells) {
    const key = `${cell.resourceId}:${cell.startMinute}`;
    const existing = byCell.get(key);
    if (existing) existing.quantity += cell.quantity;
    else byCell.set(key, { ...cell });
  }
  // One order for every transaction (the primary key's), so concurrent persist batches lock shared cells in the
  // same sequence instead of deadlocking on each other and retrying.
  return [...byCell.values()].sort((a, b) => a.resourceId - b.resourceId || a.startMinute - b.startMinute);
}

function cellsTable(cells: CellQuantity[]) {
  return sql.join(
    cells.map((c, i) =>
      i === 0
        ? sql`SELECT ${c.resourceId} AS resource_id, ${new Date(c.startMinute * MINUTE_MS)} AS starts_at, ${c.quantity} AS quantity`
        : sql`SELECT ${c.resourceId}, ${new Date(c.startMinute * MINUTE_MS)}, ${c.quantity}`,
    ),
    sql` UNION ALL `,
  );
}

/**
 * Takes capacity on every cell, or on none: one conditional UPDATE
 * (`booked + n <= capacity`) whose affected-row count must equal the number of
 * distinct cells. MySQL thereby refuses overbooking whatever Redis believed;
 * the caller rolls back when this returns false.
 */
export async function takeCells(trx: Transaction<Database>, cells: readonly CellQuantity[]): Promise<boolean> {
  const distinct = aggregateCells(cells);
  let updated = 0;
  for (let i = 0; i < distinct.length; i += 500) {
    const chunk = distinct.slice(i, i + 500);
    const result = await sql`
      UPDATE inventory_cells ic
      JOIN (${cellsTable(chunk)}) wanted ON ic.resource_id = wanted.resource_id AND ic.starts_at = wanted.starts_at
      SET ic.booked = ic.booked + wanted.quantity
      WHERE ic.booked + wanted.quantity <= ic.capacity
    `.execute(trx);
    updated += Number(result.numAffectedRows ?? 0);
  }
  return updated === distinct.length;
}

/** Gives capacity back (cancellation). Never below zero: the CHECK and UNSIGNED column would refuse it anyway. */
export async function giveBackCells(trx: Transaction<Database>, cells: readonly CellQuantity[]): Promise<void> {
  const distinct = aggregateCells(cells);
  for (let i = 0; i < distinct.length; i += 500) {
    const chunk = distinct.slice(i, i + 500);
    await sql`
      UPDATE inventory_cells ic
      JOIN (${cellsTable(chunk)}) freed ON ic.resource_id = freed.resource_id AND ic.starts_at = freed.starts_at
      SET ic.booked = GREATEST(CAST(ic.booked AS SIGNED) - freed.quantity, 0)
    `.execute(trx);
  }
}
