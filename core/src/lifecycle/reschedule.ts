import { randomUUID } from 'node:crypto';
import {
  appendEvents,
  bookingCellsOf,
  countBookingEvents,
  findBooking,
  lockBooking,
  moveBookingSlot,
  replaceBookingCells,
} from '../../../db/src/repositories/booking.repository.ts';
import { giveBackCells, takeCells } from '../../../db/src/repositories/inventory.repository.ts';
import { lockOrder, orderOfBooking } from '../../../db/src/repositories/payment.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { inTransaction, isRetryableMysqlError } from '../../../db/src/transaction.ts';
import { beginMove, type OpenMove, settleMove } from '../../../db/redis/move.ts';
import type { CellQuantity } from '../booking/intent.ts';
import type { BookingStatus } from '../booking/state-machine.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import { type GroupPlan, planBooking } from '../inventory/plan.ts';
import { DAY_MS } from '../time/zoned.ts';
import { type Actor, actorLabel, type LifecycleDeps } from './deps.ts';
import { bookingEvent } from './events.ts';
import { findVisibleBooking } from './find.ts';
import { assertNotSequence } from './sequence.ts';

/** How often one booking may be moved; beyond that the customer cancels (by the policy) and books again. */
export const MAX_RESCHEDULES = 3;

export const RESCHEDULED_EVENT = 'RESCHEDULED';

/** Statuses that hold capacity and have not started: the only ones that can move. */
const MOVABLE: readonly BookingStatus[] = ['AWAITING_PAYMENT', 'CONFIRMED'];

/**
 * How long reconciliation keeps counting a move's new cells on top of MySQL:
 * far longer than the transaction between moveHold and settleMove can take, so
 * a reconcile pass never makes Redis forget cells MySQL is about to take.
 */
const MOVE_WINDOW_MS = 2 * 60_000;
const ATTEMPTS = 3;

export interface RescheduleDeps extends LifecycleDeps {
  loadCatalog(storeId: number): Promise<StoreCatalog>;
  /** Asks for the store's inventory to be rebuilt (Redis lost it). */
  requestRebuild(storeId: number): Promise<void>;
}

export interface RescheduleRequest {
  startMs: number;
  /** Another staff member or room; omitted = keep the current one(s) if free at the new time, else any. */
  resourceId?: number | undefined;
}

export interface RescheduleResult {
  bookingId: string;
  status: BookingStatus;
  outcome: 'moved' | 'unchanged';
}

class MysqlRefused extends Error {
  constructor() {
    super('MySQL refused the new cells: Redis and MySQL disagree');
    this.name = 'MysqlRefused';
  }
}

/**
 * Moves a booking to another start (and optionally another resource) of the
 * same service, keeping its id, so its payment order, paid amount, deposit,
 * price and check-in code stay with it. All or nothing: the old cells are
 * released only where the new ones were taken, in Redis and in MySQL.
 *
 * The price is not recomputed: a reschedule moves what was bought (and maybe
 * paid) rather than selling a new slot, and a paid order cannot change amount.
 *
 * Order of work: the booking (and its payment order first, the lock order of
 * settlement and cancel) is locked in MySQL, then moveHold.lua takes the new
 * cells in Redis while still counting the old ones, then MySQL gives back the
 * old cells and takes the new ones (the conditional UPDATE refuses
 * overbooking whatever Redis said) and commits; only then settleMove.lua
 * gives back the old cells in Redis. If MySQL refuses or fails, settleMove
 * gives back the new cells instead. Redis is therefore never less cautious
 * than MySQL, and a refusal at any step changes nothing.
 */
