import { randomUUID } from 'node:crypto';
import { appendEvents, bookingCellsOf, findBookings, lockBooking, moveBookingSlot, replaceBookingCells } from '../../../db/src/repositories/booking.repository.ts';
import { findStore, loadStoreCatalog } from '../../../db/src/repositories/catalog.repository.ts';
import { cellsOnDates, heldCellsOnDates, insertBookingFlag, openBookingFlags, setCellCapacities } from '../../../db/src/repositories/capacity.repository.ts';
import { giveBackCells, insertCells, loadScheduleInputs, takeCells } from '../../../db/src/repositories/inventory.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { beginMove, type OpenMove, settleMove } from '../../../db/redis/move.ts';
import type { BookingStatus } from '../booking/state-machine.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { materializeDay } from '../inventory/build-cells.ts';
import { cellField } from '../inventory/cells.ts';
import { type GroupPlan, planGroups } from '../inventory/plan.ts';
import { DAY_MS, addDays, localDateOf } from '../time/zoned.ts';
import { type Actor, actorLabel, type LifecycleDeps } from './deps.ts';
import { bookingEvent } from './events.ts';
import { reconcileStore } from './reconcile.ts';

/** A booking moved to an equivalent resource at the same time because its own lost capacity. */
export const RESOURCE_CHANGED_EVENT = 'RESOURCE_CHANGED';
/** A booking that lost its capacity and could not be moved: flagged for the merchant, the customer is told. */
export const CAPACITY_FLAGGED_EVENT = 'CAPACITY_FLAGGED';

const HOLDING: readonly BookingStatus[] = ['AWAITING_PAYMENT', 'CONFIRMED', 'OFFERED', 'CHECKED_IN'];
const MOVABLE: readonly BookingStatus[] = ['AWAITING_PAYMENT', 'CONFIRMED'];
const MOVE_WINDOW_MS = 2 * 60_000;

export interface CapacityChangeReport {
  dates: string[];
  cellsAdded: number;
  cellsRaised: number;
  cellsLowered: number;
  moved: { bookingId: string; fromResourceIds: number[]; toResourceIds: number[] }[];
  flagged: { bookingId: string; reason: string }[];
  /** Capacity-holding bookings on lowered cells that kept their place (the lowered capacity still fits them). */
  untouched: string[];
}

class MysqlRefused extends Error {}

const keyOf = (resourceId: number, startMinute: number) => cellField(resourceId, startMinute);

/**
 * Brings a store's inventory in line with its (just changed) resources, weekly hours and
 * exceptions on the given local dates (default: today through the horizon), at once.
 *
 * 1. Wanted capacity per cell comes from materializeDay. New cells are inserted; every
 *    existing cell is set to GREATEST(wanted, booked) in MySQL, and Redis is repaired from
 *    MySQL for those dates, so raised capacity is bookable and removed capacity stops
 *    selling immediately.
 * 2. Where bookings hold more than the wanted capacity (the deficit), each such booking
 *    (latest accepted first) is moved to an equivalent resource at the same start through
 *    the reschedule machinery: moveHold.lua takes the new cells in Redis while the old
 *    ones stay counted, MySQL gives back the old cells, lowers them to the wanted
 *    capacity and takes the new ones with the conditional UPDATE (the last line), and
 *    settleMove.lua releases the old side only after the commit. A RESOURCE_CHANGED event
 *    tells the customer (BOOKING_CHANGED push).
 * 3. A booking that cannot move (no equivalent resource free, started, or an open waitlist
 *    offer) keeps its cells: they stay at capacity = booked, a booking_flags row records
 *    the reason and the deficit for the merchant, and a CAPACITY_FLAGGED event tells the
 *    customer. Everything else on those cells is already at the wanted capacity.
 */
