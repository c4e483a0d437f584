import { readInventory } from '../../../db/redis/inventory.ts';
import { appendEvents, bookingCellsOf, findBooking, lockBooking, transitionBooking } from '../../../db/src/repositories/booking.repository.ts';
import { giveBackCells } from '../../../db/src/repositories/inventory.repository.ts';
import {
  acceptOfferRow,
  expireStartedWaiters,
  offersPastDeadline,
  setWaitlistStatus,
  settledOffers,
  waitersOf,
  waitingSlots,
  waitlistEntryOfBooking,
  type WaitingSlot,
} from '../../../db/src/repositories/waitlist.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import type { WaitlistEntryRow } from '../../../db/src/tables/waitlist.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import type { BookingIntent } from '../booking/intent.ts';
import type { BookingStatus } from '../booking/state-machine.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import { planBooking } from '../inventory/plan.ts';
import { newCheckinCode } from '../payments/checkin-code.ts';
import { entryStatusAfter, offerDeadline, offerIdempotencyKey, slotFits } from '../waitlist/entry.ts';
import { type AcceptDeps, acceptBooking } from './accept.ts';
import { cancelBooking } from './cancel.ts';
import { holdOwnerOfRow, releaseBookingHold } from './converge.ts';
import { type Actor, actorLabel, type LifecycleDeps } from './deps.ts';
import { transitionEvent } from './events.ts';
import { findVisibleBooking } from './find.ts';
import { planPayments } from './payment-plans.ts';

export interface WaitlistDeps extends AcceptDeps {
  loadCatalog(storeId: number): Promise<StoreCatalog | undefined>;
}

export interface WaitlistTickOptions {
  /** How long a customer has to accept an offer (never past the start). */
  offerWindowMs: number;
  /** Slots looked at per tick, soonest first. */
  slotsPerTick?: number;
  /** Waiters tried per slot per tick (a waiter whose party or staff does not fit does not block those behind). */
  triesPerSlot?: number;
}

export interface WaitlistTickReport {
  offersExpired: number;
  entriesSettled: number;
  waitersExpired: number;
  offered: number;
}

const ACTOR = 'system:waitlist';

/** Planning refusals that no freed capacity can cure: the entry can never be served. */
const unservable: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SLOT_TOO_SOON',
  'SLOT_BEYOND_HORIZON',
  'SLOT_MISALIGNED',
  'SLOT_UNAVAILABLE',
  'PARTY_TOO_LARGE',
  'RESOURCE_NOT_FOUND',
  'SERVICE_NOT_FOUND',
]);

/**
 * One tick of the waitlist leader: (1) offers past their window expire and give
 * their cells back, (2) entries follow their offer's booking (accepted,
 * declined, expired; refused by MySQL → waiting again), (3) waiters whose slot
 * started expire, (4) every slot with waiters and room gets offers, in order.
 * An offer is a booking made through the normal reserve path (reserve.lua, then
 * the persist worker, MySQL as the last line), flagged as an offer: the freed
 * unit is held for that one customer, so no two waiters can get the same unit
 * and nobody else can take it meanwhile. Each step is idempotent; a tick that
 * dies half-way is finished by the next one.
 */
export async function runWaitlistTick(deps: WaitlistDeps, options: WaitlistTickOptions): Promise<WaitlistTickReport> {
  const report: WaitlistTickReport = { offersExpired: 0, entriesSettled: 0, waitersExpired: 0, offered: 0 };
  for (const bookingId of await offersPastDeadline(deps.db, deps.clock.now(), 200)) {
    if ((await expireOffer(deps, bookingId)) === 'expired') report.offersExpired++;
  }
  report.entriesSettled = await settleEntries(deps);
  report.waitersExpired = await expireStartedWaiters(deps.db, deps.clock.now());
  for (const slot of await waitingSlots(deps.db, options.slotsPerTick ?? 200)) {
    report.offered += await offerSlot(deps, slot, options);
  }
  return report;
}

async function settleEntries(deps: LifecycleDeps): Promise<number> {
  let settled = 0;
  for (const { id, bookingStatus } of await settledOffers(deps.db, 500)) {
    const to = entryStatusAfter(bookingStatus);
    if (!to) continue;
    if (await setWaitlistStatus(deps.db, id, ['OFFERED'], to, deps.clock.now(), to === 'WAITING' ? { bookingId: null } : {})) settled++;
  }
  return settled;
}

async function offerSlot(deps: WaitlistDeps, slot: WaitingSlot, options: WaitlistTickOptions): Promise<number> {
  const catalog = await deps.loadCatalog(slot.storeId);
  if (!catalog) return 0;
  const waiters = await waitersOf(deps.db, slot, options.triesPerSlot ?? 20);
  if (waiters.length === 0) return 0;
  // The fast check: nothing free in the availability mirror for anyone = no reserve attempts this tick.
  if (!(await anyFits(deps, catalog, waiters))) return 0;
  let offered = 0;
  for (const entry of waiters) {
    const outcome = await offerTo(deps, catalog, entry, options.offerWindowMs);
    if (outcome === 'offered') offered++;
    if (outcome === 'stop') break;
  }
  return offered;
}

