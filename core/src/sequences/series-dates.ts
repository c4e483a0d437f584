import { addDays, localDateOf, localTimeOf, parseTimeOfDay, zonedToInstant } from '../time/zoned.ts';

export const MAX_SERIES_COUNT = 20;

export interface Occurrence {
  /** 0-based position in the series; names the occurrence's idempotency key. */
  index: number;
  startMs: number;
  localDate: string;
}

/**
 * The starts of a weekly series in the store's zone: the same local wall-clock time every `everyWeeks`
 * weeks (10:00 stays 10:00 across a DST change, so the UTC gap is 7 days ± 1 hour there). A local time
 * that does not exist on a DST day moves forward, as zonedToInstant does for every slot.
 */
export function seriesOccurrences(firstStartMs: number, count: number, everyWeeks: number, timeZone: string): Occurrence[] {
  const firstDate = localDateOf(firstStartMs, timeZone);
  const minuteOfDay = parseTimeOfDay(localTimeOf(firstStartMs, timeZone));
  return Array.from({ length: count }, (_, index) => {
    const localDate = addDays(firstDate, index * 7 * everyWeeks);
    return { index, startMs: index === 0 ? firstStartMs : zonedToInstant(localDate, minuteOfDay, timeZone), localDate };
  });
}