export async function rescheduleBooking(deps: RescheduleDeps, actor: Actor, bookingId: string, request: RescheduleRequest): Promise<RescheduleResult> {
  const found = await findVisibleBooking(deps, actor, bookingId);
  if (found.kind === 'pending') {
    throw new AppError('INVALID_TRANSITION', 'booking is still being confirmed; retry in a moment', { retryAfterSeconds: 1 });
  }
  const row = found.row;
  assertMovable(deps, row);
  await assertNotSequence(deps, row.id);
  if (isSameSlot(row, request)) return { bookingId, status: row.status, outcome: 'unchanged' };

  const now = deps.clock.now();
  const catalog = await deps.loadCatalog(row.store_id);
  const plan = planBooking(catalog, { serviceId: row.service_id, startMs: request.startMs, partySize: row.party_size, resourceId: request.resourceId }, now);
  const currentCells = await bookingCellsOf(deps.db, row.id);
  const groups = request.resourceId === undefined ? preferring(plan.groups, new Set(currentCells.map((c) => c.resourceId))) : plan.groups;
  const order = row.amount_due_fen > 0 ? await orderOfBooking(deps.db, row.id) : undefined;
  const target = { startMs: plan.startMs, endMs: plan.endMs, localDate: plan.localDate };

  for (let attempt = 1; ; attempt++) {
    // A move begun in Redis whose MySQL outcome is not settled yet (kept in an object: it is set inside the callback).
    const pending: { move: OpenMove | null; version: number } = { move: null, version: 0 };
    let result: RescheduleResult;
    try {
      result = await inTransaction(
        deps.db,
        async (trx): Promise<RescheduleResult> => {
          if (order) await lockOrder(trx, order.out_trade_no);
          const locked = await lockBooking(trx, row.id);
          if (!locked) throw new Error(`booking ${row.id} vanished`);
          assertMovable(deps, locked);
          if (isSameSlot(locked, request)) return { bookingId, status: locked.status, outcome: 'unchanged' };
          const moved = await countBookingEvents(trx, row.id, RESCHEDULED_EVENT);
          if (moved >= MAX_RESCHEDULES) throw new AppError('RESCHEDULE_LIMIT_REACHED', `booking moved ${moved} times`, { params: { max: MAX_RESCHEDULES } });
          const oldCells = await bookingCellsOf(trx, row.id);

          const begun = await beginMove(deps.redis, deps.keys, {
            storeId: row.store_id,
            bookingId: row.id,
            moveId: randomUUID(),
            customerId: row.customer_id,
            oldLocalDate: locked.local_date,
            newLocalDate: target.localDate,
            oldCells,
            groups,
            customerDailyLimit: catalog.store.perCustomerDailyLimit,
            holdTtlSeconds: Math.ceil((target.endMs - now + 2 * DAY_MS) / 1000),
            windowMs: MOVE_WINDOW_MS,
          });
          if (begun.kind !== 'moved') return refuse(deps, begun.kind, row.store_id, catalog);
          const move = begun.move;
          try {
            // Old cells first, so a move that overlaps itself (10:00 → 10:30) fits its own cells.
            await giveBackCells(trx, oldCells);
            if (!(await takeCells(trx, move.newCells))) throw new MysqlRefused();
            await replaceBookingCells(trx, row.id, move.newCells);
            const slot = { ...target, resourceId: move.newCells[0]?.resourceId ?? null };
            if (!(await moveBookingSlot(trx, row.id, MOVABLE, slot, now))) throw new Error(`booking ${row.id} left ${locked.status} under its lock`);
            await appendEvents(trx, [
              bookingEvent({ bookingId: row.id, merchantId: row.merchant_id }, RESCHEDULED_EVENT, actorLabel(actor), now, {
                from: slotPayload(locked.starts_at.getTime(), locked.ends_at.getTime(), locked.resource_id, oldCells),
                to: slotPayload(slot.startMs, slot.endMs, slot.resourceId, move.newCells),
                count: moved + 1,
                status: locked.status,
              }),
            ]);
          } catch (error) {
            await undo(deps, move);
            throw error;
          }
          pending.move = move;
          pending.version = locked.version + 1;
          return { bookingId, status: locked.status, outcome: 'moved' };
        },
        // Retried here, not inside: a rerun must not begin a second Redis move before the first is settled.
        { attempts: 1 },
      );
    } catch (error) {
      if (pending.move) {
        // Every statement ran and the COMMIT failed: ask MySQL which side won. A retry of the
        // request then finds the booking moved (a no-op) or moves it.
        await settleAfterUnknownCommit(deps, pending.move, pending.version);
        throw error;
      }
      if (error instanceof MysqlRefused) throw new AppError('SLOT_SOLD_OUT', error.message);
      if (attempt < ATTEMPTS && isRetryableMysqlError(error)) continue;
      throw error;
    }
    if (pending.move) {
      try {
        await settleMove(deps.redis, deps.keys, pending.move, 'new');
      } catch {
        // Committed: the answer is "moved". Unsettled, Redis counts the old cells too until reconciliation.
      }
    }
    return result;
  }
}

