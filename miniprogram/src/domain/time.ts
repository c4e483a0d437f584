/**
 * Dates and times as the store sees them. Instants come from the API as ISO strings;
 * a store's local date and time are computed with Intl in its IANA zone, never with the
 * phone's own zone (a traveller books a Shanghai salon from Berlin).
 */

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();
function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(timeZone)) {
    let formatter: Intl.DateTimeFormat | null = null;
    try {
      const made = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
      if (typeof made.formatToParts === 'function') formatter = made;
    } catch {
      // Some phones' JS engines ship Intl without time-zone data: use the zone's fixed offset instead.
    }
    formatters.set(timeZone, formatter);
  }
  return formatters.get(timeZone) ?? null;
}

/**
 * Zones of our merchants that have had no daylight-saving time for decades: exact without Intl.
 * A zone outside this list falls back to China time, the platform's default merchant zone.
 */
const FIXED_OFFSET_MINUTES: Record<string, number> = {
  'Asia/Shanghai': 480, 'Asia/Chongqing': 480, 'Asia/Harbin': 480, 'Asia/Urumqi': 360, 'Asia/Hong_Kong': 480, 'Asia/Macau': 480, 'Asia/Taipei': 480,
  'Asia/Singapore': 480, 'Asia/Kuala_Lumpur': 480, 'Asia/Tokyo': 540, 'Asia/Seoul': 540, 'Asia/Bangkok': 420, 'UTC': 0, 'Etc/UTC': 0,
};

/** Calendar fields of an instant at a fixed UTC offset. */
export function partsAtOffset(instantMs: number, offsetMinutes: number): LocalParts {
  const shifted = new Date(instantMs + offsetMinutes * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    weekday: shifted.getUTCDay(),
  };
}

export function localParts(instantMs: number, timeZone: string): LocalParts {
  const formatter = formatterFor(timeZone);
  if (!formatter) return partsAtOffset(instantMs, FIXED_OFFSET_MINUTES[timeZone] ?? 480);
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0 } = parts;
  // The weekday of a calendar date does not depend on the zone: compute it in UTC.
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, hour: hour === 24 ? 0 : hour, minute, weekday };
}

const pad = (n: number) => String(n).padStart(2, '0');

export function localDateOf(instantMs: number, timeZone: string): string {
  const p = localParts(instantMs, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

export function addDays(localDate: string, days: number): string {
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

export interface DateChoice {
  date: string;
  /** 今天 / 明天 / 周三 */
  label: string;
  /** 12/02 */
  short: string;
}

/** The next `count` local dates of the store, starting today in its zone. */
export function upcomingDates(nowMs: number, timeZone: string, count: number): DateChoice[] {
  const today = localDateOf(nowMs, timeZone);
  return Array.from({ length: count }, (_, i) => {
    const date = addDays(today, i);
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    const label = i === 0 ? '今天' : i === 1 ? '明天' : i === 2 ? '后天' : `周${WEEKDAYS[weekday]}`;
    return { date, label, short: `${pad(m)}/${pad(d)}` };
  });
}

/** 12月2日 周三 */
export function formatLocalDate(instantMs: number, timeZone: string): string {
  const p = localParts(instantMs, timeZone);
  return `${p.month}月${p.day}日 周${WEEKDAYS[p.weekday]}`;
}

/** 10:30 */
export function formatLocalTime(instantMs: number, timeZone: string): string {
  const p = localParts(instantMs, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** 12月2日 周三 10:30 */
export function formatLocalDateTime(instantMs: number, timeZone: string): string {
  return `${formatLocalDate(instantMs, timeZone)} ${formatLocalTime(instantMs, timeZone)}`;
}
