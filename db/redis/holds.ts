import type { Redis } from 'ioredis';
import type { BookingIntent, CellQuantity, IntentBase } from '../../core/src/booking/intent.ts';
import { cellField, parseCellField } from '../../core/src/inventory/cells.ts';
import type { GroupPlan } from '../../core/src/inventory/plan.ts';
import { isoWeekOf, type ReservePriorityArgs } from '../../core/src/priority/admission.ts';
import { reserveBatcher } from './batched-scripts.ts';
import type { RedisKeys } from './keys.ts';
import { type MarkPersistedCode, type ReleaseCode, ReserveCode } from './reserve-codes.ts';

export interface ReserveInput {
  base: IntentBase;
  groups: GroupPlan[];
  requestHash: string;
  customerDailyLimit: number;
  idempotencyTtlSeconds: number;
  holdTtlSeconds: number;
  /**
   * Daily caps (core/src/allocation) of the candidates' resources that have one: reserve.lua skips a
   * resource at its cap and counts the booking against the cap, atomically. Omitted/empty = no cap read.
   */
  caps?: { localDate: string; limits: readonly (readonly [resourceId: number, cap: number])[] } | undefined;
  /** VIP-reserved share and weekly limit (core/src/priority); omitted = neither, limits enforced. */
  priority?: ReservePriorityArgs | undefined;
}

export type ReserveOutcome =
  /** `chosen`: the candidate index (1-based) reserve.lua picked for each requirement group. */
  | { kind: 'reserved'; chosen: number[] }
  | { kind: 'replay'; bookingId: string }
  | { kind: 'sold-out' }
  | { kind: 'closed' }
  | { kind: 'customer-limit' }
  | { kind: 'idempotency-mismatch' }
  | { kind: 'rebuilding' };

/** Refusals only a reservation with `priority` can get (core/src/priority). */
export type PriorityRefusal =
  | { kind: 'weekly-limit' }
  /** Only the VIP-reserved share of the slot is left and the caller may not use it yet. */
  | { kind: 'vip-reserved' };

interface EncodedGroups {
  /** Local dates the candidates touch, sorted: the hold's `days`. */
  dates: string[];
  days: string;
  /** ARGV from G on, as reserve.lua reads it. */
  groupArgs: (string | number)[];
}

// Plans are memoised (see planGroups), so the same groups object comes back for a popular slot.
const encodedMemo = new WeakMap<GroupPlan[], EncodedGroups>();

function encodeGroups(groups: GroupPlan[]): EncodedGroups {
  const cached = encodedMemo.get(groups);
  if (cached) return cached;
  // Sorted, so the hold's `days` can be recomputed from any cell list (intentDays) for a release.
  const dates = [...new Set(groups.flatMap((g) => g.candidates.flatMap((c) => c.cells.map((cell) => cell.localDate))))].sort();
  const dateIndex = new Map(dates.map((d, i) => [d, i + 1]));
  const groupArgs: (string | number)[] = [groups.length];
  for (const group of groups) {
    groupArgs.push(group.quantity, group.candidates.length);
    for (const candidate of group.candidates) {
      groupArgs.push(candidate.cells.map((cell) => `${dateIndex.get(cell.localDate)!}|${cellField(cell.resourceId, cell.startMinute)}|${group.quantity}`).join(';'));
    }
  }
  const encoded = { dates, days: dates.join(','), groupArgs };
  encodedMemo.set(groups, encoded);
  return encoded;
}

