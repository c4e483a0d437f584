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
  const [resourceId, startMinute] = field.split(':').map(Number);
  if (!Number.isInteger(resourceId) || !Number.isInteger(startMinute)) throw new Error(`bad cell field ${field}`);
  return { resourceId: resourceId!, startMinute: startMinute! };
}

/** Start minutes of every cell that overlaps [startMs, endMs). */
export function cellsCovering(startMs: number, endMs: number, cellMinutes: number): number[] {
  const step = cellMinutes;
  const first = Math.floor(startMs / MINUTE_MS / step) * step;
  const out: number[] = [];
  for (let m = first; m * MINUTE_MS < endMs; m += step) out.push(m);
  return out;
}
