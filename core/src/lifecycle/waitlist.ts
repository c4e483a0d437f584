import { readInventory } from '../../../db/redis/inventory.ts';
import {
  customerWaitlistEntries,
  findWaitlistEntry,
  insertWaitlistEntry,
  setWaitlistStatus,
  waitersOf,
} from '../../../db/src/repositories/waitlist.repository.ts';
import type { WaitlistEntryRow } from '../../../db/src/tables/waitlist.table.ts';
import { isDuplicateKeyError } from '../../../db/src/transaction.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import { planBooking } from '../inventory/plan.ts';
import { activeKey, isActiveEntry, positionIn, slotFits } from '../waitlist/entry.ts';
import { cancelBooking } from './cancel.ts';
import type { LifecycleDeps } from './deps.ts';

export interface JoinWaitlistRequest {
  customerId: number;
  serviceId: number;
  startMs: number;
  partySize: number;
  resourceId?: number | undefined;
}

export interface WaitlistEntryView {
  entry: WaitlistEntryRow;
  /** Place among the waiting entries of the slot (1 = next), null once the entry no longer waits. */
  position: number | null;
}

/**
 * Puts a customer on the waitlist of a sold-out slot. The slot passes the same
 * planning checks as a booking (grid, notice, horizon, party size, staff), and
 * a slot with room in the availability mirror is refused: book it instead.
 */
export async function joinWaitlist(deps: LifecycleDeps, catalog: StoreCatalog, request: JoinWaitlistRequest): Promise<WaitlistEntryView> {
  const now = deps.clock.now();
  const plan = planBooking(catalog, request, now);
  const dates = [...new Set(plan.groups.flatMap((g) => g.candidates.flatMap((c) => c.cells.map((cell) => cell.localDate))))];
  const snapshot = await readInventory(deps.redis, deps.keys, plan.storeId, dates);
  if (slotFits(plan.groups, (date, field) => snapshot.days.get(date)?.get(field))) {
    throw new AppError('WAITLIST_NOT_NEEDED', 'the slot has capacity: book it directly');
  }
  let id: number;
  try {
    id = await insertWaitlistEntry(deps.db, {
      merchant_id: plan.merchantId,
      store_id: plan.storeId,
      service_id: plan.serviceId,
      customer_id: request.customerId,
      resource_id: request.resourceId ?? null,
      starts_at: new Date(plan.startMs),
      party_size: plan.partySize,
      status: 'WAITING',
      active_key: activeKey(request.customerId, plan.serviceId, plan.startMs),
      booking_id: null,
      joined_at: new Date(now),
      updated_at: new Date(now),
      ended_at: null,
    });
  } catch (error) {
    if (isDuplicateKeyError(error)) throw new AppError('WAITLIST_ALREADY_JOINED', 'already waiting for this slot');
    throw error;
  }
  return viewOf(deps, (await findWaitlistEntry(deps.db, id))!);
}

/** The customer's entries, newest first, with their place in the queue while waiting. */
export async function customerWaitlist(deps: LifecycleDeps, customerId: number): Promise<WaitlistEntryView[]> {
  const rows = await customerWaitlistEntries(deps.db, customerId, 100);
  return Promise.all(rows.map((row) => viewOf(deps, row)));
}

/**
 * Leaves the waitlist. An open offer is declined with it (its unit goes to the
 * next waiter); leaving twice answers the same; someone else's entry is "not found".
 */
export async function leaveWaitlist(deps: LifecycleDeps, customerId: number, entryId: number): Promise<WaitlistEntryView> {
  const entry = await ownEntry(deps, customerId, entryId);
  if (entry.status === 'OFFERED' && entry.booking_id) {
    await cancelBooking(deps, { kind: 'customer', customerId }, entry.booking_id, 'WAITLIST_LEFT').catch((error: unknown) => {
      // An offer that ended meanwhile (expired, accepted) is not ours to cancel any more.
      if (!(error instanceof AppError && (error.code === 'INVALID_TRANSITION' || error.code === 'BOOKING_ALREADY_STARTED'))) throw error;
    });
  }
  if (isActiveEntry(entry.status)) await setWaitlistStatus(deps.db, entry.id, ['WAITING', 'OFFERED'], 'LEFT', deps.clock.now());
  return viewOf(deps, (await findWaitlistEntry(deps.db, entry.id))!);
}

async function ownEntry(deps: LifecycleDeps, customerId: number, entryId: number): Promise<WaitlistEntryRow> {
  const entry = await findWaitlistEntry(deps.db, entryId);
  if (!entry || entry.customer_id !== customerId) throw new AppError('WAITLIST_ENTRY_NOT_FOUND', `waitlist entry ${entryId} not found`);
  return entry;
}

async function viewOf(deps: LifecycleDeps, entry: WaitlistEntryRow): Promise<WaitlistEntryView> {
  if (entry.status !== 'WAITING') return { entry, position: null };
  const queued = (row: WaitlistEntryRow) => ({ id: row.id, priority: row.priority, joinedMs: row.joined_at.getTime() });
  const waiting = await waitersOf(deps.db, { storeId: entry.store_id, serviceId: entry.service_id, startsAt: entry.starts_at }, 1000);
  return { entry, position: positionIn(queued(entry), waiting.map(queued)) };
}