export async function applyCapacityChange(deps: LifecycleDeps, actor: Actor, storeId: number, onlyDates?: readonly string[]): Promise<CapacityChangeReport> {
  const store = await findStore(deps.db, storeId);
  const report: CapacityChangeReport = { dates: [], cellsAdded: 0, cellsRaised: 0, cellsLowered: 0, moved: [], flagged: [], untouched: [] };
  if (!store) return report;
  const now = deps.clock.now();
  const today = localDateOf(now, store.timezone);
  const lastDay = addDays(today, store.horizon_days);
  const dates: string[] = [];
  for (let date = today; date <= lastDay; date = addDays(date, 1)) if (!onlyDates || onlyDates.includes(date)) dates.push(date);
  report.dates = dates;
  if (dates.length === 0) return report;

  const inputs = await loadScheduleInputs(deps.db, storeId, dates[0]!, dates[dates.length - 1]!);
  const wanted = new Map<string, { resourceId: number; startMinute: number; localDate: string; capacity: number }>();
  for (const localDate of dates) {
    for (const cell of materializeDay({ localDate, timeZone: store.timezone, cellMinutes: store.cell_minutes, ...inputs })) {
      wanted.set(keyOf(cell.resourceId, cell.startMinute), { ...cell, localDate });
    }
  }
  const existing = await cellsOnDates(deps.db, storeId, dates);
  const existingKeys = new Set(existing.map((c) => keyOf(c.resourceId, c.startMinute)));
  const wantedOf = (c: { resourceId: number; startMinute: number }) => wanted.get(keyOf(c.resourceId, c.startMinute))?.capacity ?? 0;

  const missing = [...wanted.values()].filter((c) => !existingKeys.has(keyOf(c.resourceId, c.startMinute)));
  report.cellsAdded = await insertCells(
    deps.db,
    missing.map((c) => ({ ...c, merchantId: store.merchant_id, storeId })),
  );
  const changed = existing.filter((c) => c.capacity !== Math.max(wantedOf(c), c.booked));
  report.cellsRaised = changed.filter((c) => wantedOf(c) > c.capacity).length;
  const lowered = existing.filter((c) => wantedOf(c) < c.capacity);
  report.cellsLowered = lowered.length;
  await setCellCapacities(deps.db, changed.map((c) => ({ resourceId: c.resourceId, startMinute: c.startMinute, capacity: wantedOf(c) })));
  await reconcileStore(deps, storeId, 'repair', dates);

  const deficit = new Map<string, number>();
  for (const c of existing) if (c.booked > wantedOf(c)) deficit.set(keyOf(c.resourceId, c.startMinute), c.booked - wantedOf(c));
  const loweredKeys = new Set(lowered.map((c) => keyOf(c.resourceId, c.startMinute)));
  const held = await heldCellsOnDates(deps.db, storeId, dates, HOLDING);
  const byBooking = new Map<string, typeof held>();
  for (const cell of held) {
    if (!loweredKeys.has(keyOf(cell.resourceId, cell.startMinute))) continue;
    byBooking.set(cell.bookingId, [...(byBooking.get(cell.bookingId) ?? []), cell]);
  }
  if (byBooking.size === 0) return report;

  // Already flagged by an earlier change: the merchant knows, their deficit is accepted as it is.
  const flaggedBefore = new Set((await openBookingFlags(deps.db, store.merchant_id, { storeId, bookingIds: [...byBooking.keys()] })).map((f) => f.bookingId));
  const rows = (await findBookings(deps.db, [...byBooking.keys()])).sort((a, b) => b.accepted_at.getTime() - a.accepted_at.getTime());
  const inDeficit = (cells: readonly { resourceId: number; startMinute: number }[]) => cells.some((c) => (deficit.get(keyOf(c.resourceId, c.startMinute)) ?? 0) > 0);
  const settle = (cells: readonly { resourceId: number; startMinute: number; quantity: number }[]) => {
    for (const c of cells) {
      const k = keyOf(c.resourceId, c.startMinute);
      const d = deficit.get(k);
      if (d !== undefined) deficit.set(k, Math.max(0, d - c.quantity));
    }
  };
  for (const row of rows) if (flaggedBefore.has(row.id)) settle(byBooking.get(row.id)!);

  const catalog = await loadStoreCatalog(deps.db, storeId);
  const wantedCells = [...wanted.values()];
  for (const row of rows) {
    const cells = byBooking.get(row.id)!;
    if (flaggedBefore.has(row.id) || !inDeficit(cells)) {
      if (!flaggedBefore.has(row.id)) report.untouched.push(row.id);
      continue;
    }
    const movable = MOVABLE.includes(row.status) && row.starts_at.getTime() > now;
    const outcome = movable && catalog ? await tryMove(deps, actor, catalog, row, deficit, wantedCells) : { kind: 'not-moved' as const, reason: movable ? 'NO_EQUIVALENT_RESOURCE' : 'NOT_MOVABLE' };
    if (outcome.kind === 'moved') {
      report.moved.push({ bookingId: row.id, fromResourceIds: unique(outcome.oldCells), toResourceIds: unique(outcome.newCells) });
      settle(outcome.oldCells);
    } else {
      const units = cells.reduce((sum, c) => sum + Math.min(c.quantity, deficit.get(keyOf(c.resourceId, c.startMinute)) ?? 0), 0);
      await flagBooking(deps, actor, row, outcome.reason, cells, units);
      report.flagged.push({ bookingId: row.id, reason: outcome.reason });
      settle(cells);
    }
  }
  if (report.moved.length > 0) await reconcileStore(deps, storeId, 'repair', dates);
  return report;
}

