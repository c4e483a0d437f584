import { describe, expect, it } from 'vitest';
import { isQuiet, parseOffsets, quietEndsAt, reminderTimes, smsTiming } from './timing.ts';

const shanghai = { startMinute: 21 * 60, endMinute: 8 * 60, timeZone: 'Asia/Shanghai' };
const at = (iso: string) => Date.parse(iso);

describe('reminder offsets', () => {
  it('parses, sorts largest first, drops junk and duplicates', () => {
    expect(parseOffsets('120, 1440,abc,-5,0,120')).toEqual([1440, 120]);
    expect(parseOffsets('')).toEqual([]);
    expect(parseOffsets('30000')).toEqual([]); // beyond 14 days
  });

  it('plans only reminders still ahead of now', () => {
    const start = at('2026-12-02T02:00:00Z');
    expect(reminderTimes(start, [1440, 120], at('2026-12-01T00:00:00Z'))).toEqual([
      { offset: 1440, dueMs: at('2026-12-01T02:00:00Z') },
      { offset: 120, dueMs: at('2026-12-02T00:00:00Z') },
    ]);
    // Booked 3 hours ahead: only the 2-hour reminder is still possible.
    expect(reminderTimes(start, [1440, 120], at('2026-12-01T23:00:00Z')).map((r) => r.offset)).toEqual([120]);
    expect(reminderTimes(start, [1440, 120], at('2026-12-02T00:00:00Z'))).toEqual([]);
  });
});

describe('quiet hours across midnight, in the store’s zone whatever the process zone', () => {
  it('is quiet from 21:00 to 08:00 Shanghai time', () => {
    expect(isQuiet(at('2026-12-01T12:59:00Z'), shanghai)).toBe(false); // 20:59
    expect(isQuiet(at('2026-12-01T13:00:00Z'), shanghai)).toBe(true); // 21:00
    expect(isQuiet(at('2026-12-01T18:00:00Z'), shanghai)).toBe(true); // 02:00
    expect(isQuiet(at('2026-12-01T23:59:00Z'), shanghai)).toBe(true); // 07:59
    expect(isQuiet(at('2026-12-02T00:00:00Z'), shanghai)).toBe(false); // 08:00
  });

  it('handles a window inside one day, and none', () => {
    const lunch = { startMinute: 12 * 60, endMinute: 14 * 60, timeZone: 'Asia/Shanghai' };
    expect(isQuiet(at('2026-12-01T04:30:00Z'), lunch)).toBe(true); // 12:30
    expect(isQuiet(at('2026-12-01T06:00:00Z'), lunch)).toBe(false); // 14:00
    expect(isQuiet(at('2026-12-01T04:30:00Z'), { ...lunch, endMinute: 12 * 60 })).toBe(false);
  });

  it('knows when the quiet time ends, before and after midnight', () => {
    expect(quietEndsAt(at('2026-12-01T14:00:00Z'), shanghai)).toBe(at('2026-12-02T00:00:00Z')); // 22:00 → 08:00 next day
    expect(quietEndsAt(at('2026-12-01T19:00:00Z'), shanghai)).toBe(at('2026-12-02T00:00:00Z')); // 03:00 → 08:00 same day
  });

  it('defers an SMS to the morning unless the appointment comes first', () => {
    const night = at('2026-12-01T14:00:00Z'); // 22:00
    expect(smsTiming(night, shanghai, at('2026-12-02T06:00:00Z'))).toEqual({ kind: 'defer', untilMs: at('2026-12-02T00:00:00Z') });
    expect(smsTiming(night, shanghai, at('2026-12-01T23:30:00Z'))).toEqual({ kind: 'now' }); // a 07:30 visit
    expect(smsTiming(night, shanghai, null)).toEqual({ kind: 'defer', untilMs: at('2026-12-02T00:00:00Z') });
    expect(smsTiming(at('2026-12-01T03:00:00Z'), shanghai, null)).toEqual({ kind: 'now' });
  });

  it('follows a DST zone: Berlin quiet hours end at 08:00 local on both sides of the change', () => {
    const berlin = { startMinute: 21 * 60, endMinute: 8 * 60, timeZone: 'Europe/Berlin' };
    // 2026-10-25: clocks go back at 03:00 (UTC+2 → UTC+1).
    expect(quietEndsAt(at('2026-10-24T20:00:00Z'), berlin)).toBe(at('2026-10-25T07:00:00Z'));
    // 2026-03-29: clocks go forward at 02:00 (UTC+1 → UTC+2).
    expect(quietEndsAt(at('2026-03-28T21:00:00Z'), berlin)).toBe(at('2026-03-29T06:00:00Z'));
  });
});
