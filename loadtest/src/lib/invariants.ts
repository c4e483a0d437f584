import { type Kysely, sql } from 'kysely';
import { type BookingStatus, capacityHoldingStatuses, pipelineOutcomes } from '../../../core/src/booking/state-machine.ts';
import type { Database } from '../../../db/src/database.ts';
import { Progress, sleep } from './progress.ts';

/** What MySQL says after a run: the checks every scenario and the bench share. */

export interface CellProblem {
  resourceId: number;
  startsAt: string;
  capacity: number;
  booked: number;
  /** Units held by capacity-holding bookings through booking_cells. */
  held: number;
}

export interface CellCheck {
  cellsChecked: number;
  /** booked or held above capacity. */
  overCapacity: CellProblem[];
  /** booked differs from what the bookings hold. */
  mismatched: CellProblem[];
  /** Units above capacity in the worst cell (for a session of one room: seats sold beyond capacity). */
  worstExcess: number;
  /** booking_cells of live bookings that point at no inventory cell. */
  orphanCells: number;
}

const holding = sql.join([...capacityHoldingStatuses]);

/**
 * Per inventory cell: the units capacity-holding bookings hold there and how many of their runs cover it.
 * A run [starts_at, ends_at) adds its quantity at its start and takes it back at its end, so a running sum
 * over each resource's time line gives every cell's figure in one pass over runs and cells. (Joining each
 * run to the cells inside it reads, in MariaDB, every cell of the resource per run: minutes after a bench.)
 */
const heldPerCell = sql`
  SELECT resource_id, at,
         SUM(SUM(units)) OVER (PARTITION BY resource_id ORDER BY at) AS held,
         SUM(SUM(runs)) OVER (PARTITION BY resource_id ORDER BY at) AS covering
  FROM (
    SELECT bc.resource_id, bc.starts_at AS at, CAST(bc.quantity AS SIGNED) AS units, 1 AS runs
      FROM booking_cells bc JOIN bookings b ON b.id = bc.booking_id WHERE b.status IN (${holding})
    UNION ALL
    SELECT bc.resource_id, bc.ends_at, -CAST(bc.quantity AS SIGNED), -1
      FROM booking_cells bc JOIN bookings b ON b.id = bc.booking_id WHERE b.status IN (${holding})
    UNION ALL
    SELECT resource_id, starts_at, 0, 0 FROM inventory_cells
  ) edges
  GROUP BY resource_id, at
`;

/**
 * Every inventory cell (of `storeIds`, or all): booked ≤ capacity, and booked
 * equals the units that capacity-holding bookings take through booking_cells
 * (runs of cells: a cell is held by each run it starts inside). Its statements
 * read one snapshot (one repeatable-read transaction), even while others book.
 */
export async function checkCells(db: Kysely<Database>, storeIds?: readonly number[]): Promise<CellCheck> {
  const scope = storeIds?.length ? sql`AND c.store_id IN (${sql.join([...storeIds])})` : sql``;
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const { rows } = await sql<{ resource_id: number; starts_at: Date; capacity: number; booked: number; held: number | string }>`
        SELECT c.resource_id, c.starts_at, c.capacity, c.booked, h.held
        FROM inventory_cells c
        JOIN (${heldPerCell}) h ON h.resource_id = c.resource_id AND h.at = c.starts_at
        WHERE (c.booked > c.capacity OR h.held > c.capacity OR c.booked <> h.held) ${scope}
      `.execute(trx);
      const total = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM inventory_cells c WHERE 1 = 1 ${scope}`.execute(trx);
      // A run holds (ends_at - starts_at) / cell_minutes cells; those no inventory cell answers to are orphans.
      const expected = await sql<{ n: number | string | null }>`
        SELECT SUM(CEIL(TIMESTAMPDIFF(MINUTE, bc.starts_at, bc.ends_at) / s.cell_minutes)) AS n
        FROM booking_cells bc JOIN bookings b ON b.id = bc.booking_id JOIN stores s ON s.id = b.store_id
        WHERE b.status IN (${holding})
      `.execute(trx);
      const covered = await sql<{ n: number | string | null }>`
        SELECT SUM(h.covering) AS n FROM inventory_cells c JOIN (${heldPerCell}) h ON h.resource_id = c.resource_id AND h.at = c.starts_at
      `.execute(trx);
      const problems = rows.map((r) => ({ resourceId: Number(r.resource_id), startsAt: r.starts_at.toISOString(), capacity: r.capacity, booked: r.booked, held: Number(r.held) }));
      const overCapacity = problems.filter((p) => p.booked > p.capacity || p.held > p.capacity);
      return {
        cellsChecked: Number(total.rows[0]?.n ?? 0),
        overCapacity,
        mismatched: problems.filter((p) => p.booked !== p.held),
        worstExcess: overCapacity.reduce((worst, p) => Math.max(worst, Math.max(p.booked, p.held) - p.capacity), 0),
        orphanCells: Number(expected.rows[0]?.n ?? 0) - Number(covered.rows[0]?.n ?? 0),
      };
    });
}

export interface BookingRowInfo {
  status: BookingStatus;
  partySize: number;
  /** Rows with this id (the primary key makes anything but 1 a schema bug, but it is cheap to look). */
  rows: number;
}

async function rowsFor(db: Kysely<Database>, ids: readonly string[], into: Map<string, BookingRowInfo>): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const rows = await db.selectFrom('bookings').select(['id', 'status', 'party_size']).where('id', 'in', chunk).execute();
    for (const row of rows) {
      const seen = into.get(row.id);
      if (seen) seen.rows += 1;
      else into.set(row.id, { status: row.status, partySize: row.party_size, rows: 1 });
    }
  }
}

export interface SettleResult {
  rows: Map<string, BookingRowInfo>;
  /** Accepted ids with no row when the wait ended. */
  missing: string[];
  seconds: number;
  timedOut: boolean;
}

/**
 * Polls MySQL until every accepted booking has a row in a pipeline outcome
 * (CONFIRMED, REJECTED, EXPIRED, CANCELLED), or the timeout passes.
 */
export async function waitForSettled(db: Kysely<Database>, ids: readonly string[], timeoutMs: number): Promise<SettleResult> {
  const started = performance.now();
  const rows = new Map<string, BookingRowInfo>();
  const progress = new Progress(`wait for ${ids.length} accepted bookings to reach MySQL`, ids.length);
  let waiting = [...ids];
  for (;;) {
    await rowsFor(db, waiting, rows);
    waiting = waiting.filter((id) => !pipelineOutcomes.includes(rows.get(id)?.status as BookingStatus));
    progress.update(ids.length - waiting.length);
    const timedOut = performance.now() - started > timeoutMs;
    if (waiting.length === 0 || timedOut) {
      progress.done(waiting.length ? `${waiting.length} still missing after ${timeoutMs / 1000} s` : '');
      // A final full read, so `rows` counts every id exactly as MySQL has it now.
      rows.clear();
      await rowsFor(db, ids, rows);
      return { rows, missing: ids.filter((id) => !rows.has(id)), seconds: (performance.now() - started) / 1000, timedOut: waiting.length > 0 };
    }
    await sleep(500);
  }
}

export function countByStatus(rows: Map<string, BookingRowInfo>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of rows.values()) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

export const invariant = (name: string, ok: boolean, detail: string): InvariantResult => ({ name, ok, detail });
