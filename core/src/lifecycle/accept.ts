import { hash } from 'node:crypto';
import { findBooking } from '../../../db/src/repositories/booking.repository.ts';
import { lastCompletedResource } from '../../../db/src/repositories/catalog.repository.ts';
import { readAllocationDay } from '../../../db/redis/allocation.ts';
import { type PriorityRefusal, type ReserveOutcome, reserve } from '../../../db/redis/holds.ts';
import { capOf, dayLoadOf, needsLoad, orderCandidates } from '../allocation/strategy.ts';
import { dropPendingAnswers, stashPendingAnswers } from '../../../db/redis/answers.ts';
import type { IntentBase } from '../booking/intent.ts';
import type { BookingStatus } from '../booking/state-machine.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import type { SealedAnswers } from '../forms/seal.ts';
import { type BookingPlan, type GroupPlan, durationRuns, longestMinutes, planBooking } from '../inventory/plan.ts';
import { soldOutError } from './table-pacing.ts';
import { DAY_MS } from '../time/zoned.ts';
import type { LifecycleDeps } from './deps.ts';
import { callerPriority } from './priority-caller.ts';
import { reservePriorityArgs } from '../priority/admission.ts';

export interface AcceptRequest {
  customerId: number;
  storeId: number;
  serviceId: number;
  startMs: number;
  partySize: number;
  resourceId?: number | undefined;
  note: string;
  idempotencyKey: string;
  /** Booking-form answers, already validated and sealed by the caller (core/src/forms). */
  answers?: SealedAnswers | undefined;
  /** A waitlist offer (lifecycle/waitlist-offers.ts): persisted as OFFERED, open until this instant. */
  offerDeadlineMs?: number | undefined;
  /**
   * Staff urgent insertion (core/src/lifecycle/urgent-insertion.ts): may use the VIP-reserved share and is not refused by
   * the per-customer limits (still counted against them); capacity is never bypassed.
   */
  urgent?: boolean | undefined;
}

export interface AcceptDeps extends LifecycleDeps {
  newBookingId(storeId: number): string;
  /** Asks for the store's inventory to be rebuilt (Redis lost it). */
  requestRebuild(storeId: number): Promise<void>;
}

export type AcceptOutcome = 'reserved' | 'replay';

export interface AcceptResult {
  bookingId: string;
  status: BookingStatus;
  outcome: AcceptOutcome;
}

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** Same key + same request = replay; same key + different request = a client bug we refuse. */
export function requestHash(request: AcceptRequest): string {
  const { storeId, serviceId, startMs, partySize, resourceId, note, answers } = request;
  // The answers enter only as their keyed digest (and only when given, so earlier hashes stay valid).
  const parts: unknown[] = [storeId, serviceId, startMs, partySize, resourceId ?? null, note];
  if (answers) parts.push(answers.digest);
  return hash('sha256', JSON.stringify(parts), 'base64url').slice(0, 22);
}

/** The part of an intent every accept path builds the same way: a fresh id, the plan's slot and price, the hold deadline. */
export function intentBaseOf(
  deps: Pick<AcceptDeps, 'newBookingId'>,
  catalog: StoreCatalog,
  plan: Pick<BookingPlan, 'serviceId' | 'startMs' | 'endMs' | 'localDate' | 'partySize' | 'priceFen'>,
  request: { customerId: number; idempotencyKey: string; note: string },
  now: number,
): IntentBase {
  return {
    bookingId: deps.newBookingId(catalog.store.id),
    merchantId: catalog.store.merchantId,
    storeId: catalog.store.id,
    serviceId: plan.serviceId,
    customerId: request.customerId,
    startMs: plan.startMs,
    endMs: plan.endMs,
    localDate: plan.localDate,
    partySize: plan.partySize,
    priceFen: plan.priceFen,
    idempotencyKey: request.idempotencyKey,
    note: request.note,
    acceptedAt: now,
    deadlineMs: now + catalog.store.holdSeconds * 1000,
  };
}

/**
 * Accepts a booking request in one Redis round trip: reserve.lua takes the
 * cells, records the hold and appends the intent to the store's intent stream
 * atomically, so an accepted booking is always on its way to the persist
 * queue (the relay in the workers moves it there). Nothing can fail between
 * "reserved" and "queued".
 */
