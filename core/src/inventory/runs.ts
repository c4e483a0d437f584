/**
 * How a booking's cells are kept in MySQL (`booking_cells`): one row per run of
 * adjacent cells of one resource with the same quantity, [startMinute, endMinute).
 * A 60-minute appointment on a 15-minute grid is one row instead of four: the
 * persist worker writes, and MariaDB indexes, a quarter of the rows.
 *
 * A run holds exactly the resource's inventory cells that start inside it:
 * cells of one resource never overlap, so a cell starting inside the run
 * overlaps one of the run's own cells and can only be that cell.
 */
export interface CellRun {
  resourceId: number;
  /** UTC epoch minute the first cell starts at. */
  startMinute: number;
  /** UTC epoch minute the last cell ends at (exclusive). */
  endMinute: number;
  quantity: number;
}

export interface RunCell {
  resourceId: number;
  startMinute: number;
  quantity: number;
}

/**
 * Groups distinct cells into runs. Cells are sorted by resource, then start;
 * a gap (a service's processing time, a second visit) or another quantity
 * starts a new run.
 */
export function runsOfCells(cells: readonly RunCell[], cellMinutes: number): CellRun[] {
  if (!Number.isInteger(cellMinutes) || cellMinutes <= 0) throw new Error(`bad cell length ${cellMinutes}`);
  const sorted = [...cells].sort((a, b) => a.resourceId - b.resourceId || a.startMinute - b.startMinute);
  const runs: CellRun[] = [];
  let run: CellRun | undefined;
  for (const cell of sorted) {
    if (run && run.resourceId === cell.resourceId && run.endMinute > cell.startMinute) {
      throw new Error(`cells overlap: ${cell.resourceId}:${cell.startMinute}`);
    }
    if (run && run.resourceId === cell.resourceId && run.endMinute === cell.startMinute && run.quantity === cell.quantity) {
      run.endMinute += cellMinutes;
    } else {
      run = { resourceId: cell.resourceId, startMinute: cell.startMinute, endMinute: cell.startMinute + cellMinutes, quantity: cell.quantity };
      runs.push(run);
    }
  }
  return runs;
}

/** The cells of runs again, in run order. */
export function cellsOfRuns(runs: readonly CellRun[], cellMinutes: number): RunCell[] {
  const cells: RunCell[] = [];
  for (const run of runs) {
    for (let minute = run.startMinute; minute < run.endMinute; minute += cellMinutes) {
      cells.push({ resourceId: run.resourceId, startMinute: minute, quantity: run.quantity });
    }
  }
  return cells;
}