function assertMovable(deps: LifecycleDeps, row: BookingRow): void {
  if (!MOVABLE.includes(row.status)) throw new AppError('INVALID_TRANSITION', `cannot reschedule a ${row.status} booking`);
  if (deps.clock.now() >= row.starts_at.getTime()) throw new AppError('BOOKING_ALREADY_STARTED', 'booking has started');
}

function isSameSlot(row: BookingRow, request: RescheduleRequest): boolean {
  return row.starts_at.getTime() === request.startMs && (request.resourceId === undefined || request.resourceId === row.resource_id);
}

/**
 * The plan's groups with the booking's current resources tried first: reserve-style first fit keeps
 * the customer's stylist when they are free at the new time and falls back to anyone qualified.
 * Plans are memoised and shared, so this copies instead of sorting in place.
 */
function preferring(groups: GroupPlan[], resourceIds: ReadonlySet<number>): GroupPlan[] {
  return groups.map((group) => ({
    quantity: group.quantity,
    candidates: [...group.candidates.filter((c) => resourceIds.has(c.resourceId)), ...group.candidates.filter((c) => !resourceIds.has(c.resourceId))],
  }));
}

async function refuse(deps: RescheduleDeps, kind: 'sold-out' | 'closed' | 'customer-limit' | 'rebuilding', storeId: number, catalog: StoreCatalog): Promise<never> {
  switch (kind) {
    case 'sold-out':
      throw new AppError('SLOT_SOLD_OUT', 'no capacity left for the new slot');
    case 'closed':
      throw new AppError('SLOT_UNAVAILABLE', 'the new slot is outside opening hours');
    case 'customer-limit':
      throw new AppError('CUSTOMER_LIMIT_REACHED', 'customer reached the daily limit on the new date', { params: { limit: catalog.store.perCustomerDailyLimit } });
    case 'rebuilding':
      await deps.requestRebuild(storeId);
      throw new AppError('INVENTORY_REBUILDING', 'store inventory is being rebuilt', { retryAfterSeconds: 1 });
  }
}

async function undo(deps: LifecycleDeps, move: OpenMove): Promise<void> {
  try {
    await settleMove(deps.redis, deps.keys, move, 'old');
  } catch {
    // The caller's error matters more. Left open, the move only over-counts: reconciliation counts
    // the hold's cells on top of MySQL until its window ends, then writes MySQL's truth back.
  }
}

async function settleAfterUnknownCommit(deps: LifecycleDeps, move: OpenMove, expectedVersion: number): Promise<void> {
  try {
    const row = await findBooking(deps.db, move.bookingId);
    await settleMove(deps.redis, deps.keys, move, row && row.version >= expectedVersion ? 'new' : 'old');
  } catch {
    // Same as undo(): an open move over-counts until reconciliation, never under-counts.
  }
}

function slotPayload(startMs: number, endMs: number, resourceId: number | null, cells: readonly CellQuantity[]) {
  return { startAt: new Date(startMs).toISOString(), endAt: new Date(endMs).toISOString(), resourceId, resources: [...new Set(cells.map((c) => c.resourceId))] };
}
