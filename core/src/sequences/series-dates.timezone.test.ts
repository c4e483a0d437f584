import { describe, expect, it } from 'vitest';
import { localTimeOf } from '../time/zoned.ts';
import { seriesOccurrences } from './series-dates.ts';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

describe('seriesOccurrences', () => {
  it('when weekly in Shanghai, then every start is 7 days apart at the same local time', () => {
    const first = Date.parse('2026-12-02T10:00:00+08:00');
    const starts = seriesOccurrences(first, 10, 1, 'Asia/Shanghai');
    expect(starts).toHaveLength(10);
    expect(starts.map((o) => o.startMs - first)).toEqual(Array.from({ length: 10 }, (_, i) => i * WEEK));
    expect(starts.map((o) => o.localDate).slice(0, 3)).toEqual(['2026-12-02', '2026-12-09', '2026-12-16']);
  });

  it('when every two weeks across the spring DST change in Berlin, then 10:00 stays 10:00 local (UTC gap one hour shorter)', () => {
    const first = Date.parse('2027-03-17T10:00:00+01:00');
    const starts = seriesOccurrences(first, 3, 2, 'Europe/Berlin');
    expect(starts.map((o) => o.localDate)).toEqual(['2027-03-17', '2027-03-31', '2027-04-14']);
    expect(starts.map((o) => localTimeOf(o.startMs, 'Europe/Berlin'))).toEqual(['10:00', '10:00', '10:00']);
    expect(starts[1]!.startMs - starts[0]!.startMs).toBe(2 * WEEK - HOUR);
  });

  it('when weekly across the autumn DST change in Berlin, then the UTC gap is one hour longer', () => {
    const first = Date.parse('2026-10-21T10:00:00+02:00');
    const starts = seriesOccurrences(first, 2, 1, 'Europe/Berlin');
    expect(localTimeOf(starts[1]!.startMs, 'Europe/Berlin')).toBe('10:00');
    expect(starts[1]!.startMs - starts[0]!.startMs).toBe(WEEK + HOUR);
  });
});
