import { DAY_MS, MINUTE_MS, localDateOf, zonedToInstant } from '../time/zoned.ts';

/** "1440,120" → [1440, 120]: minutes before the start, largest first, duplicates dropped. */
export function parseOffsets(text: string): number[] {
  const values = text
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((n) => Number.isInteger(n) && n > 0 && n <= 14 * 1440);
  return [...new Set(values)].sort((a, b) => b - a);
}

/** Reminder instants still in the future; offsets already passed when the booking is made are not planned. */
export function reminderTimes(startMs: number, offsetsMinutes: readonly number[], nowMs: number): { offset: number; dueMs: number }[] {
  return offsetsMinutes.map((offset) => ({ offset, dueMs: startMs - offset * MINUTE_MS })).filter((r) => r.dueMs > nowMs);
}

export interface QuietHours {
  /** Local minutes of the day; start > end means the quiet time spans midnight (21:00–08:00). */
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

function minuteOfDay(ms: number, timeZone: string): number {
  const date = localDateOf(ms, timeZone);
  return Math.floor((ms - zonedToInstant(date, 0, timeZone)) / MINUTE_MS);
}

export function isQuiet(ms: number, quiet: QuietHours): boolean {
  if (quiet.startMinute === quiet.endMinute) return false;
  const minute = minuteOfDay(ms, quiet.timeZone);
  return quiet.startMinute < quiet.endMinute ? minute >= quiet.startMinute && minute < quiet.endMinute : minute >= quiet.startMinute || minute < quiet.endMinute;
}

/** The instant the current quiet time ends. */
export function quietEndsAt(ms: number, quiet: QuietHours): number {
  const date = localDateOf(ms, quiet.timeZone);
  const todayEnd = zonedToInstant(date, quiet.endMinute, quiet.timeZone);
  return todayEnd > ms ? todayEnd : zonedToInstant(localDateOf(ms + DAY_MS, quiet.timeZone), quiet.endMinute, quiet.timeZone);
}

/**
 * No SMS at night: during quiet hours an SMS waits for the morning, unless
 * waiting would make it useless — the appointment starts before the quiet
 * time ends (a 2-hours-before reminder of an 09:00 visit goes at 07:00).
 */
export function smsTiming(nowMs: number, quiet: QuietHours, appointmentStartMs: number | null): { kind: 'now' } | { kind: 'defer'; untilMs: number } {
  if (!isQuiet(nowMs, quiet)) return { kind: 'now' };
  const endsAt = quietEndsAt(nowMs, quiet);
  if (appointmentStartMs !== null && appointmentStartMs <= endsAt) return { kind: 'now' };
  return { kind: 'defer', untilMs: endsAt };
}