export async function acceptBooking(deps: AcceptDeps, catalog: StoreCatalog, request: AcceptRequest): Promise<AcceptResult> {
  const now = deps.clock.now();
  const plan = planBooking(catalog, request, now);
  const base: IntentBase = {
    ...intentBaseOf(deps, catalog, plan, request, now),
    ...(request.answers ? { formVersion: request.answers.formVersion } : {}),
    ...(request.offerDeadlineMs !== undefined ? { offerDeadlineMs: request.offerDeadlineMs } : {}),
  };
  // The hold outlives the appointment by two days, so a late cancellation can still find what to release.
  const longestEndMs = Math.max(plan.endMs, plan.startMs + longestMinutes(catalog, catalog.services.get(plan.serviceId)!, plan.partySize) * 60_000);
  const holdTtlSeconds = Math.ceil((longestEndMs - now + 2 * DAY_MS) / 1000);
  // Sealed answers go in before the hold exists, so a hold with a form version always finds its answers;
  // they are keyed by this attempt's booking id, so a replay or a refusal never touches another booking's.
  if (request.answers) await stashPendingAnswers(deps.redis, deps.keys, base.storeId, base.bookingId, request.answers.sealed, holdTtlSeconds);
  const [groups, caller] = await Promise.all([allocate(deps, catalog, plan, request), callerPriority(deps.db, catalog, plan, request, now)]);
  // Per-staff durations with "any" staff: one attempt per run of equal duration, in allocation order (core/src/inventory/plan.ts
  // durationRuns); each is all-or-nothing and nothing is written by a refused one, so the end follows the candidate taken.
  const attempts = durationRuns(catalog, plan, groups) ?? [{ endMs: plan.endMs, groups }];
  let outcome!: ReserveOutcome | PriorityRefusal;
  const refused = new Set<string>();
  for (const attempt of attempts) {
    outcome = await reserve(deps.redis, deps.keys, {
      base: attempt.endMs === base.endMs ? base : { ...base, endMs: attempt.endMs },
      groups: attempt.groups,
      caps: capsOf(catalog, plan),
      requestHash: requestHash(request),
      customerDailyLimit: catalog.store.perCustomerDailyLimit,
      idempotencyTtlSeconds: IDEMPOTENCY_TTL_SECONDS,
      holdTtlSeconds,
      priority: reservePriorityArgs(catalog.priority, plan, caller, now, holdTtlSeconds),
    });
    if (outcome.kind !== 'sold-out' && outcome.kind !== 'closed' && outcome.kind !== 'vip-reserved') break;
    refused.add(outcome.kind);
  }
  // Every run refused: answer with the most telling refusal (a run closed over a longer span does not hide a full one).
  if (outcome.kind === 'closed' || outcome.kind === 'sold-out') {
    if (refused.has('vip-reserved')) outcome = { kind: 'vip-reserved' };
    else if (refused.has('sold-out')) outcome = { kind: 'sold-out' };
  }
  if (request.answers && outcome.kind !== 'reserved') await dropPendingAnswers(deps.redis, deps.keys, base.storeId, base.bookingId);
  switch (outcome.kind) {
    case 'reserved':
      return { bookingId: base.bookingId, status: 'PENDING', outcome: 'reserved' };
    case 'replay':
      return replay(deps, outcome.bookingId);
    case 'sold-out':
      throw catalog.tableMode ? await soldOutError(deps, catalog, plan) : new AppError('SLOT_SOLD_OUT', 'no capacity left for this slot');
    case 'closed':
      throw new AppError('SLOT_UNAVAILABLE', 'the slot is outside opening hours');
    case 'customer-limit':
      throw new AppError('CUSTOMER_LIMIT_REACHED', 'customer reached the daily limit at this store', {
        params: { limit: catalog.store.perCustomerDailyLimit },
      });
    case 'weekly-limit':
      throw new AppError('CUSTOMER_WEEKLY_LIMIT_REACHED', 'customer reached the weekly limit at this store', {
        params: { limit: catalog.priority?.customerWeeklyLimit ?? 0 },
      });
    case 'vip-reserved':
      throw new AppError('VIP_RESERVED', 'only the VIP-reserved share of this slot is left', {
        params: { hours: (catalog.priority?.services.get(plan.serviceId)?.vipCutoffMinutes ?? 0) / 60 },
      });
    case 'idempotency-mismatch':
      throw new AppError('IDEMPOTENCY_MISMATCH', 'idempotency key reused with a different request');
    case 'rebuilding':
      await deps.requestRebuild(catalog.store.id);
      throw new AppError('INVENTORY_REBUILDING', 'store inventory is being rebuilt', { retryAfterSeconds: 1 });
  }
}

/**
 * Orders each group's candidates by the store's allocation strategy when the
 * customer picked "any" (core/src/allocation). first_fit reads nothing; the
 * others read the day's load in one Redis round trip (with the customer's last
 * staff from MySQL alongside for `preferred`). reserve.lua still decides.
 */
async function allocate(deps: AcceptDeps, catalog: StoreCatalog, plan: BookingPlan, request: AcceptRequest): Promise<GroupPlan[]> {
  const config = catalog.allocation;
  if (!config || request.resourceId !== undefined || !needsLoad(config) || plan.groups.every((g) => g.candidates.length <= 1)) return plan.groups;
  const [day, preferredResourceId] = await Promise.all([
    readAllocationDay(deps.redis, deps.keys, plan.storeId, plan.localDate),
    config.strategy === 'preferred' ? lastCompletedResource(deps.db, plan.storeId, request.customerId) : null,
  ]);
  const load = dayLoadOf(day.cells, day.bookings);
  const groups = plan.groups.map((group) => ({
    quantity: group.quantity,
    candidates: orderCandidates(group.candidates, { config, load, cellMinutes: catalog.store.cellMinutes, preferredResourceId }),
  }));
  // Everyone who could serve is at their daily cap: the same answer reserve.lua would give.
  if (groups.some((g) => g.candidates.length === 0)) throw new AppError('SLOT_SOLD_OUT', 'every candidate is at its daily cap');
  return groups;
}

/** Daily caps of the plan's candidates, checked and counted atomically by reserve.lua. */
function capsOf(catalog: StoreCatalog, plan: BookingPlan): { localDate: string; limits: [number, number][] } | undefined {
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

/** The first answer again, with the booking's current status (PENDING until a row exists). */
async function replay(deps: AcceptDeps, bookingId: string): Promise<AcceptResult> {
  const row = await findBooking(deps.db, bookingId);
  return { bookingId, status: row?.status ?? 'PENDING', outcome: 'replay' };
}
