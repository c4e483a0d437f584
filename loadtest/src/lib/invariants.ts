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
 * Every inventory cell (of `storeIds`, or all): booked ≤ capacity, and booked
 * equals the units that capacity-holding bookings take through booking_cells (runs
 * of cells: an inventory cell is held by each run it starts inside).
 * One statement, so it reads one consistent snapshot even while others book.
 */
export async function checkCells(db: Kysely<Database>, storeIds?: readonly number[]): Promise<CellCheck> {
  const scope = storeIds?.length ? sql`AND c.store_id IN (${sql.join([...storeIds])})` : sql``;
  const { rows } = await sql<{ resource_id: number; starts_at: Date; capacity: number; booked: number; held: number | string }>`
    SELECT c.resource_id, c.starts_at, c.capacity, c.booked, COALESCE(h.held, 0) AS held
    FROM inventory_cells c
    LEFT JOIN (
      SELECT ic.resource_id, ic.starts_at, SUM(bc.quantity) AS held
      FROM booking_cells bc
      JOIN bookings b ON b.id = bc.booking_id
      JOIN inventory_cells ic ON ic.resource_id = bc.resource_id AND ic.starts_at >= bc.starts_at AND ic.starts_at < bc.ends_at
      WHERE b.status IN (${holding})
      GROUP BY ic.resource_id, ic.starts_at
    ) h ON h.resource_id = c.resource_id AND h.starts_at = c.starts_at
    WHERE (c.booked > c.capacity OR COALESCE(h.held, 0) > c.capacity OR c.booked <> COALESCE(h.held, 0)) ${scope}
  `.execute(db);
  const total = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM inventory_cells c WHERE 1 = 1 ${scope}`.execute(db);
  // A run holds (ends_at - starts_at) / cell_minutes cells; the ones with no inventory cell are orphans.
  const orphans = await sql<{ n: number | string | null }>`
    SELECT SUM(runs.expected - runs.found) AS n FROM (
      SELECT CEIL(TIMESTAMPDIFF(MINUTE, bc.starts_at, bc.ends_at) / s.cell_minutes) AS expected, COUNT(c.resource_id) AS found
      FROM booking_cells bc
      JOIN bookings b ON b.id = bc.booking_id
      JOIN stores s ON s.id = b.store_id
      LEFT JOIN inventory_cells c ON c.resource_id = bc.resource_id AND c.starts_at >= bc.starts_at AND c.starts_at < bc.ends_at
      WHERE b.status IN (${holding})
      GROUP BY bc.booking_id, bc.resource_id, bc.starts_at, bc.ends_at, s.cell_minutes
    ) runs
  `.execute(db);
  const problems = rows.map((r) => ({ resourceId: Number(r.resource_id), startsAt: r.starts_at.toISOString(), capacity: r.capacity, booked: r.booked, held: Number(r.held) }));
  const overCapacity = problems.filter((p) => p.booked > p.capacity || p.held > p.capacity);
  return {
    cellsChecked: Number(total.rows[0]?.n ?? 0),
    overCapacity,
    mismatched: problems.filter((p) => p.booked !== p.held),
    worstExcess: overCapacity.reduce((worst, p) => Math.max(worst, Math.max(p.booked, p.held) - p.capacity), 0),
    orphanCells: Number(orphans.rows[0]?.n ?? 0),
  };
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
