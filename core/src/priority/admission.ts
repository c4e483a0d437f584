/**
 * Priority admission rules (pure): the VIP-reserved share of a service's cells before a cut-off,
 * and the per-customer weekly limit. reserve.lua enforces both atomically with the arguments built
 * here; availability shows a caller the same reduced capacity. MySQL stays the last line for
 * capacity only: the reserved share and the limits are Redis-side admission rules.
 */
import { DAY_MS, MINUTE_MS } from '../time/zoned.ts';

export interface ServicePriority {
  /** Units of every cell of this service's candidates held back for VIP members, 0 = none. */
  vipReservedUnits: number;
  /** The share opens to everyone this many minutes before the slot starts. */
  vipCutoffMinutes: number;
}

export interface PriorityConfig {
  /** Most bookings one customer may hold at this store per ISO week (Monday–Sunday, local dates); 0 = none. */
  customerWeeklyLimit: number;
  services: ReadonlyMap<number, ServicePriority>;
}

export const NO_PRIORITY: PriorityConfig = { customerWeeklyLimit: 0, services: new Map() };

export const DEFAULT_VIP_CUTOFF_MINUTES = 24 * 60;

/** The instant at which a slot's reserved share opens to everyone. */
export function cutoffOf(startMs: number, priority: ServicePriority): number {
  return startMs - priority.vipCutoffMinutes * MINUTE_MS;
}

/** Units of each cell a caller may not use for this slot now (0 for VIPs, after the cut-off, or without a share). */
export function heldBackUnits(priority: ServicePriority | undefined, startMs: number, nowMs: number, vip: boolean): number {
  if (!priority || priority.vipReservedUnits <= 0 || vip) return 0;
  return nowMs < cutoffOf(startMs, priority) ? priority.vipReservedUnits : 0;
}

/** Whether asking MySQL for the caller's membership can change anything for this slot. */
export function membershipMatters(priority: ServicePriority | undefined, startMs: number, nowMs: number): boolean {
  return heldBackUnits(priority, startMs, nowMs, false) > 0;
}

const CACHED_DATES = 10_000;
/** Per local date: its ISO week label, and the instant its weekly counter may expire. Every booking asks for both. */
const weekLabels = new Map<string, string>();
const weekCounterEnds = new Map<string, number>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHED_DATES) cache.clear();
  cache.set(key, value);
  return value;
}

/** ISO 8601 week of a local date "YYYY-MM-DD", e.g. "2026-W49" (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeekOf(localDate: string): string {
  const cached = weekLabels.get(localDate);
  if (cached !== undefined) return cached;
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  const date = Date.UTC(y, m - 1, d);
  const weekday = (new Date(date).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(date + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return remember(weekLabels, localDate, `${year}-W${String(week).padStart(2, '0')}`);
}

/** Local Monday..Sunday dates of the ISO week of a local date. */
export function isoWeekDates(localDate: string): { monday: string; sunday: string } {
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  const date = Date.UTC(y, m - 1, d);
  const weekday = (new Date(date).getUTCDay() + 6) % 7;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { monday: iso(date - weekday * DAY_MS), sunday: iso(date + (6 - weekday) * DAY_MS) };
}

/**
 * Seconds the weekly counter must live: until two days after the week's Sunday ends (a margin wider than
 * any zone offset, and as long as a hold outlives its appointment), never less than `minSeconds`.
 */
export function weekCounterTtlSeconds(localDate: string, nowMs: number, minSeconds: number): number {
  let until = weekCounterEnds.get(localDate);
  if (until === undefined) {
    const [y, m, d] = isoWeekDates(localDate).sunday.split('-').map(Number) as [number, number, number];
    until = remember(weekCounterEnds, localDate, Date.UTC(y, m - 1, d) + 3 * DAY_MS);
  }
  return Math.max(minSeconds, Math.ceil((until - nowMs) / 1000));
}

/** What reserve.lua needs to apply the priority rules (its trailing ARGV). */
export interface ReservePriorityArgs {
  weeklyLimit: number;
  week: string;
  weekTtlSeconds: number;
  vipReservedUnits: number;
  cutoffMs: number;
  /** May use the reserved share (a VIP member, or staff inserting urgently). */
  vip: boolean;
  nowMs: number;
  /** false: count the booking against the daily/weekly limits without refusing it (staff urgent insertion). */
  enforceLimits: boolean;
}

export function reservePriorityArgs(
  config: PriorityConfig | undefined,
  booking: { serviceId: number; startMs: number; localDate: string },
  caller: { vip: boolean; enforceLimits: boolean },
  nowMs: number,
  holdTtlSeconds: number,
): ReservePriorityArgs {
  const service = config?.services.get(booking.serviceId);
  return {
    weeklyLimit: config?.customerWeeklyLimit ?? 0,
    week: isoWeekOf(booking.localDate),
    weekTtlSeconds: weekCounterTtlSeconds(booking.localDate, nowMs, holdTtlSeconds),
    vipReservedUnits: service?.vipReservedUnits ?? 0,
    cutoffMs: service ? cutoffOf(booking.startMs, service) : 0,
    vip: caller.vip,
    nowMs,
    enforceLimits: caller.enforceLimits,
  };
}

/** An inventory cell as a caller who may not use `heldBack` units of it sees it (never below zero). */
export function withheld<T extends { capacity: number; booked: number }>(cell: T | undefined, heldBack: number): T | undefined {
  if (!cell || heldBack <= 0) return cell;
  return { ...cell, capacity: Math.max(0, cell.capacity - heldBack) };
}