/** Runs reserve.lua: all cells of one candidate per group, or nothing. */
export async function reserve(redis: Redis, keys: RedisKeys, input: ReserveInput & { priority: ReservePriorityArgs }): Promise<ReserveOutcome | PriorityRefusal>;
export async function reserve(redis: Redis, keys: RedisKeys, input: ReserveInput): Promise<ReserveOutcome>;
export async function reserve(redis: Redis, keys: RedisKeys, input: ReserveInput): Promise<ReserveOutcome | PriorityRefusal> {
  const { base } = input;
  const store = keys.store(base.storeId);
  const encoded = encodeGroups(input.groups);
  const args: (string | number)[] = [
    store.epoch,
    store.idempotency(base.customerId, base.idempotencyKey),
    store.hold(base.bookingId),
    store.holds,
    store.customerDay(base.customerId, base.localDate),
    store.intents,
  ];
  for (const date of encoded.dates) args.push(store.capacity(date), store.booked(date));
  const caps = input.caps && input.caps.limits.length > 0 ? input.caps : undefined;
  if (caps) args.push(store.allocations(caps.localDate));
  const priority = input.priority;
  const week = priority?.week ?? isoWeekOf(base.localDate);
  args.push(store.customerWeek(base.customerId, week));
  const keyCount = args.length;
  args.push(
    base.bookingId,
    base.customerId,
    input.requestHash,
    base.deadlineMs,
    input.customerDailyLimit,
    input.idempotencyTtlSeconds,
    input.holdTtlSeconds,
    JSON.stringify(base),
    encoded.days,
  );
  if (caps) {
    args.push(caps.limits.length, caps.localDate);
    for (const [resourceId, cap] of caps.limits) args.push(resourceId, cap);
  } else {
    args.push(0);
  }
  args.push(...encoded.groupArgs);
  // reserve.lua reads these eight from the end of ARGV.
  args.push(
    priority?.weeklyLimit ?? 0,
    week,
    priority?.weekTtlSeconds ?? input.holdTtlSeconds,
    priority?.vipReservedUnits ?? 0,
    priority?.cutoffMs ?? 0,
    priority?.vip ? 1 : 0,
    priority?.nowMs ?? 0,
    priority?.enforceLimits === false ? 0 : 1,
  );
  const reply = await reserveBatcher(redis).reserve(String(base.storeId), keyCount, args);
  const code = Number(reply[0]);
  switch (code) {
    case ReserveCode.Reserved:
      return { kind: 'reserved', chosen: reply.slice(2).map(Number) };
    case ReserveCode.Replay:
      return { kind: 'replay', bookingId: String(reply[1]) };
    case ReserveCode.SoldOut:
      return { kind: 'sold-out' };
    case ReserveCode.Closed:
      return { kind: 'closed' };
    case ReserveCode.CustomerLimit:
      return { kind: 'customer-limit' };
    case ReserveCode.WeeklyLimit:
      return { kind: 'weekly-limit' };
    case ReserveCode.VipReserved:
      return { kind: 'vip-reserved' };
    case ReserveCode.IdempotencyMismatch:
      return { kind: 'idempotency-mismatch' };
    case ReserveCode.EpochMissing:
      return { kind: 'rebuilding' };
    default:
      throw new Error(`reserve.lua returned unknown code ${code}`);
  }
}

export type HoldState = 'held' | 'persisted' | 'released';

export interface Hold {
  state: HoldState;
  reason: string | null;
  customerId: number;
  deadlineMs: number;
  days: string[];
  intent: BookingIntent;
}

const stateNames: Record<string, HoldState> = { H: 'held', P: 'persisted', R: 'released' };

/**
 * Rebuilds a full intent from how reserve.lua stores it (in the hold and in
 * the intent stream): the base fields as JSON plus the chosen cells, packed as
 * "dayIndex|resource:minute|units" joined by ';', dayIndex into `days`.
 */
export function unpackIntent(intentJson: string, packedCells: string, packedDays: string): { intent: BookingIntent; days: string[] } {
  const days = packedDays.split(',').filter(Boolean);
  const cells: CellQuantity[] = packedCells
    .split(';')
    .filter(Boolean)
    .map((packed) => {
      const [dayIndex, field, quantity] = packed.split('|');
      const { resourceId, startMinute } = parseCellField(field!);
      return { resourceId, startMinute, localDate: days[Number(dayIndex) - 1]!, quantity: Number(quantity) };
    });
  const base = JSON.parse(intentJson) as IntentBase;
  return { intent: { ...base, resourceId: cells[0]?.resourceId ?? null, cells }, days };
}

