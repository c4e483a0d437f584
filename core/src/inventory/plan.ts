import { type Requirement, type ResourceDef, type ServiceDef, type StoreCatalog, candidatesFor } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import { arrivalMinute, isTableRequirement, isTableService, tableModeRequirements, tableOptions, turnMinutes } from '../restaurant/table-mode.ts';
import { DAY_MS, MINUTE_MS, localDateOf, localTimeOf, parseTimeOfDay } from '../time/zoned.ts';
import { cellsCovering } from './cells.ts';

export interface CellClaim {
  resourceId: number;
  startMinute: number;
  /** Local date of the cell's start in the store's zone: it picks the Redis inventory hash. */
  localDate: string;
}

export interface CandidatePlan {
  resourceId: number;
  cells: CellClaim[];
}

/** One requirement of the service: take `quantity` units on every cell of exactly one candidate. */
export interface GroupPlan {
  quantity: number;
  candidates: CandidatePlan[];
}

export interface BookingPlan {
  storeId: number;
  merchantId: number;
  serviceId: number;
  startMs: number;
  endMs: number;
  partySize: number;
  priceFen: number;
  localDate: string;
  groups: GroupPlan[];
}

export interface BookingRequest {
  serviceId: number;
  startMs: number;
  partySize: number;
  /** A customer's chosen staff member or room; omitted = "any". */
  resourceId?: number | undefined;
}

export function requirementUnits(requirement: Requirement, partySize: number): number {
  return requirement.perPerson ? requirement.quantity * partySize : requirement.quantity;
}

export function occupiedRange(service: ServiceDef, startMs: number, durationMinutes = service.durationMinutes): { start: number; end: number } {
  return {
    start: startMs - service.bufferBeforeMinutes * MINUTE_MS,
    end: startMs + (durationMinutes + service.bufferAfterMinutes) * MINUTE_MS,
  };
}

/** How long a booking lasts: the party's turn time for a table service in table mode, else the service's duration. */
export function serviceMinutes(catalog: StoreCatalog, service: ServiceDef, partySize: number): number {
  return catalog.tableMode && isTableService(service) ? turnMinutes(catalog.tableMode, partySize) : service.durationMinutes;
}

/** Cells a candidate would occupy, with the local date of each (computed per cell only across a midnight). */
function candidateCells(resource: Pick<ResourceDef, 'id'>, minutes: number[], timeZone: string): CellClaim[] {
  const firstDate = localDateOf(minutes[0]! * MINUTE_MS, timeZone);
  const lastDate = localDateOf(minutes[minutes.length - 1]! * MINUTE_MS, timeZone);
  return minutes.map((startMinute) => ({
    resourceId: resource.id,
    startMinute,
    localDate: firstDate === lastDate ? firstDate : localDateOf(startMinute * MINUTE_MS, timeZone),
  }));
}

export function isOnSlotGrid(service: ServiceDef, startMs: number, cellMinutes: number, timeZone: string): boolean {
  if (startMs % (cellMinutes * MINUTE_MS) !== 0) return false;
  return parseTimeOfDay(localTimeOf(startMs, timeZone)) % service.slotIntervalMinutes === 0;
}

/** The groups of cells a booking at `startMs` would claim; no validation (availability reuses it). */
/**
 * Plans are a pure function of an immutable catalog snapshot and the request's
 * service, start, party and resource, and a popular slot is asked for by
 * thousands of customers: remember recent plans per catalog. The returned
 * groups are shared and must not be mutated.
 */
const planMemo = new WeakMap<StoreCatalog, Map<string, GroupPlan[]>>();
const PLANS_PER_CATALOG = 2_000;

/** Minutes `resourceId` takes for the service: its per-staff override, else the service's duration. */
export function durationFor(service: ServiceDef, resourceId: number | null | undefined): number {
  return (resourceId === null || resourceId === undefined ? undefined : service.durationByResource?.[resourceId]) ?? service.durationMinutes;
}

/** Whether per-staff durations apply to this service (they never do in restaurant table mode). */
function hasDurationOverrides(catalog: StoreCatalog, service: ServiceDef): boolean {
  if (!service.durationByResource || Object.keys(service.durationByResource).length === 0) return false;
  return !(catalog.tableMode && isTableService(service));
}

/**
 * `spanMinutes` (per-staff durations only) plans the requirements after the first over that span; without it they
 * follow the chosen staff member's span when `resourceId` names a candidate of the first requirement, else the
 * service's duration. The first requirement's candidates always cover their own duration.
 */
