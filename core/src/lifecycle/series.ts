import { createHash } from 'node:crypto';
import {
  bookingStatuses,
  findSeries,
  insertSeriesIfAbsent,
  seriesItems,
  setSeriesStatus,
  upsertSeriesItem,
} from '../../../db/src/repositories/series.repository.ts';
import type { BookingSeriesRow, SeriesConflictMode, SeriesItemOutcome, SeriesStatus } from '../../../db/src/tables/series.table.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { AppError, isAppError } from '../errors.ts';
import { planBooking } from '../inventory/plan.ts';
import { type Occurrence, seriesOccurrences } from '../sequences/series-dates.ts';
import { type AcceptDeps, acceptBooking } from './accept.ts';
import { cancelBooking } from './cancel.ts';
import type { Actor, LifecycleDeps } from './deps.ts';

export interface CreateSeriesRequest {
  customerId: number;
  storeId: number;
  serviceId: number;
  firstStartMs: number;
  count: number;
  everyWeeks: 1 | 2;
  resourceId?: number | undefined;
  onConflict: SeriesConflictMode;
  note: string;
  idempotencyKey: string;
}

export interface SeriesOccurrenceView {
  index: number;
  startMs: number;
  localDate: string;
  /** NOT_TRIED: the series is still being created (a retry with the same key resumes it). */
  outcome: SeriesItemOutcome | 'NOT_TRIED';
  reason: string | null;
  bookingId: string | null;
  /** The booking's own status (PENDING until persisted); null without a booking. */
  bookingStatus: string | null;
}

export interface SeriesView {
  id: number;
  storeId: number;
  serviceId: number;
  resourceId: number | null;
  status: SeriesStatus;
  onConflict: SeriesConflictMode;
  everyWeeks: number;
  count: number;
  booked: number;
  occurrences: SeriesOccurrenceView[];
}

/** Why one occurrence could not be booked; anything else (Redis down, rebuilding) fails the request and a retry resumes. */
// Plain strings: the priority and pacing codes belong to work landing alongside (VIP share, weekly limit, pacing).
const REFUSALS: ReadonlySet<string> = new Set([
  'SLOT_SOLD_OUT',
  'SLOT_UNAVAILABLE',
  'SLOT_BEYOND_HORIZON',
  'SLOT_TOO_SOON',
  'CUSTOMER_LIMIT_REACHED',
  'CUSTOMER_WEEKLY_LIMIT_REACHED',
  'VIP_RESERVED',
  'PACING_FULL',
]);

export const SERIES_RELEASE_REASON = 'SERIES_ALL_OR_NOTHING';
export const SERIES_CANCEL_REASON = 'SERIES_CANCELLED';

