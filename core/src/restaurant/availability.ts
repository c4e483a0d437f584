import type { InventoryLookup } from '../availability/slots.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { cellField } from '../inventory/cells.ts';
import type { CandidatePlan, GroupPlan } from '../inventory/plan.ts';
import { MINUTE_MS, localTimeOf } from '../time/zoned.ts';
import { seatsOf, type TableMode } from './table-mode.ts';

export interface TableSlot {
  startMs: number;
  endMs: number;
  localTime: string;
  /** A table or combination for the party is free for the whole turn. */
  table: boolean;
  /** The tables reserve.lua would give the party now (first free option), or null. */
  tableIds: number[] | null;
  seats: number | null;
  /** The arrival window still takes this party's covers (true when the store has no pacing). */
  pacing: boolean;
  /** Covers left in the arrival window; null without pacing. */
  coversLeft: number | null;
  available: boolean;
}

function freeUnits(lookup: InventoryLookup, candidate: CandidatePlan): number | null {
  let free = Number.POSITIVE_INFINITY;
  for (const cell of candidate.cells) {
    const state = lookup(cell.localDate, cellField(cell.resourceId, cell.startMinute));
    if (!state) return null;
    free = Math.min(free, state.capacity - state.booked);
  }
  return free === Number.POSITIVE_INFINITY ? null : free;
}

function tablesOf(candidate: CandidatePlan): number[] {
  return [...new Set(candidate.cells.map((c) => c.resourceId))];
}

/**
 * One slot for one party, answering separately whether a table (or combination) is free for the
 * party's whole turn and whether pacing still takes its covers at arrival: the same cells, the
 * same order of options and the same arithmetic reserve.lua applies.
 */
export function tableSlot(mode: TableMode, catalog: StoreCatalog, planned: { startMs: number; groups: GroupPlan[] }, partySize: number, turnMinutes: number, lookup: InventoryLookup): TableSlot {
  const pacingId = mode.pacing?.resourceId;
  let tableIds: number[] | null = null;
  let pacing = true;
  let coversLeft: number | null = null;
  let othersFit = true;
  for (const group of planned.groups) {
    const isPacing = pacingId !== undefined && group.candidates.length > 0 && group.candidates.every((c) => c.cells.every((cell) => cell.resourceId === pacingId));
    if (isPacing) {
      const left = freeUnits(lookup, group.candidates[0]!);
      coversLeft = left ?? 0;
      pacing = left !== null && left >= group.quantity;
      continue;
    }
    const isTables = group.candidates.some((c) => tablesOf(c).every((id) => mode.tables.some((t) => t.resourceId === id)));
    const free = group.candidates.find((c) => (freeUnits(lookup, c) ?? 0) >= group.quantity);
    if (isTables) tableIds = free ? tablesOf(free) : null;
    else if (!free) othersFit = false;
  }
  const table = tableIds !== null && othersFit;
  return {
    startMs: planned.startMs,
    endMs: planned.startMs + turnMinutes * MINUTE_MS,
    localTime: localTimeOf(planned.startMs, catalog.store.timezone),
    table,
    tableIds: table ? tableIds : null,
    seats: table && tableIds ? seatsOf(mode, tableIds) : null,
    pacing,
    coversLeft,
    available: table && pacing,
  };
}