async function anyFits(deps: LifecycleDeps, catalog: StoreCatalog, waiters: readonly WaitlistEntryRow[]): Promise<boolean> {
  const now = deps.clock.now();
  const plans = waiters.flatMap((entry) => {
    try {
      return [planBooking(catalog, requestOf(entry), now)];
    } catch {
      return []; // offerTo expires it with the reason
    }
  });
  if (plans.length < waiters.length) return true;
  const dates = [...new Set(plans.flatMap((p) => p.groups.flatMap((g) => g.candidates.flatMap((c) => c.cells.map((cell) => cell.localDate)))))];
  const snapshot = await readInventory(deps.redis, deps.keys, catalog.store.id, dates);
  return plans.some((plan) => slotFits(plan.groups, (date, field) => snapshot.days.get(date)?.get(field)));
}

function requestOf(entry: WaitlistEntryRow) {
  return { serviceId: entry.service_id, startMs: entry.starts_at.getTime(), partySize: entry.party_size, resourceId: entry.resource_id ?? undefined };
}

async function offerTo(deps: WaitlistDeps, catalog: StoreCatalog, entry: WaitlistEntryRow, windowMs: number): Promise<'offered' | 'skipped' | 'stop'> {
  const now = deps.clock.now();
  let bookingId: string;
  try {
    const result = await acceptBooking(deps, catalog, {
      customerId: entry.customer_id,
      storeId: entry.store_id,
      ...requestOf(entry),
      note: '',
      idempotencyKey: offerIdempotencyKey(entry.id, entry.offer_attempts),
      offerDeadlineMs: offerDeadline(now, entry.starts_at.getTime(), windowMs),
    });
    bookingId = result.bookingId;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'SLOT_SOLD_OUT' || error.code === 'CUSTOMER_LIMIT_REACHED') return 'skipped';
    // Only the VIP-reserved share is free (a member further back may take it) or the weekly limit: the waiter waits.
    if (error.code === 'VIP_RESERVED' || error.code === 'CUSTOMER_WEEKLY_LIMIT_REACHED') return 'skipped';
    if (unservable.has(error.code)) {
      await setWaitlistStatus(deps.db, entry.id, ['WAITING'], 'EXPIRED', now);
      return 'skipped';
    }
    if (error.code === 'INVENTORY_REBUILDING') return 'stop';
    throw error;
  }
  if (await setWaitlistStatus(deps.db, entry.id, ['WAITING'], 'OFFERED', now, { bookingId })) return 'offered';
  // The customer left between the read and the reserve: the unit goes back at once.
  await cancelBooking(deps, { kind: 'system', name: 'waitlist' }, bookingId, 'WAITLIST_LEFT').catch(() => undefined);
  return 'skipped';
}

/**
 * Ends an offer whose window passed: EXPIRED, cells given back in MySQL and
 * then in Redis (as for an unpaid booking), the entry marked. The next waiter
 * is offered on the next tick.
 */
export async function expireOffer(deps: LifecycleDeps, bookingId: string): Promise<'expired' | 'gone' | 'not-due'> {
  const row = await findBooking(deps.db, bookingId);
  if (!row || row.status !== 'OFFERED') return 'gone';
  const now = deps.clock.now();
  const outcome = await inTransaction(deps.db, async (trx) => {
    const locked = await lockBooking(trx, bookingId);
    if (!locked || locked.status !== 'OFFERED') return 'gone' as const;
    if ((locked.offer_expires_at?.getTime() ?? 0) > now) return 'not-due' as const;
    await transitionBooking(trx, bookingId, ['OFFERED'], 'EXPIRED', 'OFFER_WINDOW_PASSED', now);
    const cells = await bookingCellsOf(trx, bookingId);
    await giveBackCells(trx, cells);
    await appendEvents(trx, [transitionEvent({ bookingId, merchantId: locked.merchant_id }, 'OFFERED', 'EXPIRED', ACTOR, now, { reason: 'OFFER_WINDOW_PASSED' })]);
    const entry = await waitlistEntryOfBooking(trx, bookingId);
    if (entry) await setWaitlistStatus(trx, entry.id, ['OFFERED'], 'EXPIRED', now);
    return cells;
  });
  if (typeof outcome === 'string') return outcome;
  await releaseBookingHold(deps, holdOwnerOfRow(row), outcome, 'EXPIRED', true);
  return 'expired';
}

/** The offered booking as the customer may see it; offers still being persisted answer 409 with Retry-After. */
async function ownOffer(deps: LifecycleDeps, actor: Actor, bookingId: string): Promise<BookingRow> {
  const found = await findVisibleBooking(deps, actor, bookingId);
  if (found.kind === 'pending') {
    if (found.hold.intent.offerDeadlineMs !== undefined) throw new AppError('OFFER_NOT_OPEN', 'the offer is still being recorded', { retryAfterSeconds: 1 });
    throw new AppError('OFFER_NOT_OPEN', 'not a waitlist offer');
  }
  return found.row;
}

