import { MINUTE_MS } from '../time/zoned.ts';

/**
 * An inventory cell is `cellMinutes` of one resource, identified by the
 * resource and the UTC epoch minute it starts at. MySQL keys `inventory_cells`
 * by the same pair, so Redis and MySQL name a cell identically.
 */
export interface CellRef {
  resourceId: number;
  startMinute: number;
}

export function cellField(resourceId: number, startMinute: number): string {
  return `${resourceId}:${startMinute}`;
}

export function parseCellField(field: string): CellRef {
  // Decimal digits only: Number() would read '' as 0 and accept '0x10', '1e3' and ' 1 '.
  const match = /^(\d+):(\d+)$/.exec(field);
  if (!match) throw new Error(`bad cell field ${field}`);
  return { resourceId: Number(match[1]), startMinute: Number(match[2]) };
}

/** Start minutes of every cell that overlaps [startMs, endMs). */
export function cellsCovering(startMs: number, endMs: number, cellMinutes: number): number[] {
  const step = cellMinutes;
  const first = Math.floor(startMs / MINUTE_MS / step) * step;
  const out: number[] = [];
  for (let m = first; m * MINUTE_MS < endMs; m += step) out.push(m);
  return out;
}
