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

export function planGroups(catalog: StoreCatalog, service: ServiceDef, startMs: number, partySize: number, resourceId?: number): GroupPlan[] {
  let plans = planMemo.get(catalog);
  if (!plans) {
    plans = new Map();
    planMemo.set(catalog, plans);
  }
  const key = `${service.id}|${startMs}|${partySize}|${resourceId ?? ''}`;
  let groups = plans.get(key);
  if (!groups) {
    groups = computeGroups(catalog, service, startMs, partySize, resourceId);
    if (plans.size >= PLANS_PER_CATALOG) plans.clear();
    plans.set(key, groups);
  }
  return groups;
}

function computeGroups(catalog: StoreCatalog, service: ServiceDef, startMs: number, partySize: number, resourceId?: number): GroupPlan[] {
  const { store } = catalog;
  const tableMode = catalog.tableMode && isTableService(service) ? catalog.tableMode : undefined;
  const range = occupiedRange(service, startMs, serviceMinutes(catalog, service, partySize));
  const minutes = cellsCovering(range.start, range.end, store.cellMinutes);
  let preferredUsed = false;
  const requirements = tableMode ? tableModeRequirements(tableMode, service) : service.requirements;
  return requirements.map((requirement) => {
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
    return {
      quantity: requirementUnits(requirement, partySize),
      candidates: candidates.map((resource) => ({ resourceId: resource.id, cells: candidateCells(resource, claimed, store.timezone) })),
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
    endMs: request.startMs + serviceMinutes(catalog, service, request.partySize) * MINUTE_MS,
    partySize: request.partySize,
    // Per-person services (a class seat) charge each person; a private room for three is one price.
    priceFen: service.requirements.some((r) => r.perPerson) ? service.priceFen * request.partySize : service.priceFen,
    localDate: localDateOf(request.startMs, store.timezone),
    groups,
  };
}