/**
 * Accepts an open offer: CONFIRMED (with its check-in code), or
 * AWAITING_PAYMENT when the service's payment policy asks for money (the
 * payment window then runs from now, as for a fresh booking). Accepting twice
 * answers the same; an offer past its window is OFFER_EXPIRED.
 */
export async function acceptOffer(deps: LifecycleDeps, actor: Actor, bookingId: string): Promise<BookingStatus> {
  const row = await ownOffer(deps, actor, bookingId);
  if (row.status_reason === 'OFFER_ACCEPTED' && (row.status === 'CONFIRMED' || row.status === 'AWAITING_PAYMENT')) return row.status;
  if (row.status === 'EXPIRED' && row.status_reason === 'OFFER_WINDOW_PASSED') throw new AppError('OFFER_EXPIRED', 'the offer window has passed');
  if (row.status !== 'OFFERED') throw new AppError('OFFER_NOT_OPEN', `booking is ${row.status}`);
  const now = deps.clock.now();
  if ((row.offer_expires_at?.getTime() ?? 0) <= now) throw new AppError('OFFER_EXPIRED', 'the offer window has passed');
  const plan = (await planPayments(deps, [intentOfRow(row)], now)).get(row.id);
  const owes = plan && plan.kind !== 'none' ? plan : undefined;
  const to = owes ? ('AWAITING_PAYMENT' as const) : ('CONFIRMED' as const);
  const changes = owes ? { amountDueFen: owes.amountFen, paymentDueAt: new Date(owes.dueMs), checkinCode: null } : { amountDueFen: 0, paymentDueAt: null, checkinCode: newCheckinCode() };
  const status = await inTransaction(deps.db, async (trx) => {
    const locked = await lockBooking(trx, row.id);
    if (!locked) throw new Error(`booking ${row.id} vanished`);
    if (locked.status !== 'OFFERED') return locked.status;
    if ((locked.offer_expires_at?.getTime() ?? 0) <= now) throw new AppError('OFFER_EXPIRED', 'the offer window has passed');
    await acceptOfferRow(trx, row.id, to, changes, now);
    const extra = to === 'AWAITING_PAYMENT' ? { amountDueFen: changes.amountDueFen, paymentDueAt: changes.paymentDueAt } : {};
    await appendEvents(trx, [transitionEvent({ bookingId: row.id, merchantId: row.merchant_id }, 'OFFERED', to, actorLabel(actor), now, { reason: 'OFFER_ACCEPTED', ...extra })]);
    const entry = await waitlistEntryOfBooking(trx, row.id);
    if (entry) await setWaitlistStatus(trx, entry.id, ['OFFERED'], 'ACCEPTED', now);
    return to;
  });
  if (status === to) return status;
  if (status === 'EXPIRED') throw new AppError('OFFER_EXPIRED', 'the offer window has passed');
  throw new AppError('OFFER_NOT_OPEN', `booking is ${status}`);
}

/** Declines an open offer: CANCELLED, its unit given back at once (the next waiter is offered on the next tick). */
export async function declineOffer(deps: LifecycleDeps, actor: Actor, bookingId: string): Promise<BookingStatus> {
  const row = await ownOffer(deps, actor, bookingId);
  if (row.status === 'CANCELLED' && row.status_reason === 'OFFER_DECLINED') return row.status;
  if (row.status === 'EXPIRED' && row.status_reason === 'OFFER_WINDOW_PASSED') throw new AppError('OFFER_EXPIRED', 'the offer window has passed');
  if (row.status !== 'OFFERED') throw new AppError('OFFER_NOT_OPEN', `booking is ${row.status}`);
  const cancelled = await cancelBooking(deps, actor, bookingId, 'OFFER_DECLINED');
  const entry = await waitlistEntryOfBooking(deps.db, bookingId);
  if (entry) await setWaitlistStatus(deps.db, entry.id, ['OFFERED'], 'DECLINED', deps.clock.now());
  return cancelled.status;
}

/** The fields payment planning reads (price, start, service, customer) of a persisted booking. */
function intentOfRow(row: BookingRow): BookingIntent {
  return {
    bookingId: row.id,
    merchantId: row.merchant_id,
    storeId: row.store_id,
    serviceId: row.service_id,
    customerId: row.customer_id,
    resourceId: row.resource_id,
    startMs: row.starts_at.getTime(),
    endMs: row.ends_at.getTime(),
    localDate: row.local_date,
    partySize: row.party_size,
    priceFen: row.price_fen,
    idempotencyKey: row.idempotency_key,
    note: row.note,
    acceptedAt: row.accepted_at.getTime(),
    deadlineMs: row.accepted_at.getTime(),
    cells: [],
  };
}