/** Reads a hold and rebuilds the full intent (base fields + the cells reserve.lua chose). */
export async function readHold(redis: Redis, keys: RedisKeys, storeId: number, bookingId: string): Promise<Hold | null> {
  const fields = await redis.hgetall(keys.store(storeId).hold(bookingId));
  if (!fields.st || !fields.intent) return null;
  const { intent, days } = unpackIntent(fields.intent, fields.cells ?? '', fields.days ?? '');
  return {
    state: stateNames[fields.st] ?? 'released',
    reason: fields.reason ?? null,
    customerId: intent.customerId,
    deadlineMs: intent.deadlineMs,
    days,
    intent,
  };
}

export interface ReleaseInput {
  storeId: number;
  bookingId: string;
  customerId: number;
  localDate: string;
  idempotencyKey: string;
  /** The hold's `days` (from readHold or the intent's cells, in first-seen order). */
  days: string[];
  reason: 'EXPIRED' | 'CANCELLED' | 'REJECTED' | 'ABORTED';
  forgetIdempotency: boolean;
  /** true: release persisted holds too (cancelling a confirmed booking); false: only live holds. */
  includePersisted: boolean;
}

export async function releaseHold(redis: Redis, keys: RedisKeys, input: ReleaseInput): Promise<ReleaseCode> {
  const store = keys.store(input.storeId);
  const reply = await redis.releaseHold(
    7 + input.days.length,
    store.hold(input.bookingId),
    store.holds,
    store.persisted,
    store.customerDay(input.customerId, input.localDate),
    store.idempotency(input.customerId, input.idempotencyKey),
    ...input.days.map((d) => store.booked(d)),
    store.allocations(input.localDate),
    store.customerWeek(input.customerId, isoWeekOf(input.localDate)),
    input.bookingId,
    input.reason,
    input.forgetIdempotency ? 1 : 0,
    input.includePersisted ? 'HP' : 'H',
    input.localDate,
    isoWeekOf(input.localDate),
  );
  return reply as ReleaseCode;
}

/**
 * The hold's `days`, recomputed from the chosen cells. Every candidate of a
 * booking covers the same instants, so the chosen cells touch exactly the
 * dates reserve() listed, in the same (sorted) order.
 */
export function intentDays(intent: { cells: readonly CellQuantity[] }): string[] {
  return [...new Set(intent.cells.map((c) => c.localDate))].sort();
}

export const PERSISTED_RETENTION_MS = 15 * 60_000;

export async function markPersisted(redis: Redis, keys: RedisKeys, storeId: number, bookingId: string): Promise<MarkPersistedCode> {
  return (await markManyPersisted(redis, keys, storeId, [bookingId]))[0]!;
}

/** markPersisted for a persist batch of one store: one script call, one code per booking id (in order). */
export async function markManyPersisted(redis: Redis, keys: RedisKeys, storeId: number, bookingIds: readonly string[]): Promise<MarkPersistedCode[]> {
  if (bookingIds.length === 0) return [];
  const store = keys.store(storeId);
  const holdKeys = bookingIds.map((id) => store.hold(id));
  return (await redis.markPersisted(2 + holdKeys.length, store.holds, store.persisted, ...holdKeys, PERSISTED_RETENTION_MS, ...bookingIds)) as MarkPersistedCode[];
}


export async function leaseExpiredHolds(redis: Redis, keys: RedisKeys, storeId: number, nowMs: number, leaseMs: number, limit: number): Promise<string[]> {
  return redis.leaseExpiredHolds(keys.store(storeId).holds, nowMs, leaseMs, limit);
}
