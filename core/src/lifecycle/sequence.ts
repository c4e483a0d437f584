import { createHash } from 'node:crypto';
import { deleteSequence, findSequence, insertSequence } from '../../../db/src/repositories/series.repository.ts';
import { findBooking } from '../../../db/src/repositories/booking.repository.ts';
import { reserve } from '../../../db/redis/holds.ts';
import { capOf } from '../allocation/strategy.ts';
import type { IntentBase } from '../booking/intent.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import { type SequencePlan, type SequenceStepRequest, planSequence } from '../sequences/sequence-plan.ts';
import { DAY_MS } from '../time/zoned.ts';
import { type AcceptDeps, type AcceptResult, intentBaseOf } from './accept.ts';
import type { LifecycleDeps } from './deps.ts';

export interface AcceptSequenceRequest {
  customerId: number;
  storeId: number;
  startMs: number;
  steps: SequenceStepRequest[];
  sameStaff: boolean;
  note: string;
  idempotencyKey: string;
}

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export function sequenceRequestHash(request: AcceptSequenceRequest): string {
  const { storeId, startMs, steps, sameStaff, note } = request;
  const parts = ['sequence', storeId, startMs, steps.map((s) => [s.serviceId, s.resourceId ?? null]), sameStaff, note];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

/**
 * Accepts several services in sequence as ONE booking through the same single reserve.lua call as
 * acceptBooking: every step's cells are taken all or nothing, then the intent goes to the persist
 * worker like any other. The booking row carries the first step's service, the whole span
 * (first start → last end) and the summed price; its cells are all the steps' cells, so cancel,
 * expiry, reconciliation and payments work unchanged. The steps are kept in `booking_sequences`
 * (written before the reserve step under this attempt's id, removed if the attempt is refused or a
 * replay). "Any staff" is first-fit for sequences (no allocation strategy ordering); daily caps hold.
 */
export async function acceptSequence(deps: AcceptDeps, catalog: StoreCatalog, request: AcceptSequenceRequest): Promise<AcceptResult & { plan: SequencePlan }> {
  const now = deps.clock.now();
  const plan = planSequence(catalog, request, now);
  const base: IntentBase = intentBaseOf(deps, catalog, plan, request, now);
  const holdTtlSeconds = Math.ceil((plan.endMs - now + 2 * DAY_MS) / 1000);
  await insertSequence(deps.db, { bookingId: base.bookingId, storeId: base.storeId, customerId: base.customerId, sameStaff: request.sameStaff, steps: plan.steps }, now);
  // If the call fails, whether the script ran is unknown: the row stays (harmless without a booking of that id).
  const outcome = await reserve(deps.redis, deps.keys, {
    base,
    groups: plan.groups,
    caps: capsOf(catalog, plan),
    requestHash: sequenceRequestHash(request),
    customerDailyLimit: catalog.store.perCustomerDailyLimit,
    idempotencyTtlSeconds: IDEMPOTENCY_TTL_SECONDS,
    holdTtlSeconds,
  });
  if (outcome.kind !== 'reserved') await deleteSequence(deps.db, base.bookingId);
  switch (outcome.kind) {
    case 'reserved':
      return { bookingId: base.bookingId, status: 'PENDING', outcome: 'reserved', plan };
    case 'replay': {
      const row = await findBooking(deps.db, outcome.bookingId);
      return { bookingId: outcome.bookingId, status: row?.status ?? 'PENDING', outcome: 'replay', plan };
    }
    case 'sold-out':
      throw new AppError('SLOT_SOLD_OUT', 'no capacity left for one of the steps');
    case 'closed':
      throw new AppError('SLOT_UNAVAILABLE', 'a step is outside opening hours');
    case 'customer-limit':
      throw new AppError('CUSTOMER_LIMIT_REACHED', 'customer reached the daily limit at this store', { params: { limit: catalog.store.perCustomerDailyLimit } });
    case 'idempotency-mismatch':
      throw new AppError('IDEMPOTENCY_MISMATCH', 'idempotency key reused with a different request');
    case 'rebuilding':
      await deps.requestRebuild(catalog.store.id);
      throw new AppError('INVENTORY_REBUILDING', 'store inventory is being rebuilt', { retryAfterSeconds: 1 });
    default:
      throw new Error(`unexpected reserve outcome ${(outcome as { kind: string }).kind}`);
  }
}

function capsOf(catalog: StoreCatalog, plan: SequencePlan): { localDate: string; limits: [number, number][] } | undefined {
  const config = catalog.allocation;
  if (!config || config.resources.size === 0) return undefined;
  const limits = new Map<number, number>();
  for (const group of plan.groups) {
    for (const candidate of group.candidates) {
      const cap = capOf(config, candidate.resourceId);
      if (cap !== null) limits.set(candidate.resourceId, cap);
    }
  }
  return limits.size > 0 ? { localDate: plan.localDate, limits: [...limits] } : undefined;
}

/** Reschedule re-plans one service at a new start; a sequence would lose its other steps, so it is refused. */
export async function assertNotSequence(deps: LifecycleDeps, bookingId: string): Promise<void> {
  if (await findSequence(deps.db, bookingId)) {
    throw new AppError('SEQUENCE_NOT_RESCHEDULABLE', `booking ${bookingId} is a multi-service sequence`);
  }
}

export async function sequenceStepsOf(deps: LifecycleDeps, bookingId: string): Promise<unknown[] | null> {
  const found = await findSequence(deps.db, bookingId);
  return found ? (found.steps as unknown[]) : null;
}
