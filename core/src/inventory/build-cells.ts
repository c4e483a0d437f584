import { type Range, alignedSteps, intersect } from '../time/ranges.ts';
import { MINUTE_MS, isoWeekday, zonedToInstant } from '../time/zoned.ts';

/** Weekly opening hours; `resourceId` null = the store's own hours. Minutes after local midnight. */
export interface WeeklyHours {
  resourceId: number | null;
  weekday: number;
  openMinute: number;
  closeMinute: number;
}

/** A date-specific override: closed all day, or open only in the given window. */
export interface DateException {
  resourceId: number | null;
  localDate: string;
  closed: boolean;
  openMinute: number | null;
  closeMinute: number | null;
}

export interface MaterializeInput {
  localDate: string;
  timeZone: string;
  cellMinutes: number;
  resources: readonly { id: number; capacity: number }[];
  hours: readonly WeeklyHours[];
  exceptions: readonly DateException[];
}

export interface MaterializedCell {
  resourceId: number;
  startMinute: number;
  capacity: number;
}

function toInstants(localDate: string, timeZone: string, windows: { openMinute: number; closeMinute: number }[]): Range[] {
  return windows.map((w) => ({
    start: zonedToInstant(localDate, w.openMinute, timeZone),
    end: zonedToInstant(localDate, w.closeMinute, timeZone),
  }));
}

/**
 * Open windows of a store (resourceId null) or a resource on a date. An
 * exception replaces the weekly hours for that date; a resource without any
 * weekly rows of its own follows the store.
 */
function windowsFor(input: MaterializeInput, resourceId: number | null): Range[] | 'inherit' {
  const { localDate, timeZone } = input;
  const exceptions = input.exceptions.filter((e) => e.resourceId === resourceId && e.localDate === localDate);
  if (exceptions.some((e) => e.closed)) return [];
  const special = exceptions.filter((e) => e.openMinute !== null && e.closeMinute !== null);
  if (special.length > 0) {
    return toInstants(localDate, timeZone, special.map((e) => ({ openMinute: e.openMinute!, closeMinute: e.closeMinute! })));
  }
  const own = input.hours.filter((h) => h.resourceId === resourceId);
  if (resourceId !== null && own.length === 0) return 'inherit';
  const weekday = isoWeekday(localDate);
  return toInstants(localDate, timeZone, own.filter((h) => h.weekday === weekday));
}

/** Every cell of every resource that is open on `localDate`; pure, so DST days are testable. */
export function materializeDay(input: MaterializeInput): MaterializedCell[] {
  const storeWindows = windowsFor(input, null);
  if (storeWindows === 'inherit') throw new Error('unreachable: the store always has its own hours');
  const step = input.cellMinutes * MINUTE_MS;
  const cells: MaterializedCell[] = [];
  for (const resource of input.resources) {
    const own = windowsFor(input, resource.id);
    const open = own === 'inherit' ? storeWindows : intersect(storeWindows, own);
    for (const start of alignedSteps(open, step)) {
      cells.push({ resourceId: resource.id, startMinute: start / MINUTE_MS, capacity: resource.capacity });
    }
  }
  return cells;
}
