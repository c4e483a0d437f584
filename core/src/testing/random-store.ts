import fc from 'fast-check';
import type { CellState, InventoryLookup } from '../availability/slots.ts';
import type { Requirement, ResourceDef, ResourceKind, ServiceDef, StoreCatalog } from '../catalog/types.ts';
import { type DateException, type WeeklyHours, materializeDay } from '../inventory/build-cells.ts';
import { cellField } from '../inventory/cells.ts';
import type { GroupPlan } from '../inventory/plan.ts';
import { addDays, isoWeekday, localDateOf, localTimeOf, MINUTE_MS, parseTimeOfDay, zonedToInstant } from '../time/zoned.ts';
import { catalogOf, storeInfo } from './catalog.ts';

/**
 * Random stores for the property suites (fast-check): an index-based spec that
 * the pure tests turn into a StoreCatalog + materialized inventory, and the
 * integration tests write to MariaDB through the catalog-admin repository.
 */

/** [open, close) in minutes after local midnight. */
export type Window = readonly [open: number, close: number];

export interface ResourceSpec {
  kind: ResourceKind;
  capacity: number;
  skills: string[];
  /** Own weekly hours per ISO weekday (index 0 = Monday); null = follows the store. */
  hours: Window[][] | null;
}

export interface ExceptionSpec {
  /** Index into resources; null = the store. */
  resource: number | null;
  localDate: string;
  closed: boolean;
  /** Open windows of the day when not closed: two windows = a break. */
  windows: Window[];
}

export interface ServiceSpec {
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  slotIntervalMinutes: number;
  minNoticeMinutes: number;
  maxPartySize: number;
  requirements: Requirement[];
}

export interface StoreSpec {
  timezone: string;
  cellMinutes: number;
  horizonDays: number;
  /** The local date under test and "now" (an instant 0–1 days before it). */
  date: string;
  nowMs: number;
  storeHours: Window[][];
  resources: ResourceSpec[];
  exceptions: ExceptionSpec[];
  services: ServiceSpec[];
}

/** DST change days in Europe/Berlin (23 h and 25 h), their neighbours and an ordinary day. */
export const TEST_DATES = ['2026-03-29', '2026-10-25', '2026-03-28', '2026-03-30', '2026-10-24', '2026-10-26', '2026-06-17'] as const;
export const TEST_ZONES = ['Asia/Shanghai', 'Europe/Berlin'] as const;
const KINDS: ResourceKind[] = ['staff', 'room', 'equipment'];
const SKILLS = ['a', 'b'];

/** 0–2 disjoint, non-adjacent windows on a 5-minute grid inside the day (so a second window means a break). */
export const windowsArb: fc.Arbitrary<Window[]> = fc
  .integer({ min: 0, max: 2 })
  .chain((n) => fc.uniqueArray(fc.integer({ min: 0, max: 288 }), { minLength: 2 * n, maxLength: 2 * n }))
  .map((points) => {
    const sorted = points.map((p) => p * 5).sort((a, b) => a - b);
    const out: Window[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) out.push([sorted[i]!, sorted[i + 1]!]);
    return out;
  });

/** Mostly long days (so there is something to book), sometimes a random shape. */
const dayHoursArb: fc.Arbitrary<Window[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Window[]>([[0, 1440]]) },
  { weight: 3, arbitrary: fc.constant<Window[]>([[480, 720], [780, 1320]]) },
  { weight: 4, arbitrary: windowsArb },
);

const requirementArb = (resourceCount: number): fc.Arbitrary<Requirement> =>
  fc.record({
    kind: fc.constantFrom(...KINDS),
    skill: fc.option(fc.constantFrom(...SKILLS), { nil: null, freq: 2 }),
    quantity: fc.integer({ min: 1, max: resourceCount > 2 ? 2 : 1 }),
    perPerson: fc.boolean(),
  });

export interface SpecOptions {
  /** Requirements of one service never share a candidate resource (the case availability counts exactly). */
  disjointRequirements?: boolean;
  maxResources?: number;
  maxServices?: number;
  zones?: readonly string[];
}

/** Whether two requirements of one service can be met by the same resource. */
export function requirementsOverlap(a: Requirement, b: Requirement): boolean {
  // Same kind = overlap, whatever the skills: one resource can hold both skills.
  return a.kind === b.kind;
}

export function disjoint(requirements: readonly Requirement[]): boolean {
  return requirements.every((r, i) => requirements.every((s, j) => j <= i || !requirementsOverlap(r, s)));
}