export function planGroups(catalog: StoreCatalog, service: ServiceDef, startMs: number, partySize: number, resourceId?: number, spanMinutes?: number): GroupPlan[] {
  let plans = planMemo.get(catalog);
  if (!plans) {
    plans = new Map();
    planMemo.set(catalog, plans);
  }
  const key = `${service.id}|${startMs}|${partySize}|${resourceId ?? ''}|${spanMinutes ?? ''}`;
  let groups = plans.get(key);
  if (!groups) {
    groups = computeGroups(catalog, service, startMs, partySize, resourceId, spanMinutes);
    if (plans.size >= PLANS_PER_CATALOG) plans.clear();
    plans.set(key, groups);
  }
  return groups;
}

function computeGroups(catalog: StoreCatalog, service: ServiceDef, startMs: number, partySize: number, resourceId?: number, spanMinutes?: number): GroupPlan[] {
  const { store } = catalog;
  const tableMode = catalog.tableMode && isTableService(service) ? catalog.tableMode : undefined;
  const overrides = hasDurationOverrides(catalog, service);
  const minutesFor = (durationMinutes: number) => {
    const range = occupiedRange(service, startMs, durationMinutes);
    return cellsCovering(range.start, range.end, store.cellMinutes);
  };
  let span = serviceMinutes(catalog, service, partySize);
  if (overrides) {
    const first = service.requirements[0];
    const chosen = resourceId !== undefined && first !== undefined && candidatesFor(first, catalog.resources).some((c) => c.id === resourceId);
    span = spanMinutes ?? (chosen ? durationFor(service, resourceId) : service.durationMinutes);
  }
  const minutes = minutesFor(span);
  let preferredUsed = false;
  const requirements = tableMode ? tableModeRequirements(tableMode, service) : service.requirements;
  return requirements.map((requirement, index) => {
    if (tableMode && isTableRequirement(requirement)) {
      // A combination is one candidate holding every cell of each of its tables: reserve.lua takes all or none.
      let options = tableOptions(tableMode, partySize, new Set(catalog.resources.map((r) => r.id)));
      const preferred = resourceId === undefined || preferredUsed ? undefined : options.find((o) => o.resourceIds.includes(resourceId));
      if (preferred && resourceId !== undefined) {
        options = [{ ...preferred, resourceIds: [resourceId, ...preferred.resourceIds.filter((r) => r !== resourceId)] }];
        preferredUsed = true;
      }
      return {
        quantity: 1,
        candidates: options.map((o) => ({ resourceId: o.resourceIds[0]!, cells: o.resourceIds.flatMap((id) => candidateCells({ id }, minutes, store.timezone)) })),
      };
    }
    const claimed = requirement.arrivalOnly ? [arrivalMinute(startMs)] : minutes;
    let candidates = candidatesFor(requirement, catalog.resources);
    if (resourceId !== undefined && !preferredUsed && candidates.some((c) => c.id === resourceId)) {
      candidates = candidates.filter((c) => c.id === resourceId);
      preferredUsed = true;
    }
    // Per-staff durations: each candidate of the first requirement covers its own span.
    const own = overrides && index === 0 && !requirement.arrivalOnly;
    return {
      quantity: requirementUnits(requirement, partySize),
      candidates: candidates.map((resource) => ({
        resourceId: resource.id,
        cells: candidateCells(resource, own && durationFor(service, resource.id) !== span ? minutesFor(durationFor(service, resource.id)) : claimed, store.timezone),
      })),
    };
  });
}

