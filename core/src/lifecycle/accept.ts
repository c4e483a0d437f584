import { createHash } from 'node:crypto';
import { findBooking } from '../../../db/src/repositories/booking.repository.ts';
import { readHold, releaseHold, intentDays, reserve } from '../../../db/redis/holds.ts';
import type { BookingIntent, IntentBase } from '../booking/intent.ts';
import type { BookingStatus } from '../booking/state-machine.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import { planBooking } from '../inventory/plan.ts';
import { DAY_MS } from '../time/zoned.ts';
import type { LifecycleDeps } from './deps.ts';

export interface AcceptRequest {
  customerId: number;
  storeId: number;
  serviceId: number;
  startMs: number;
  partySize: number;
  resourceId?: number | undefined;
  note: string;
  idempotencyKey: string;
}

export interface AcceptDeps extends LifecycleDeps {
  newBookingId(storeId: number): string;
  /** Hands the intent to the persist queue, idempotently (the booking id is the job id). */
  enqueue(intent: BookingIntent): Promise<void>;
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
  const { storeId, serviceId, startMs, partySize, resourceId, note } = request;
  return createHash('sha256').update(JSON.stringify([storeId, serviceId, startMs, partySize, resourceId ?? null, note])).digest('base64url').slice(0, 22);
}

/**
 * Accepts a booking request in one Redis round trip (reserve.lua), then queues
 * it for persistence. If the queue refuses, the hold is released again and
 * the idempotency key forgotten, so the client's retry starts clean: a hold
 * never outlives a request that was not accepted (and the deadline sweep
 * catches the crash-in-between case).
 */
export async function acceptBooking(deps: AcceptDeps, catalog: StoreCatalog, request: AcceptRequest): Promise<AcceptResult> {
  const now = deps.clock.now();
  const plan = planBooking(catalog, request, now);
  const base: IntentBase = {
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
  const outcome = await reserve(deps.redis, deps.keys, {
    base,
    groups: plan.groups,
    requestHash: requestHash(request),
    customerDailyLimit: catalog.store.perCustomerDailyLimit,
    idempotencyTtlSeconds: IDEMPOTENCY_TTL_SECONDS,
    // The hold outlives the appointment by two days, so a late cancellation can still find what to release.
    holdTtlSeconds: Math.ceil((plan.endMs - now + 2 * DAY_MS) / 1000),
  });
  switch (outcome.kind) {
    case 'reserved':
      await enqueueOrRelease(deps, outcome.intent);
      return { bookingId: base.bookingId, status: 'PENDING', outcome: 'reserved' };
    case 'replay':
      return replay(deps, request.storeId, outcome.bookingId);
    case 'sold-out':
      throw new AppError('SLOT_SOLD_OUT', 'no capacity left for this slot');
    case 'closed':
      throw new AppError('SLOT_UNAVAILABLE', 'the slot is outside opening hours');
    case 'customer-limit':
      throw new AppError('CUSTOMER_LIMIT_REACHED', 'customer reached the daily limit at this store', {
        params: { limit: catalog.store.perCustomerDailyLimit },
      });
    case 'idempotency-mismatch':
      throw new AppError('IDEMPOTENCY_MISMATCH', 'idempotency key reused with a different request');
    case 'rebuilding':
      await deps.requestRebuild(catalog.store.id);
      throw new AppError('INVENTORY_REBUILDING', 'store inventory is being rebuilt', { retryAfterSeconds: 1 });
  }
}

async function enqueueOrRelease(deps: AcceptDeps, intent: BookingIntent): Promise<void> {
  try {
    await deps.enqueue(intent);
  } catch (error) {
    await releaseHold(deps.redis, deps.keys, {
      storeId: intent.storeId,
      bookingId: intent.bookingId,
      customerId: intent.customerId,
      localDate: intent.localDate,
      idempotencyKey: intent.idempotencyKey,
      days: intentDays(intent),
      reason: 'ABORTED',
      forgetIdempotency: true,
      includePersisted: false,
    }).catch(() => {
      // Redis is failing too: the hold's deadline sweep will free the cells.
    });
    throw new AppError('SERVICE_UNAVAILABLE', 'could not queue the booking', { retryAfterSeconds: 1 }, { cause: error });
  }
}

/**
 * The first answer again. If the first request's job never made it into the
 * queue (the gateway died between reserve and enqueue), queueing it now is
 * harmless: the job id is the booking id.
 */
async function replay(deps: AcceptDeps, storeId: number, bookingId: string): Promise<AcceptResult> {
  const row = await findBooking(deps.db, bookingId);
  if (row) return { bookingId, status: row.status, outcome: 'replay' };
  const hold = await readHold(deps.redis, deps.keys, storeId, bookingId);
  if (hold?.state === 'held') {
    await deps.enqueue(hold.intent);
    return { bookingId, status: 'PENDING', outcome: 'replay' };
  }
  const settled = await findBooking(deps.db, bookingId);
  return { bookingId, status: settled?.status ?? 'PENDING', outcome: 'replay' };
}
