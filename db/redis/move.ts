import type { Redis } from 'ioredis';
import type { CellQuantity } from '../../core/src/booking/intent.ts';
import { cellField } from '../../core/src/inventory/cells.ts';
import type { GroupPlan } from '../../core/src/inventory/plan.ts';
import type { RedisKeys } from './keys.ts';
import { ReserveCode } from './reserve-codes.ts';

export interface BeginMoveInput {
  storeId: number;
  bookingId: string;
  /** Unique per attempt: settleMove only touches the hold while it is still in this move. */
  moveId: string;
  customerId: number;
  oldLocalDate: string;
  newLocalDate: string;
  /** What the booking holds now (MySQL's booking_cells, read under the booking's row lock). */
  oldCells: readonly CellQuantity[];
  groups: GroupPlan[];
  /** The store's per-customer daily limit; applied only when the move changes the local date. */
  customerDailyLimit: number;
  holdTtlSeconds: number;
  windowMs: number;
}

/** A move Redis has begun and that must be settled one way or the other. */
export interface OpenMove {
  storeId: number;
  bookingId: string;
  moveId: string;
  tracked: boolean;
  oldCells: CellQuantity[];
  newCells: CellQuantity[];
  /** Customer-day counters: the new date was counted, so the losing side's date is uncounted at settlement. */
  countedDays: { old: string; new: string; customerId: number } | null;
}

export type BeginMoveOutcome =
  | { kind: 'moved'; move: OpenMove }
  | { kind: 'sold-out' }
  | { kind: 'closed' }
  | { kind: 'customer-limit' }
  | { kind: 'rebuilding' };

function sortedDates(cells: readonly { localDate: string }[]): string[] {
  return [...new Set(cells.map((c) => c.localDate))].sort();
}

/** Runs moveHold.lua: the new slot's cells are taken and the old ones stay counted until settleMove. */
export async function beginMove(redis: Redis, keys: RedisKeys, input: BeginMoveInput): Promise<BeginMoveOutcome> {
  const store = keys.store(input.storeId);
  const candidates = input.groups.flatMap((g) => g.candidates.flatMap((c) => c.cells));
  const dates = sortedDates([...input.oldCells, ...candidates]);
  const dateIndex = new Map(dates.map((d, i) => [d, i + 1]));
  const limit = input.oldLocalDate !== input.newLocalDate ? input.customerDailyLimit : 0;
  const args: (string | number)[] = [store.epoch, store.hold(input.bookingId), store.persisted, store.customerDay(input.customerId, input.newLocalDate)];
  for (const date of dates) args.push(store.capacity(date), store.booked(date));
  args.push(input.bookingId, input.moveId, limit, input.holdTtlSeconds, input.holdTtlSeconds, input.windowMs, dates.join(','), input.oldCells.length);
  for (const cell of input.oldCells) args.push(dateIndex.get(cell.localDate)!, cellField(cell.resourceId, cell.startMinute), cell.quantity);
  args.push(input.groups.length);
  for (const group of input.groups) {
    args.push(group.quantity, group.candidates.length);
    for (const candidate of group.candidates) {
      args.push(candidate.cells.length);
      for (const cell of candidate.cells) args.push(dateIndex.get(cell.localDate)!, cellField(cell.resourceId, cell.startMinute));
    }
  }
  const reply = await redis.moveHold(4 + 2 * dates.length, ...args);
  const code = Number(reply[0]);
  switch (code) {
    case 1: {
      const chosen = reply.slice(2).map(Number);
      const newCells = input.groups.flatMap((group, g) =>
        group.candidates[chosen[g]! - 1]!.cells.map((cell) => ({ resourceId: cell.resourceId, startMinute: cell.startMinute, localDate: cell.localDate, quantity: group.quantity })),
      );
      return {
        kind: 'moved',
        move: {
          storeId: input.storeId,
          bookingId: input.bookingId,
          moveId: input.moveId,
          tracked: Number(reply[1]) === 1,
          oldCells: [...input.oldCells],
          newCells,
          countedDays: limit > 0 ? { old: input.oldLocalDate, new: input.newLocalDate, customerId: input.customerId } : null,
        },
      };
    }
    case ReserveCode.SoldOut:
      return { kind: 'sold-out' };
    case ReserveCode.Closed:
      return { kind: 'closed' };
    case ReserveCode.CustomerLimit:
      return { kind: 'customer-limit' };
    case ReserveCode.EpochMissing:
      return { kind: 'rebuilding' };
    default:
      throw new Error(`moveHold.lua returned unknown code ${code}`);
  }
}

function unitsByCell(cells: readonly CellQuantity[]): Map<string, CellQuantity> {
  const byCell = new Map<string, CellQuantity>();
  for (const cell of cells) {
    const field = cellField(cell.resourceId, cell.startMinute);
    const existing = byCell.get(field);
    byCell.set(field, existing ? { ...existing, quantity: existing.quantity + cell.quantity } : { ...cell });
  }
  return byCell;
}

/**
 * Runs settleMove.lua for the side that won: 'new' after MySQL committed the
 * move, 'old' when it did not. Returns false if the hold had left the move.
 */
export async function settleMove(redis: Redis, keys: RedisKeys, move: OpenMove, winner: 'new' | 'old'): Promise<boolean> {
  const store = keys.store(move.storeId);
  const [kept, lost] = winner === 'new' ? [move.newCells, move.oldCells] : [move.oldCells, move.newCells];
  // During the move each cell counted max(old, new); the loser's excess over the winner goes back.
  const keptUnits = unitsByCell(kept);
  const giveBack = [...unitsByCell(lost).entries()]
    .map(([field, cell]) => ({ field, cell, units: cell.quantity - (keptUnits.get(field)?.quantity ?? 0) }))
    .filter((c) => c.units > 0);
  const dates = sortedDates(giveBack.map((c) => c.cell));
  const dateIndex = new Map(dates.map((d, i) => [d, i + 1]));
  const keptDates = sortedDates(kept);
  const keptIndex = new Map(keptDates.map((d, i) => [d, i + 1]));
  const packed = kept.map((c) => `${keptIndex.get(c.localDate)}|${cellField(c.resourceId, c.startMinute)}|${c.quantity}`).join(';');
  const counted = move.countedDays;
  const lostDay = counted ? (winner === 'new' ? counted.old : counted.new) : null;
  const customerKey = counted && lostDay ? store.customerDay(counted.customerId, lostDay) : store.customerDay(0, 'none');
  const args: (string | number)[] = [store.hold(move.bookingId), store.persisted, customerKey, ...dates.map((d) => store.booked(d))];
  args.push(move.bookingId, move.moveId, move.tracked ? 1 : 0, packed, keptDates.join(','), counted ? 1 : 0, giveBack.length);
  for (const c of giveBack) args.push(dateIndex.get(c.cell.localDate)!, c.field, c.units);
  return (await redis.settleMove(3 + dates.length, ...args)) === 1;
}