function seriesRequestHash(request: CreateSeriesRequest): string {
  const { storeId, serviceId, firstStartMs, count, everyWeeks, resourceId, onConflict, note } = request;
  const parts = ['series', storeId, serviceId, firstStartMs, count, everyWeeks, resourceId ?? null, onConflict, note];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

/** The idempotency key of one occurrence: a retry of the series books the same occurrence at most once. */
export function occurrenceKey(seriesId: number, index: number): string {
  return `series-${seriesId}-${index}`;
}

function occurrencesOf(row: BookingSeriesRow, timeZone: string): Occurrence[] {
  return seriesOccurrences(row.first_start_at.getTime(), row.occurrences, row.every_weeks, timeZone);
}

/**
 * Books a weekly series as `count` ordinary bookings, each through acceptBooking (reserve.lua, the
 * intent stream, the persist worker) under the key `series-<id>-<index>`. The series row is unique per
 * (customer, Idempotency-Key) and records each occurrence's outcome, so a retry resumes an interrupted
 * creation and a finished one is answered from MySQL without reserving anything.
 *
 * `skip` keeps what could be booked and reports the rest with the refusal's code. `all-or-nothing`
 * tries every occurrence (to report every conflict), then cancels the ones it took if any was refused:
 * this is compensation, not one transaction across weeks — meanwhile the taken weeks were briefly held
 * and another customer asking for them saw them as taken.
 */
export async function createSeries(deps: AcceptDeps, catalog: StoreCatalog, request: CreateSeriesRequest): Promise<{ view: SeriesView; created: boolean }> {
  const now = deps.clock.now();
  // Bad input (unknown service or resource, off the grid, too soon, too far) is refused before anything is written.
  planBooking(catalog, { serviceId: request.serviceId, startMs: request.firstStartMs, partySize: 1, resourceId: request.resourceId }, now);
  const { row, created } = await insertSeriesIfAbsent(
    deps.db,
    {
      merchant_id: catalog.store.merchantId,
      store_id: catalog.store.id,
      service_id: request.serviceId,
      customer_id: request.customerId,
      resource_id: request.resourceId ?? null,
      first_start_at: new Date(request.firstStartMs),
      occurrences: request.count,
      every_weeks: request.everyWeeks,
      on_conflict: request.onConflict,
      note: request.note,
      status: 'CREATING',
      idempotency_key: request.idempotencyKey,
      request_hash: seriesRequestHash(request),
      created_at: new Date(now),
      updated_at: new Date(now),
    },
  );
  if (row.request_hash !== seriesRequestHash(request)) throw new AppError('IDEMPOTENCY_MISMATCH', 'idempotency key reused with a different series');
  if (row.status !== 'CREATING') return { view: await viewOf(deps, row, catalog.store.timezone), created: false };

  const done = new Map((await seriesItems(deps.db, row.id)).map((item) => [item.idx, item]));
  const actor: Actor = { kind: 'customer', customerId: row.customer_id };
  for (const occurrence of occurrencesOf(row, catalog.store.timezone)) {
    const item = done.get(occurrence.index);
    if (item && (item.outcome === 'BOOKED' || item.outcome === 'REFUSED')) continue;
    const base = { seriesId: row.id, idx: occurrence.index, startsAt: new Date(occurrence.startMs), localDate: occurrence.localDate };
    try {
      const accepted = await acceptBooking(deps, catalog, {
        customerId: row.customer_id,
        storeId: row.store_id,
        serviceId: row.service_id,
        startMs: occurrence.startMs,
        partySize: 1,
        resourceId: row.resource_id ?? undefined,
        note: row.note,
        idempotencyKey: occurrenceKey(row.id, occurrence.index),
      });
      await upsertSeriesItem(deps.db, { ...base, outcome: 'BOOKED', reason: null, bookingId: accepted.bookingId }, deps.clock.now());
      done.set(occurrence.index, { series_id: row.id, idx: occurrence.index, starts_at: base.startsAt, local_date: base.localDate, outcome: 'BOOKED', reason: null, booking_id: accepted.bookingId, updated_at: new Date(deps.clock.now()) });
    } catch (error) {
      if (!isAppError(error) || !REFUSALS.has(error.code)) throw error;
      await upsertSeriesItem(deps.db, { ...base, outcome: 'REFUSED', reason: error.code, bookingId: null }, deps.clock.now());
      done.set(occurrence.index, { series_id: row.id, idx: occurrence.index, starts_at: base.startsAt, local_date: base.localDate, outcome: 'REFUSED', reason: error.code, booking_id: null, updated_at: new Date(deps.clock.now()) });
    }
  }

  const items = [...done.values()];
  const refused = items.some((i) => i.outcome === 'REFUSED');
  let status: SeriesStatus = items.some((i) => i.outcome === 'BOOKED') ? 'ACTIVE' : 'FAILED';
  if (row.on_conflict === 'all-or-nothing' && refused) {
    for (const item of items) {
      if (item.outcome !== 'BOOKED' || !item.booking_id) continue;
      await cancelBooking(deps, actor, item.booking_id, SERIES_RELEASE_REASON);
      await upsertSeriesItem(
        deps.db,
        { seriesId: row.id, idx: item.idx, startsAt: item.starts_at, localDate: item.local_date, outcome: 'RELEASED', reason: SERIES_RELEASE_REASON, bookingId: item.booking_id },
        deps.clock.now(),
      );
    }
    status = 'FAILED';
  }
  await setSeriesStatus(deps.db, row.id, status, deps.clock.now());
  const final = (await findSeries(deps.db, row.id))!;
  return { view: await viewOf(deps, final, catalog.store.timezone), created };
}

/** A series of the asking customer; anyone else's answers SERIES_NOT_FOUND exactly like a missing one. */
export async function getSeries(deps: LifecycleDeps, actor: Actor, id: number, timeZoneOf: (storeId: number) => Promise<string>): Promise<SeriesView> {
  const row = await visibleSeries(deps, actor, id);
  return viewOf(deps, row, await timeZoneOf(row.store_id));
}

/**
 * Cancels the occurrences that have not started (each with the normal cancel, so refunds and fees follow
 * the service's policy); started or already-ended bookings stay as they are.
 */
export async function cancelSeries(
  deps: LifecycleDeps,
  actor: Actor,
  id: number,
  timeZoneOf: (storeId: number) => Promise<string>,
): Promise<{ view: SeriesView; refundIds: number[] }> {
  const row = await visibleSeries(deps, actor, id);
  const now = deps.clock.now();
  const refundIds: number[] = [];
  for (const item of await seriesItems(deps.db, row.id)) {
    if (item.outcome !== 'BOOKED' || !item.booking_id || item.starts_at.getTime() <= now) continue;
    try {
      const cancelled = await cancelBooking(deps, actor, item.booking_id, SERIES_CANCEL_REASON);
      refundIds.push(...cancelled.refundIds);
    } catch (error) {
      // Ended some other way meanwhile (expired, rejected, started): nothing left to cancel there.
      if (isAppError(error) && (error.code === 'INVALID_TRANSITION' || error.code === 'BOOKING_ALREADY_STARTED' || error.code === 'BOOKING_NOT_FOUND')) continue;
      throw error;
    }
    await upsertSeriesItem(
      deps.db,
      { seriesId: row.id, idx: item.idx, startsAt: item.starts_at, localDate: item.local_date, outcome: 'CANCELLED', reason: SERIES_CANCEL_REASON, bookingId: item.booking_id },
      deps.clock.now(),
    );
  }
  if (row.status === 'ACTIVE' || row.status === 'CREATING') await setSeriesStatus(deps.db, row.id, 'CANCELLED', deps.clock.now());
  const final = (await findSeries(deps.db, row.id))!;
  return { view: await viewOf(deps, final, await timeZoneOf(row.store_id)), refundIds };
}

async function visibleSeries(deps: LifecycleDeps, actor: Actor, id: number): Promise<BookingSeriesRow> {
  const row = await findSeries(deps.db, id);
  if (!row || actor.kind !== 'customer' || row.customer_id !== actor.customerId) throw new AppError('SERIES_NOT_FOUND', `series ${id} not found`);
  return row;
}

async function viewOf(deps: LifecycleDeps, row: BookingSeriesRow, timeZone: string): Promise<SeriesView> {
  const items = new Map((await seriesItems(deps.db, row.id)).map((item) => [item.idx, item]));
  const statuses = await bookingStatuses(deps.db, [...items.values()].flatMap((i) => (i.booking_id ? [i.booking_id] : [])));
  const occurrences = occurrencesOf(row, timeZone).map((occurrence): SeriesOccurrenceView => {
    const item = items.get(occurrence.index);
    const bookingId = item?.booking_id ?? null;
    return {
      index: occurrence.index,
      startMs: occurrence.startMs,
      localDate: occurrence.localDate,
      outcome: item?.outcome ?? 'NOT_TRIED',
      reason: item?.reason ?? null,
      bookingId,
      bookingStatus: bookingId ? (statuses.get(bookingId) ?? 'PENDING') : null,
    };
  });
  return {
    id: row.id,
    storeId: row.store_id,
    serviceId: row.service_id,
    resourceId: row.resource_id,
    status: row.status,
    onConflict: row.on_conflict,
    everyWeeks: row.every_weeks,
    count: row.occurrences,
    booked: occurrences.filter((o) => o.outcome === 'BOOKED').length,
    occurrences,
  };
}