export function storeSpecArb(options: SpecOptions = {}): fc.Arbitrary<StoreSpec> {
  const maxResources = options.maxResources ?? 6;
  return fc
    .record({
      timezone: fc.constantFrom(...(options.zones ?? TEST_ZONES)),
      cellMinutes: fc.constantFrom(5, 15),
      date: fc.constantFrom(...TEST_DATES),
      daysBefore: fc.integer({ min: 0, max: 1 }),
      nowMinute: fc.integer({ min: 0, max: 1439 }),
      storeHours: fc.array(dayHoursArb, { minLength: 7, maxLength: 7 }),
      resources: fc.array(
        fc.record({
          kind: fc.constantFrom(...KINDS),
          capacity: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) }),
          skills: fc.subarray(SKILLS),
          hours: fc.option(fc.array(dayHoursArb, { minLength: 7, maxLength: 7 }), { nil: null, freq: 2 }),
        }),
        { minLength: 1, maxLength: maxResources },
      ),
    })
    .chain((base) =>
      fc.record({
        exceptions: fc.array(
          fc.record({
            resource: fc.option(fc.integer({ min: 0, max: base.resources.length - 1 }), { nil: null }),
            localDate: fc.constantFrom(addDays(base.date, -1), base.date, base.date, addDays(base.date, 1)),
            closed: fc.boolean(),
            windows: windowsArb.filter((w) => w.length > 0),
          }),
          { maxLength: 3 },
        ),
        services: fc.array(
          fc.record({
            durationMinutes: fc.constantFrom(15, 30, 45, 60, 90, 120),
            bufferBeforeMinutes: fc.constantFrom(0, 0, 5, 10, 15),
            bufferAfterMinutes: fc.constantFrom(0, 0, 5, 10, 15),
            slotIntervalMinutes: fc.constantFrom(15, 30, 45, 60, 90, 120),
            minNoticeMinutes: fc.constantFrom(0, 30, 60, 120),
            maxPartySize: fc.integer({ min: 1, max: 3 }),
            requirements: fc
              .array(requirementArb(base.resources.length), { minLength: 1, maxLength: 2 })
              .filter((rs) => !options.disjointRequirements || disjoint(rs)),
          }),
          { minLength: 1, maxLength: options.maxServices ?? 3 },
        ),
      }).map(({ exceptions, services }) => ({
        timezone: base.timezone,
        cellMinutes: base.cellMinutes,
        horizonDays: 14,
        date: base.date,
        nowMs: zonedToInstant(addDays(base.date, -base.daysBefore), base.nowMinute, base.timezone),
        storeHours: base.storeHours,
        resources: base.resources,
        exceptions,
        services,
      })),
    );
}

/** Resource ids are index + 1 and service ids index + 101 (the order MySQL's auto-increment gives them too). */
export function catalogFromSpec(spec: StoreSpec): StoreCatalog {
  const resources: ResourceDef[] = spec.resources.map((r, i) => ({ id: i + 1, kind: r.kind, name: `${r.kind}-${i + 1}`, capacity: r.capacity, skills: r.skills }));
  const services: ServiceDef[] = spec.services.map((s, i) => ({
    id: 101 + i,
    merchantId: 3,
    storeId: 7,
    name: `service-${i}`,
    category: 'test',
    priceFen: 100,
    ...s,
  }));
  return catalogOf(storeInfo({ timezone: spec.timezone, cellMinutes: spec.cellMinutes, horizonDays: spec.horizonDays, perCustomerDailyLimit: 0 }), resources, services);
}

export function weeklyHoursOf(spec: StoreSpec, resourceIds: readonly number[]): WeeklyHours[] {
  const rows: WeeklyHours[] = [];
  const push = (resourceId: number | null, week: Window[][]) =>
    week.forEach((windows, day) => windows.forEach(([openMinute, closeMinute]) => rows.push({ resourceId, weekday: day + 1, openMinute, closeMinute })));
  push(null, spec.storeHours);
  spec.resources.forEach((r, i) => {
    if (r.hours) push(resourceIds[i]!, r.hours);
  });
  return rows;
}

export function exceptionsOf(spec: StoreSpec, resourceIds: readonly number[]): DateException[] {
  return spec.exceptions.flatMap((e): DateException[] => {
    const resourceId = e.resource === null ? null : resourceIds[e.resource]!;
    if (e.closed) return [{ resourceId, localDate: e.localDate, closed: true, openMinute: null, closeMinute: null }];
    return e.windows.map(([openMinute, closeMinute]) => ({ resourceId, localDate: e.localDate, closed: false, openMinute, closeMinute }));
  });
}

/** Mutable in-memory inventory: local date → cell field → state, as the Redis mirror holds it. */
export type Inventory = Map<string, Map<string, CellState>>;