/** Validates a booking request against the catalog and the clock, and plans its cells. */
export function planBooking(catalog: StoreCatalog, request: BookingRequest, nowMs: number): BookingPlan {
  const { store } = catalog;
  const service = catalog.services.get(request.serviceId);
  if (!service) throw new AppError('SERVICE_NOT_FOUND', `service ${request.serviceId} is not offered by store ${store.id}`);
  if (request.partySize > service.maxPartySize) {
    throw new AppError('PARTY_TOO_LARGE', `party of ${request.partySize} exceeds ${service.maxPartySize}`, {
      params: { max: service.maxPartySize },
    });
  }
  if (!isOnSlotGrid(service, request.startMs, store.cellMinutes, store.timezone)) {
    throw new AppError('SLOT_MISALIGNED', 'start time is not on the slot grid');
  }
  if (request.startMs < nowMs + service.minNoticeMinutes * MINUTE_MS) {
    throw new AppError('SLOT_TOO_SOON', 'start time is inside the minimum notice', {
      params: { minutes: service.minNoticeMinutes },
    });
  }
  if (request.startMs >= nowMs + store.horizonDays * DAY_MS) {
    throw new AppError('SLOT_BEYOND_HORIZON', 'start time is beyond the booking horizon', { params: { days: store.horizonDays } });
  }
  if (request.resourceId !== undefined && !catalog.resources.some((r) => r.id === request.resourceId)) {
    throw new AppError('RESOURCE_NOT_FOUND', `resource ${request.resourceId} is not in store ${store.id}`);
  }
  const groups = planGroups(catalog, service, request.startMs, request.partySize, request.resourceId);
  if (request.resourceId !== undefined && !groups.some((g) => g.candidates.length === 1 && g.candidates[0]!.resourceId === request.resourceId)) {
    throw new AppError('RESOURCE_NOT_FOUND', `resource ${request.resourceId} cannot perform service ${service.id}`);
  }
  if (groups.some((g) => g.candidates.length === 0)) {
    throw new AppError('SLOT_UNAVAILABLE', `service ${service.id} has a requirement no resource can meet`);
  }
  return {
    storeId: store.id,
    merchantId: store.merchantId,
    serviceId: service.id,
    startMs: request.startMs,
    endMs: request.startMs + planMinutes(catalog, service, request.partySize, groups) * MINUTE_MS,
    partySize: request.partySize,
    // Per-person services (a class seat) charge each person; a private room for three is one price.
    priceFen: service.requirements.some((r) => r.perPerson) ? service.priceFen * request.partySize : service.priceFen,
    localDate: localDateOf(request.startMs, store.timezone),
    groups,
  };
}

/**
 * How long the planned booking lasts: with per-staff durations, the first requirement's candidates' duration when they
 * all agree (a chosen staff member, or everyone able to serve taking the same time); otherwise the service's duration,
 * and acceptBooking tries the candidates in runs of equal duration (durationRuns) so the end follows the one taken.
 */
export function planMinutes(catalog: StoreCatalog, service: ServiceDef, partySize: number, groups: readonly GroupPlan[]): number {
  if (!hasDurationOverrides(catalog, service) || !groups[0] || groups[0].candidates.length === 0) return serviceMinutes(catalog, service, partySize);
  const durations = new Set(groups[0].candidates.map((c) => durationFor(service, c.resourceId)));
  return durations.size === 1 ? [...durations][0]! : service.durationMinutes;
}

/** The longest duration any candidate of the service may take (for TTLs that must outlive the appointment). */
export function longestMinutes(catalog: StoreCatalog, service: ServiceDef, partySize: number): number {
  const base = serviceMinutes(catalog, service, partySize);
  if (!hasDurationOverrides(catalog, service)) return base;
  return Math.max(base, ...Object.values(service.durationByResource ?? {}));
}

export interface DurationRun {
  durationMinutes: number;
  endMs: number;
  groups: GroupPlan[];
}

/**
 * An "any staff" booking of a service with per-staff durations whose first-requirement candidates differ in duration:
 * the candidates, in the given (allocation) order, cut into runs of consecutive equal duration. Each run is one
 * all-or-nothing reserve attempt: its first group holds only the run's candidates, the other requirements are planned
 * over the same span (in the same candidate order as `ordered`), and the booking ends after that span. Trying the runs
 * in order keeps first-fit: the first candidate in order whose cells (and the other requirements') fit is taken.
 * null = one attempt with `ordered` as is.
 */
export function durationRuns(catalog: StoreCatalog, plan: BookingPlan, ordered: readonly GroupPlan[]): DurationRun[] | null {
  const service = catalog.services.get(plan.serviceId);
  if (!service || !hasDurationOverrides(catalog, service) || !ordered[0]) return null;
  const first = ordered[0];
  if (new Set(first.candidates.map((c) => durationFor(service, c.resourceId))).size <= 1) return null;
  const runs: DurationRun[] = [];
  for (const candidate of first.candidates) {
    const durationMinutes = durationFor(service, candidate.resourceId);
    const last = runs[runs.length - 1];
    if (last && last.durationMinutes === durationMinutes) {
      last.groups[0]!.candidates.push(candidate);
      continue;
    }
    const spanned = planGroups(catalog, service, plan.startMs, plan.partySize, undefined, durationMinutes);
    const rest = ordered.slice(1).map((group, i) => {
      const byId = new Map(spanned[i + 1]!.candidates.map((c) => [c.resourceId, c]));
      return { quantity: group.quantity, candidates: group.candidates.map((c) => byId.get(c.resourceId) ?? c) };
    });
    runs.push({ durationMinutes, endMs: plan.startMs + durationMinutes * MINUTE_MS, groups: [{ quantity: first.quantity, candidates: [candidate] }, ...rest] });
  }
  return runs;
}
