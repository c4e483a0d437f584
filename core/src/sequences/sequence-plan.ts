import type { StoreCatalog } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import { type BookingPlan, type CandidatePlan, type GroupPlan, planBooking, planGroups, requirementUnits } from '../inventory/plan.ts';
import { localDateOf, MINUTE_MS } from '../time/zoned.ts';

export interface SequenceStepRequest {
  serviceId: number;
  /** The staff member or room chosen for this step; omitted = "any". */
  resourceId?: number | undefined;
}

export interface SequenceRequest {
  startMs: number;
  steps: readonly SequenceStepRequest[];
  /** Every step's staff requirement must be met by one and the same person. */
  sameStaff: boolean;
}

export interface PlannedStep {
  serviceId: number;
  /** When the service itself starts and ends (buffers excluded). */
  startMs: number;
  endMs: number;
  priceFen: number;
}

export interface SequencePlan extends BookingPlan {
  steps: PlannedStep[];
}

export const MAX_SEQUENCE_STEPS = 5;

/**
 * Plans several services back to back as ONE booking: step i starts when step i−1's occupied range
 * (service + buffer after) ends, rounded up to the store's cell grid, plus step i's own buffer before.
 * Rounding keeps the occupied ranges on disjoint cells, so no candidate ever lists a cell twice
 * (reserve.lua counts a cell once per candidate).
 *
 * The plan's groups are the union of every step's groups, placed at the step's time; reserve.lua takes
 * one candidate per group, all or nothing. With `sameStaff`, each step's single staff requirement is
 * replaced by one group whose candidates are the staff members able to do every step, each candidate
 * listing that person's cells of all steps: picking a candidate picks the person for the whole sequence.
 */
export function planSequence(catalog: StoreCatalog, request: SequenceRequest, nowMs: number): SequencePlan {
  const { store } = catalog;
  if (request.steps.length < 2 || request.steps.length > MAX_SEQUENCE_STEPS) {
    throw new AppError('SEQUENCE_INVALID', `a sequence has 2..${MAX_SEQUENCE_STEPS} steps`, { params: { max: MAX_SEQUENCE_STEPS } });
  }
  const cellMs = store.cellMinutes * MINUTE_MS;
  const steps: PlannedStep[] = [];
  const perStep: GroupPlan[][] = [];
  let occupiedEnd = 0;
  request.steps.forEach((step, index) => {
    const service = catalog.services.get(step.serviceId);
    if (!service) throw new AppError('SERVICE_NOT_FOUND', `service ${step.serviceId} is not offered by store ${store.id}`);
    let startMs: number;
    if (index === 0) {
      // The first step passes every check of a single booking (grid, notice, horizon, resource).
      planBooking(catalog, { serviceId: service.id, startMs: request.startMs, partySize: 1, resourceId: request.sameStaff ? undefined : step.resourceId }, nowMs);
      startMs = request.startMs;
    } else {
      startMs = Math.ceil(occupiedEnd / cellMs) * cellMs + service.bufferBeforeMinutes * MINUTE_MS;
    }
    const resourceId = request.sameStaff ? undefined : step.resourceId;
    if (resourceId !== undefined && !catalog.resources.some((r) => r.id === resourceId)) {
      throw new AppError('RESOURCE_NOT_FOUND', `resource ${resourceId} is not in store ${store.id}`);
    }
    const groups = planGroups(catalog, service, startMs, 1, resourceId);
    if (resourceId !== undefined && !groups.some((g) => g.candidates.length === 1 && g.candidates[0]!.resourceId === resourceId)) {
      throw new AppError('RESOURCE_NOT_FOUND', `resource ${resourceId} cannot perform service ${service.id}`);
    }
    if (groups.some((g) => g.candidates.length === 0)) throw new AppError('SLOT_UNAVAILABLE', `service ${service.id} has a requirement no resource can meet`);
    perStep.push(groups);
    const endMs = startMs + service.durationMinutes * MINUTE_MS;
    occupiedEnd = endMs + service.bufferAfterMinutes * MINUTE_MS;
    // Sequences are for one person: a per-person service is charged once.
    steps.push({ serviceId: service.id, startMs, endMs, priceFen: service.priceFen });
  });

  const groups = request.sameStaff ? sameStaffGroups(catalog, request, perStep) : perStep.flat();
  const first = steps[0]!;
  const last = steps[steps.length - 1]!;
  return {
    storeId: store.id,
    merchantId: store.merchantId,
    serviceId: first.serviceId,
    startMs: first.startMs,
    endMs: last.endMs,
    partySize: 1,
    priceFen: steps.reduce((sum, s) => sum + s.priceFen, 0),
    localDate: localDateOf(first.startMs, store.timezone),
    groups,
    steps,
  };
}

function sameStaffGroups(catalog: StoreCatalog, request: SequenceRequest, perStep: GroupPlan[][]): GroupPlan[] {
  const chosen = new Set(request.steps.flatMap((s) => (s.resourceId === undefined ? [] : [s.resourceId])));
  if (chosen.size > 1) throw new AppError('SEQUENCE_STAFF_MISMATCH', 'sameStaff with different staff members chosen per step');
  const [wanted] = [...chosen];
  if (wanted !== undefined && !catalog.resources.some((r) => r.id === wanted && r.kind === 'staff')) {
    throw new AppError('RESOURCE_NOT_FOUND', `resource ${wanted} is not a staff member of store ${catalog.store.id}`);
  }
  const others: GroupPlan[] = [];
  const staffGroups: GroupPlan[] = [];
  let units: number | null = null;
  perStep.forEach((groups, index) => {
    const service = catalog.services.get(request.steps[index]!.serviceId)!;
    const staffIndexes = service.requirements.flatMap((r, k) => (r.kind === 'staff' ? [k] : []));
    if (staffIndexes.length !== 1) throw new AppError('SEQUENCE_STAFF_MISMATCH', `service ${service.id} does not need exactly one staff member`);
    const requirement = service.requirements[staffIndexes[0]!]!;
    const stepUnits = requirementUnits(requirement, 1);
    if (units !== null && units !== stepUnits) throw new AppError('SEQUENCE_STAFF_MISMATCH', 'steps need different staff quantities');
    units = stepUnits;
    groups.forEach((group, k) => (k === staffIndexes[0] ? staffGroups : others).push(group));
  });
  const byStep = staffGroups.map((g) => new Map(g.candidates.map((c) => [c.resourceId, c])));
  const common = staffGroups[0]!.candidates
    .map((c) => c.resourceId)
    .filter((id) => (wanted === undefined || id === wanted) && byStep.every((m) => m.has(id)));
  if (common.length === 0) throw new AppError('SEQUENCE_NO_COMMON_STAFF', 'no staff member can perform every step');
  const candidates: CandidatePlan[] = common.map((resourceId) => ({ resourceId, cells: byStep.flatMap((m) => m.get(resourceId)!.cells) }));
  // The staff group first: the booking shows the resource of its first cell (the person doing the sequence).
  return [{ quantity: units!, candidates }, ...others];
}
