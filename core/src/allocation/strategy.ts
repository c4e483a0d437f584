/**
 * Allocation when the customer picks "any": a strategy only ORDERS (and, for
 * daily caps, FILTERS) the candidates of each requirement group. reserve.lua
 * stays the single atomic arbiter: it takes the first candidate in the given
 * order whose cells all fit (and whose daily cap has room), so no strategy can
 * break all-or-nothing, capacity or a cap. Everything here is pure.
 */
import { parseCellField } from '../inventory/cells.ts';

export const ALLOCATION_STRATEGIES = ['first_fit', 'least_loaded', 'round_robin', 'preferred', 'gap_minimizing'] as const;
export type AllocationStrategy = (typeof ALLOCATION_STRATEGIES)[number];

export interface ResourceAllocation {
  /** Round-robin weight (≥ 1): a weight-2 stylist gets twice the bookings of a weight-1 one. */
  weight: number;
  /** Most bookings per local day; null = no cap. Enforced atomically by reserve.lua for every strategy. */
  dailyCap: number | null;
}

/** A store's allocation settings, part of its catalog. */
export interface AllocationConfig {
  strategy: AllocationStrategy;
  /** Only resources with settings; absent = weight 1, no cap. */
  resources: ReadonlyMap<number, ResourceAllocation>;
}

export const DEFAULT_ALLOCATION: AllocationConfig = Object.freeze({ strategy: 'first_fit', resources: new Map() });

/** The part of a planned candidate ordering looks at (CandidatePlan satisfies it). */
export interface AllocationCandidate {
  resourceId: number;
  cells: readonly { startMinute: number }[];
}

/** A resource's cells of the day: start minute → booked units (only cells that exist, i.e. open). */
export interface ResourceDay {
  booked: ReadonlyMap<number, number>;
}

/** What the strategies know about the booking's local day. */
export interface DayLoad {
  resources: ReadonlyMap<number, ResourceDay>;
  /** Bookings each resource already took today (reserve.lua's cap counters). */
  bookings: ReadonlyMap<number, number>;
}

export const EMPTY_DAY: DayLoad = Object.freeze({ resources: new Map(), bookings: new Map() });

export interface OrderContext {
  config: AllocationConfig;
  load: DayLoad;
  cellMinutes: number;
  /** The customer's preferred staff (their last completed booking's), for `preferred`. */
  preferredResourceId?: number | null | undefined;
}

/** Builds the day's load from one day of the Redis inventory (fields "<resource>:<minute>"). */
export function dayLoadOf(cells: ReadonlyMap<string, { booked: number }> | undefined, bookings: ReadonlyMap<number, number>): DayLoad {
  const resources = new Map<number, { booked: Map<number, number> }>();
  for (const [field, state] of cells ?? []) {
    const { resourceId, startMinute } = parseCellField(field);
    let day = resources.get(resourceId);
    if (!day) {
      day = { booked: new Map() };
      resources.set(resourceId, day);
    }
    day.booked.set(startMinute, state.booked);
  }
  return { resources, bookings };
}

export function weightOf(config: AllocationConfig, resourceId: number): number {
  return Math.max(1, config.resources.get(resourceId)?.weight ?? 1);
}

export function capOf(config: AllocationConfig, resourceId: number): number | null {
  return config.resources.get(resourceId)?.dailyCap ?? null;
}

export function atCap(config: AllocationConfig, load: DayLoad, resourceId: number): boolean {
  const cap = capOf(config, resourceId);
  return cap !== null && (load.bookings.get(resourceId) ?? 0) >= cap;
}

/** Booked minutes of a resource that day (units × cell length, so a 2-seat room counts both seats). */
export function bookedMinutes(load: DayLoad, resourceId: number, cellMinutes: number): number {
  let units = 0;
  for (const booked of load.resources.get(resourceId)?.booked.values() ?? []) units += booked;
  return units * cellMinutes;
}