export function materialize(spec: StoreSpec, catalog: StoreCatalog, dates: readonly string[]): Inventory {
  const ids = catalog.resources.map((r) => r.id);
  const hours = weeklyHoursOf(spec, ids);
  const exceptions = exceptionsOf(spec, ids);
  const inventory: Inventory = new Map();
  for (const localDate of dates) {
    const cells = new Map<string, CellState>();
    for (const cell of materializeDay({ localDate, timeZone: spec.timezone, cellMinutes: spec.cellMinutes, resources: catalog.resources, hours, exceptions })) {
      cells.set(cellField(cell.resourceId, cell.startMinute), { capacity: cell.capacity, booked: 0 });
    }
    inventory.set(localDate, cells);
  }
  return inventory;
}

export const lookupOf =
  (inventory: Inventory): InventoryLookup =>
  (localDate, field) =>
    inventory.get(localDate)?.get(field);

/**
 * A model of reserve.lua: per group, the first candidate (in the given order) whose cells all
 * exist and still fit `quantity` units, counting what earlier groups of the same booking took.
 * Returns the chosen candidate index per group, or why not.
 */
export function modelReserve(groups: readonly GroupPlan[], inventory: Inventory, apply: boolean): { kind: 'reserved'; chosen: number[] } | { kind: 'sold-out' | 'closed' } {
  const pending = new Map<string, number>();
  const chosen: number[] = [];
  for (const group of groups) {
    let sawOpen = false;
    let picked = -1;
    for (const [c, candidate] of group.candidates.entries()) {
      let open = true;
      let fits = true;
      for (const cell of candidate.cells) {
        const state = inventory.get(cell.localDate)?.get(cellField(cell.resourceId, cell.startMinute));
        if (!state) {
          open = false;
          fits = false;
          break;
        }
        const key = `${cell.localDate}|${cellField(cell.resourceId, cell.startMinute)}`;
        if (state.capacity - (pending.get(key) ?? state.booked) < group.quantity) fits = false;
      }
      if (open) sawOpen = true;
      if (fits) {
        picked = c;
        for (const cell of candidate.cells) {
          const key = `${cell.localDate}|${cellField(cell.resourceId, cell.startMinute)}`;
          const state = inventory.get(cell.localDate)!.get(cellField(cell.resourceId, cell.startMinute))!;
          pending.set(key, (pending.get(key) ?? state.booked) + group.quantity);
        }
        break;
      }
    }
    if (picked < 0) return { kind: sawOpen ? 'sold-out' : 'closed' };
    chosen.push(picked);
  }
  if (apply) {
    for (const [key, booked] of pending) {
      const [localDate, field] = key.split('|') as [string, string];
      inventory.get(localDate)!.get(field)!.booked = booked;
    }
  }
  return { kind: 'reserved', chosen };
}

/**
 * Independent oracle for "open": the wall-clock schedule of a resource on a local date
 * (exception windows replace weekly hours; a resource's own hours are cut by the store's),
 * evaluated per minute via Intl, not via the Temporal conversion materializeDay uses.
 * Lenient in DST gaps and overlaps (a wall time there maps to two or no instants).
 */
export function openAtMinute(spec: StoreSpec, resourceIndex: number, instantMs: number): boolean {
  // Within an hour of a DST transition a wall time has two or no instants, and a window edge there
  // is resolved 'compatible' (zoned.ts): the wall-clock oracle cannot judge those minutes.
  const offset = (t: number) => Date.parse(`${localDateOf(t, spec.timezone)}T${localTimeOf(t, spec.timezone)}:00Z`) - Math.floor(t / MINUTE_MS) * MINUTE_MS;
  if (offset(instantMs) !== offset(instantMs - 3_600_000) || offset(instantMs) !== offset(instantMs + 3_600_000)) return true;
  const localDate = localDateOf(instantMs, spec.timezone);
  const minute = parseTimeOfDay(localTimeOf(instantMs, spec.timezone));
  const windowsOf = (resource: number | null): Window[] | 'inherit' => {
    const exceptions = spec.exceptions.filter((e) => e.resource === resource && e.localDate === localDate);
    if (exceptions.some((e) => e.closed)) return [];
    if (exceptions.length > 0) return exceptions.flatMap((e) => e.windows);
    const week = resource === null ? spec.storeHours : spec.resources[resource]!.hours;
    if (week === null || week.every((d) => d.length === 0)) return resource === null ? [] : 'inherit';
    return week[isoWeekday(localDate) - 1]!;
  };
  const inside = (ws: Window[]) => ws.some(([open, close]) => minute >= open && minute < close);
  const store = windowsOf(null) as Window[];
  const own = windowsOf(resourceIndex);
  return inside(store) && (own === 'inherit' || inside(own));
}

export function dayMinutes(localDate: string, timeZone: string): number[] {
  const out: number[] = [];
  const start = zonedToInstant(localDate, 0, timeZone);
  for (let t = start - 2 * 60 * MINUTE_MS; t < start + 27 * 60 * MINUTE_MS; t += 5 * MINUTE_MS) if (localDateOf(t, timeZone) === localDate) out.push(t);
  return out;
}
