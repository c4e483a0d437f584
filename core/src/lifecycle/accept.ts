import { createHash } from 'node:crypto';
import { findBooking } from '../../../db/src/repositories/booking.repository.ts';
import { reserve } from '../../../db/redis/holds.ts';
import type { IntentBase } from '../booking/intent.ts';
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
      return { bookingId: base.bookingId, status: 'PENDING', outcome: 'reserved' };
    case 'replay':
      return replay(deps, outcome.bookingId);
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

/** The first answer again, with the booking's current status (PENDING until a row exists). */
async function replay(deps: AcceptDeps, bookingId: string): Promise<AcceptResult> {
  const row = await findBooking(deps.db, bookingId);
  return { bookingId, status: row?.status ?? 'PENDING', outcome: 'replay' };
}
