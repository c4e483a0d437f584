import { Temporal } from 'temporal-polyfill';

/**
 * Wall-clock helpers for a merchant's IANA time zone. Instants are UTC
 * milliseconds everywhere; a "local date" is `YYYY-MM-DD` in the store's zone.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const dateFormatters = new Map<string, Intl.DateTimeFormat>();
const timeFormatters = new Map<string, Intl.DateTimeFormat>();

function dateFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    // en-CA formats as YYYY-MM-DD, which is exactly the key format we want.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timeZone, formatter);
  }
  return formatter;
}

function timeFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = timeFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    timeFormatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    dateFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const OFFSET_BUCKET_MS = 15 * MINUTE_MS;
const CACHED_OFFSETS_PER_ZONE = 100_000;
/** Per zone: 15-minute UTC bucket → offset (numeric keys: no string is built per lookup). */
const offsetCaches = new Map<string, Map<number, number>>();

/**
 * The zone's UTC offset at an instant. Every offset change happens on a
 * 15-minute UTC boundary (all offsets are multiples of 15 minutes), so the
 * offset is cached per 15-minute bucket: the booking path asks for local dates
 * thousands of times a second, and Intl formatting costs microseconds each.
 */
function utcOffsetMs(instantMs: number, timeZone: string): number {
  const bucket = Math.floor(instantMs / OFFSET_BUCKET_MS);
  let cache = offsetCaches.get(timeZone);
  if (cache === undefined) {
    cache = new Map();
    offsetCaches.set(timeZone, cache);
  }
  let offset = cache.get(bucket);
  if (offset === undefined) {
    const at = bucket * OFFSET_BUCKET_MS;
    const [date, time] = [dateFormatter(timeZone).format(at), timeFormatter(timeZone).format(at)];
    offset = Date.parse(`${date}T${time}:00Z`) - at;
    if (cache.size >= CACHED_OFFSETS_PER_ZONE) cache.clear();
    cache.set(bucket, offset);
  }
  return offset;
}

const CACHED_DAY_LABELS = 50_000;
/** Days since the epoch → "YYYY-MM-DD"; the label of a day number is the same in every zone. */
const dayLabels = new Map<number, string>();

function dayLabel(dayNumber: number): string {
  let label = dayLabels.get(dayNumber);
  if (label === undefined) {
    label = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
    if (dayLabels.size >= CACHED_DAY_LABELS) dayLabels.clear();
    dayLabels.set(dayNumber, label);
  }
  return label;
}

/** "00:00" … "23:59", indexed by minute of the day. */
const clockLabels: readonly string[] = Array.from(
  { length: 24 * 60 },
  (_, minute) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`,
);

/** The local calendar date of an instant, e.g. `2026-11-30`. */
export function localDateOf(instantMs: number, timeZone: string): string {
  return dayLabel(Math.floor((instantMs + utcOffsetMs(instantMs, timeZone)) / DAY_MS));
}

/** The local wall-clock time of an instant, e.g. `09:30`. */
export function localTimeOf(instantMs: number, timeZone: string): string {
  const localMs = instantMs + utcOffsetMs(instantMs, timeZone);
  return clockLabels[Math.floor((localMs - Math.floor(localMs / DAY_MS) * DAY_MS) / MINUTE_MS)]!;
}

/**
 * The instant at which a local wall-clock time happens. In a DST gap the time
 * does not exist and is moved forward ('compatible', as calendars do); in an
 * overlap the earlier instant wins.
 */
export function zonedToInstant(localDate: string, minuteOfDay: number, timeZone: string): number {
  const midnight = Temporal.PlainDate.from(localDate).toPlainDateTime();
  return midnight
    .add({ minutes: minuteOfDay })
    .toZonedDateTime(timeZone, { disambiguation: 'compatible' }).epochMilliseconds;
}

/** [start, end) of a local day as instants; 23 or 25 hours long on DST days. */
export function localDayBounds(localDate: string, timeZone: string): { start: number; end: number } {
  const day = Temporal.PlainDate.from(localDate);
  return {
    start: day.toZonedDateTime({ timeZone }).epochMilliseconds,
    end: day.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds,
  };
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(localDate: string): number {
  return Temporal.PlainDate.from(localDate).dayOfWeek;
}

export function addDays(localDate: string, days: number): string {
  return Temporal.PlainDate.from(localDate).add({ days }).toString();
}

export function isLocalDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  try {
    return Temporal.PlainDate.from(value, { overflow: 'reject' }).toString() === value;
  } catch {
    return false;
  }
}

/** `HH:MM` or `HH:MM:SS` (as MySQL returns TIME) → minutes after midnight; 24:00 allowed as day end. */
export function parseTimeOfDay(value: string): number {
  const match = /^(\d{2}):(\d{2})(?::\d{2})?$/.exec(value);
  if (!match) throw new Error(`bad time of day: ${value}`);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (minutes > 24 * 60 || Number(match[2]) > 59) throw new Error(`bad time of day: ${value}`);
  return minutes;
}