/**
 * Idle minutes the candidate would leave next to it: the free open cells
 * directly before and after its cells, up to a booked cell or a closed one.
 * 0 when it fills a hole exactly or touches bookings/opening edges on both sides.
 */
export function idleGapMinutes(load: DayLoad, candidate: AllocationCandidate, cellMinutes: number): number {
  const [before, after] = sideGaps(load, candidate, cellMinutes);
  return (before + after) * cellMinutes;
}

/** Free open cells directly before and after the candidate. */
function sideGaps(load: DayLoad, candidate: AllocationCandidate, cellMinutes: number): [number, number] {
  const day = load.resources.get(candidate.resourceId);
  if (!day || candidate.cells.length === 0) return [0, 0];
  const first = candidate.cells[0]!.startMinute;
  const last = candidate.cells[candidate.cells.length - 1]!.startMinute;
  let before = 0;
  let after = 0;
  for (let m = first - cellMinutes; day.booked.get(m) === 0; m -= cellMinutes) before++;
  for (let m = last + cellMinutes; day.booked.get(m) === 0; m += cellMinutes) after++;
  return [before, after];
}

/**
 * Packing score, lower is better: first how many sides do NOT touch a booking or an opening edge
 * (a booking in the middle of free time splits it into two idle gaps), then the idle minutes left.
 */
export function packingScore(load: DayLoad, candidate: AllocationCandidate, cellMinutes: number): number {
  const [before, after] = sideGaps(load, candidate, cellMinutes);
  const loose = (before > 0 ? 1 : 0) + (after > 0 ? 1 : 0);
  return loose * 1_000_000 + (before + after) * cellMinutes;
}

function byKeys<T>(items: T[], ...keys: ((item: T) => number)[]): T[] {
  return items.sort((a, b) => {
    for (const key of keys) {
      const d = key(a) - key(b);
      if (d !== 0) return d;
    }
    return 0;
  });
}

/**
 * The candidates of one requirement group in the order reserve.lua should
 * try them. Resources at their daily cap are left out (reserve.lua checks the
 * cap again atomically); the result is a subset of the input, and with
 * `first_fit` and no cap reached it is the input itself.
 */
export function orderCandidates<C extends AllocationCandidate>(candidates: readonly C[], ctx: OrderContext): C[] {
  const { config, load, cellMinutes } = ctx;
  const open = candidates.filter((c) => !atCap(config, load, c.resourceId));
  if (config.strategy === 'first_fit' || open.length <= 1) return open;
  const id = (c: C) => c.resourceId;
  const minutes = new Map<number, number>();
  const loadOf = (c: C) => {
    let m = minutes.get(c.resourceId);
    if (m === undefined) {
      m = bookedMinutes(load, c.resourceId, cellMinutes);
      minutes.set(c.resourceId, m);
    }
    return m;
  };
  switch (config.strategy) {
    case 'least_loaded':
      return byKeys(open, loadOf, id);
    case 'round_robin':
      // Smooth weighted round-robin without shared state: the next booking goes to the resource with
      // the fewest bookings per unit of weight today, ties to the heavier weight, then by id.
      return byKeys(
        open,
        (c) => (load.bookings.get(c.resourceId) ?? 0) / weightOf(config, c.resourceId),
        (c) => -weightOf(config, c.resourceId),
        id,
      );
    case 'preferred': {
      const preferred = ctx.preferredResourceId ?? null;
      return byKeys(open, (c) => (c.resourceId === preferred ? 0 : 1), loadOf, id);
    }
    case 'gap_minimizing':
      // Pack the day: touch existing bookings, leave the smallest idle gap, then the busier resource (keeps
      // others free for long services), then by id.
      return byKeys(open, (c) => packingScore(load, c, cellMinutes), (c) => -loadOf(c), id);
  }
}

/**
 * Whether ordering needs the day's load. first_fit never does (zero extra round trips): reserve.lua skips a
 * resource at its cap by itself, so the up-front filter only matters for the order of the others.
 */
export function needsLoad(config: AllocationConfig): boolean {
  return config.strategy !== 'first_fit';
}