function unique(cells: readonly { resourceId: number }[]): number[] {
  return [...new Set(cells.map((c) => c.resourceId))].sort((a, b) => a - b);
}

type MoveOutcome =
  | { kind: 'moved'; oldCells: { resourceId: number; startMinute: number; quantity: number }[]; newCells: { resourceId: number; startMinute: number; quantity: number }[] }
  | { kind: 'not-moved'; reason: string };

/** The booking's plan at its own start, without cells still in deficit, its current resources first. */
function equivalentGroups(catalog: StoreCatalog, row: BookingRow, deficit: ReadonlyMap<string, number>, keep: ReadonlySet<number>): GroupPlan[] | null {
  const service = catalog.services.get(row.service_id);
  if (!service) return null;
  const groups = planGroups(catalog, service, row.starts_at.getTime(), row.party_size).map((group) => {
    const usable = group.candidates.filter((c) => c.cells.every((cell) => (deficit.get(keyOf(cell.resourceId, cell.startMinute)) ?? 0) === 0));
    return { quantity: group.quantity, candidates: [...usable.filter((c) => keep.has(c.resourceId)), ...usable.filter((c) => !keep.has(c.resourceId))] };
  });
  return groups.every((g) => g.candidates.length > 0) ? groups : null;
}

async function tryMove(
  deps: LifecycleDeps,
  actor: Actor,
  catalog: StoreCatalog,
  row: BookingRow,
  deficit: ReadonlyMap<string, number>,
  wanted: readonly { resourceId: number; startMinute: number; capacity: number }[],
): Promise<MoveOutcome> {
  const now = deps.clock.now();
  const pending: { move: OpenMove | null } = { move: null };
  let outcome: MoveOutcome;
  try {
    outcome = await inTransaction(
      deps.db,
      async (trx): Promise<MoveOutcome> => {
        const locked = await lockBooking(trx, row.id);
        if (!locked || !MOVABLE.includes(locked.status) || locked.starts_at.getTime() !== row.starts_at.getTime()) return { kind: 'not-moved', reason: 'NOT_MOVABLE' };
        const oldCells = await bookingCellsOf(trx, row.id);
        const groups = equivalentGroups(catalog, locked, deficit, new Set(oldCells.map((c) => c.resourceId)));
        if (!groups) return { kind: 'not-moved', reason: 'NO_EQUIVALENT_RESOURCE' };
        const begun = await beginMove(deps.redis, deps.keys, {
          storeId: row.store_id,
          bookingId: row.id,
          moveId: randomUUID(),
          customerId: row.customer_id,
          oldLocalDate: locked.local_date,
          newLocalDate: locked.local_date,
          oldCells,
          groups,
          customerDailyLimit: 0,
          holdTtlSeconds: Math.ceil((locked.ends_at.getTime() - now + 2 * DAY_MS) / 1000),
          windowMs: MOVE_WINDOW_MS,
        });
        if (begun.kind !== 'moved') return { kind: 'not-moved', reason: begun.kind === 'rebuilding' ? 'INVENTORY_REBUILDING' : 'NO_EQUIVALENT_RESOURCE' };
        const move = begun.move;
        try {
          await giveBackCells(trx, oldCells);
          // The freed cells drop to the wanted capacity in the same transaction: nobody can take them in between.
          const wantedOf = new Map(wanted.map((c) => [keyOf(c.resourceId, c.startMinute), c.capacity]));
          await setCellCapacities(trx, oldCells.map((c) => ({ resourceId: c.resourceId, startMinute: c.startMinute, capacity: wantedOf.get(keyOf(c.resourceId, c.startMinute)) ?? 0 })));
          if (!(await takeCells(trx, move.newCells))) throw new MysqlRefused();
          await replaceBookingCells(trx, row.id, move.newCells);
          const slot = { startMs: locked.starts_at.getTime(), endMs: locked.ends_at.getTime(), localDate: locked.local_date, resourceId: move.newCells[0]?.resourceId ?? null };
          if (!(await moveBookingSlot(trx, row.id, MOVABLE, slot, now))) throw new Error(`booking ${row.id} left ${locked.status} under its lock`);
          const payload = (cells: readonly { resourceId: number }[], resourceId: number | null) => ({
            startAt: locked.starts_at.toISOString(),
            endAt: locked.ends_at.toISOString(),
            resourceId,
            resources: unique(cells),
          });
          await appendEvents(trx, [
            bookingEvent({ bookingId: row.id, merchantId: row.merchant_id }, RESOURCE_CHANGED_EVENT, actorLabel(actor), now, {
              reason: 'CAPACITY_REMOVED',
              from: payload(oldCells, locked.resource_id),
              to: payload(move.newCells, slot.resourceId),
              status: locked.status,
            }),
          ]);
        } catch (error) {
          await settleMove(deps.redis, deps.keys, move, 'old').catch(() => undefined);
          throw error;
        }
        pending.move = move;
        return { kind: 'moved', oldCells, newCells: move.newCells };
      },
      { attempts: 1 },
    );
  } catch (error) {
    if (pending.move) {
      // COMMIT outcome unknown: an open move only over-counts until the repair that follows.
      return { kind: 'not-moved', reason: 'MOVE_FAILED' };
    }
    if (error instanceof MysqlRefused) return { kind: 'not-moved', reason: 'NO_EQUIVALENT_RESOURCE' };
    throw error;
  }
  if (pending.move) await settleMove(deps.redis, deps.keys, pending.move, 'new').catch(() => undefined);
  return outcome;
}

async function flagBooking(
  deps: LifecycleDeps,
  actor: Actor,
  row: BookingRow,
  reason: string,
  cells: readonly { resourceId: number; startMinute: number }[],
  deficitUnits: number,
): Promise<void> {
  const now = deps.clock.now();
  const detail = { startAt: row.starts_at.toISOString(), resources: unique(cells) };
  await inTransaction(deps.db, async (trx) => {
    await insertBookingFlag(trx, { bookingId: row.id, merchantId: row.merchant_id, storeId: row.store_id, reason, detail, deficitUnits }, now);
    await appendEvents(trx, [bookingEvent({ bookingId: row.id, merchantId: row.merchant_id }, CAPACITY_FLAGGED_EVENT, actorLabel(actor), now, { reason, ...detail })]);
  });
}

