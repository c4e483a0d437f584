import type { ServiceDef, StoreCatalog } from '../catalog/types.ts';
import { cellField } from '../inventory/cells.ts';
import { type CellClaim, type GroupPlan, planGroups, serviceMinutes } from '../inventory/plan.ts';
import { isTableService } from '../restaurant/table-mode.ts';
import { DAY_MS, MINUTE_MS, localDayBounds, localTimeOf, parseTimeOfDay } from '../time/zoned.ts';

export interface CellState {
  capacity: number;
  booked: number;
}

/** Reads one cell of the inventory (Redis mirror); undefined = the cell does not exist (closed). */
export type InventoryLookup = (localDate: string, field: string) => CellState | undefined;

export interface ResourceAvailability {
  resourceId: number;
  remaining: number;
}

export interface Slot {
  startMs: number;
  endMs: number;
  localTime: string;
  /** Bookings (or, for per-person services, persons) that still fit. 0 = fully booked. */
  remaining: number;
  /** Per candidate of the service's first requirement, so a customer can pick a person or room. */
  resources: ResourceAvailability[];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Slot starts on the service's grid of local wall-clock times inside one local day (23 or 25 hours on DST days). */
export function slotStartsForDay(service: ServiceDef, timeZone: string, localDate: string): number[] {
  const { start, end } = localDayBounds(localDate, timeZone);
  const interval = service.slotIntervalMinutes;
  const out: number[] = [];
  if (end - start === DAY_MS) {
    for (let t = start; t < end; t += interval * MINUTE_MS) out.push(t);
    return out;
  }
  // On a DST day the wall clock jumps, so stepping instants by the interval leaves the local
  // grid (that isOnSlotGrid checks) for 45-, 90- and 120-minute intervals. Zone offsets are
  // multiples of 15 minutes, so every grid time lies a multiple of gcd(interval, 15) minutes
  // after the day's start: walk those instants and keep the ones on the local grid.
  const step = gcd(interval, 15) * MINUTE_MS;
  for (let t = start; t < end; t += step) {
    if (parseTimeOfDay(localTimeOf(t, timeZone)) % interval === 0) out.push(t);
  }
  return out;
}

/**
 * Redis field names of a candidate's cells, in cell order. Plans are memoised and never mutated
 * (plan.ts), so the names are built once per cells array rather than on every lookup; a string
 * that is reused also keeps its hash, which makes the inventory Map lookups cheaper.
 */
const fieldMemo = new WeakMap<readonly CellClaim[], string[]>();

export function cellFields(cells: readonly CellClaim[]): string[] {
  let fields = fieldMemo.get(cells);
  if (!fields) {
    fields = cells.map((cell) => cellField(cell.resourceId, cell.startMinute));
    fieldMemo.set(cells, fields);
  }
  return fields;
}

/** Units a candidate can still take: the tightest of its cells; null if any cell is closed. */
function candidateUnits(cells: readonly CellClaim[], quantity: number, lookup: InventoryLookup): number | null {
  const fields = cellFields(cells);
  let units = Number.POSITIVE_INFINITY;
  for (let i = 0; i < cells.length; i++) {
    const state = lookup(cells[i]!.localDate, fields[i]!);
    if (!state) return null;
    units = Math.min(units, Math.floor(Math.max(0, state.capacity - state.booked) / quantity));
  }
  return units === Number.POSITIVE_INFINITY ? 0 : units;
}

/**
 * Remaining units of one slot, or null if the slot is closed (some requirement
 * has no open candidate). Requirements with disjoint candidates are counted
 * independently (exact: each takes its own resources); requirements that can
 * share a resource are counted by taking bookings one by one as reserve.lua would.
 */
export function evaluateSlot(groups: GroupPlan[], lookup: InventoryLookup): { remaining: number; resources: ResourceAvailability[] } | null {
  let remaining = Number.POSITIVE_INFINITY;
  let firstGroup: ResourceAvailability[] = [];
  for (const [index, group] of groups.entries()) {
    let groupUnits = 0;
    let open = false;
    const perCandidate: ResourceAvailability[] = [];
    for (const candidate of group.candidates) {
      const units = candidateUnits(candidate.cells, group.quantity, lookup);
      if (units === null) continue;
      open = true;
      groupUnits += units;
      perCandidate.push({ resourceId: candidate.resourceId, remaining: units });
    }
    if (!open) return null;
    remaining = Math.min(remaining, groupUnits);
    if (index === 0) firstGroup = perCandidate;
  }
  if (remaining === Number.POSITIVE_INFINITY) remaining = 0;
  // Requirements that can be met by the same resource (two machines of one kind, one person with both
  // skills) compete for its cells, so counting them independently would offer slots reserve.lua refuses.
  if (remaining > 0 && groupsShareResources(groups)) remaining = bookingsThatFit(groups, lookup, remaining);
  return { remaining, resources: firstGroup };
}

function groupsShareResources(groups: GroupPlan[]): boolean {
  if (groups.length < 2) return false;
  const seen = new Set<number>();
  for (const group of groups) {
    const mine = new Set(group.candidates.map((c) => c.resourceId));
    for (const id of mine) if (seen.has(id)) return true;
    for (const id of mine) seen.add(id);
  }
  return false;
}

/**
 * How many bookings fit, up to `limit`, taking them one by one exactly as reserve.lua does: per
 * requirement the first candidate whose cells still fit, with earlier requirements' (and earlier
 * bookings') units added to the cells they share.
 */
function bookingsThatFit(groups: GroupPlan[], lookup: InventoryLookup, limit: number): number {
  const taken = new Map<string, number>();
  let count = 0;
  while (count < limit) {
    const booking = new Map(taken);
    for (const group of groups) {
      const fitting = group.candidates.find((candidate) => {
        const fields = cellFields(candidate.cells);
        return candidate.cells.every((cell, i) => {
          const key = `${cell.localDate}|${fields[i]!}`;
          const state = lookup(cell.localDate, fields[i]!);
          return state !== undefined && state.capacity - state.booked - (booking.get(key) ?? 0) >= group.quantity;
        });
      });
      if (!fitting) return count;
      const fields = cellFields(fitting.cells);
      fitting.cells.forEach((cell, i) => {
        const key = `${cell.localDate}|${fields[i]!}`;
        booking.set(key, (booking.get(key) ?? 0) + group.quantity);
      });
    }
    for (const [key, units] of booking) taken.set(key, units);
    count++;
  }
  return count;
}

export interface AvailabilityQuery {
  catalog: StoreCatalog;
  service: ServiceDef;
  localDate: string;
  nowMs: number;
  resourceId?: number | undefined;
  /** Plan every slot for this many guests (restaurant table mode); default 1. */
  partySize?: number | undefined;
}

/** Groups for every candidate slot of the day that is inside the notice/horizon window. */
export function plannedSlots(query: AvailabilityQuery): { startMs: number; groups: GroupPlan[] }[] {
  const { catalog, service, localDate, nowMs, resourceId } = query;
  const earliest = nowMs + service.minNoticeMinutes * MINUTE_MS;
  const latest = nowMs + catalog.store.horizonDays * DAY_MS;
  return slotStartsForDay(service, catalog.store.timezone, localDate)
    .filter((t) => t >= earliest && t < latest)
    .map((startMs) => ({ startMs, groups: planGroups(catalog, service, startMs, query.partySize ?? 1, resourceId) }));
}

/** Local dates whose inventory the planned slots touch (a late slot can cross midnight). */
export function datesTouched(slots: { groups: GroupPlan[] }[]): string[] {
  const dates = new Set<string>();
  for (const slot of slots) for (const g of slot.groups) for (const c of g.candidates) for (const cell of c.cells) dates.add(cell.localDate);
  return [...dates].sort();
}

/**
 * Per local date, every inventory field the planned slots can look up (each once): exactly the
 * cells computeSlots (and computeSlotsFor) read, so a snapshot of only these answers like a whole day.
 */
export function fieldsTouched(slots: { groups: GroupPlan[] }[]): ReadonlyMap<string, readonly string[]> {
  // Warm queries get the same memoised (immutable) groups for every slot: reuse the list when all are identical.
  const first = slots[0]?.groups;
  const known = first && touchedMemo.get(first);
  if (known && known.slots.length === slots.length && known.slots.every((groups, i) => groups === slots[i]!.groups)) return known.fields;
  const fields = collectFields(slots);
  if (first) touchedMemo.set(first, { slots: slots.map((s) => s.groups), fields });
  return fields;
}

const touchedMemo = new WeakMap<GroupPlan[], { slots: GroupPlan[][]; fields: ReadonlyMap<string, readonly string[]> }>();

function collectFields(slots: { groups: GroupPlan[] }[]): Map<string, string[]> {
  const byDate = new Map<string, Set<string>>();
  let lastDate: string | undefined;
  let lastSet: Set<string> | undefined;
  for (const slot of slots) {
    for (const group of slot.groups) {
      for (const candidate of group.candidates) {
        const { cells } = candidate;
        const fields = cellFields(cells);
        for (let i = 0; i < cells.length; i++) {
          const date = cells[i]!.localDate;
          if (date !== lastDate) {
            lastDate = date;
            lastSet = byDate.get(date);
            if (!lastSet) byDate.set(date, (lastSet = new Set()));
          }
          lastSet!.add(fields[i]!);
        }
      }
    }
  }
  const out = new Map<string, string[]>();
  for (const date of [...byDate.keys()].sort()) out.set(date, [...byDate.get(date)!]);
  return out;
}

export function computeSlots(query: AvailabilityQuery, planned: { startMs: number; groups: GroupPlan[] }[], lookup: InventoryLookup): Slot[] {
  const { catalog, service } = query;
  const slots: Slot[] = [];
  // In table mode the restaurant seats the party: tables are not offered for picking one by one.
  const tables = catalog.tableMode !== undefined && isTableService(service);
  const minutes = serviceMinutes(catalog, service, query.partySize ?? 1);
  for (const { startMs, groups } of planned) {
    const evaluated = evaluateSlot(groups, lookup);
    if (!evaluated) continue;
    slots.push({
      startMs,
      endMs: startMs + minutes * MINUTE_MS,
      localTime: localTimeOf(startMs, catalog.store.timezone),
      remaining: evaluated.remaining,
      resources: tables ? [] : evaluated.resources,
    });
  }
  return slots;
}
