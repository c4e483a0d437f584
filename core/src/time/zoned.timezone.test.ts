import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  MINUTE_MS,
  addDays,
  isLocalDate,
  isValidTimeZone,
  isoWeekday,
  localDateOf,
  localDayBounds,
  localTimeOf,
  parseTimeOfDay,
  zonedToInstant,
} from './zoned.ts';

// Runs under TZ=UTC and TZ=Asia/Shanghai with the same expectations: results must not depend on the machine.
const SHANGHAI = 'Asia/Shanghai'; // UTC+8 all year
const BERLIN = 'Europe/Berlin'; // CET (UTC+1) / CEST (UTC+2); 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00
const HOUR_MS = 60 * MINUTE_MS;

const instantArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 11, 31) });
const dateArb = fc.integer({ min: 0, max: 365 * 15 }).map((n) => addDays('2020-01-01', n));

describe('process time zone', () => {
  it('when a time-zone suite runs, then the process really is in the zone the project asked for', () => {
    expect(['UTC', 'Asia/Shanghai']).toContain(process.env.TZ);
    const expectedOffset = process.env.TZ === 'UTC' ? 0 : -480;
    expect(new Date(Date.UTC(2026, 5, 1)).getTimezoneOffset()).toBe(expectedOffset);
  });
});

describe('localDateOf', () => {
  it('when it is 16:00 UTC, then it is already the next day in Shanghai', () => {
    expect(localDateOf(Date.UTC(2026, 11, 1, 16, 0), SHANGHAI)).toBe('2026-12-02');
    expect(localDateOf(Date.UTC(2026, 11, 1, 16, 0), 'UTC')).toBe('2026-12-01');
  });

  it('when it is one millisecond before Shanghai midnight, then it is still the same local day', () => {
    expect(localDateOf(Date.UTC(2026, 11, 1, 16, 0) - 1, SHANGHAI)).toBe('2026-12-01');
  });

  it('when a Berlin day starts, then the local date switches at 23:00 UTC in winter and 22:00 UTC in summer', () => {
    expect(localDateOf(Date.UTC(2026, 0, 14, 23, 0), BERLIN)).toBe('2026-01-15');
    expect(localDateOf(Date.UTC(2026, 0, 14, 22, 59), BERLIN)).toBe('2026-01-14');
    expect(localDateOf(Date.UTC(2026, 6, 14, 22, 0), BERLIN)).toBe('2026-07-15');
  });
});

describe('localTimeOf', () => {
  it('when an instant is formatted, then it is the store wall-clock time as HH:MM', () => {
    expect(localTimeOf(Date.UTC(2026, 11, 1, 1, 30), SHANGHAI)).toBe('09:30');
    expect(localTimeOf(Date.UTC(2026, 0, 15, 9, 5), BERLIN)).toBe('10:05');
    expect(localTimeOf(Date.UTC(2026, 6, 15, 9, 5), BERLIN)).toBe('11:05');
  });

  it('when it is local midnight, then it reads 00:00 and never 24:00', () => {
    expect(localTimeOf(Date.UTC(2026, 11, 1, 16, 0), SHANGHAI)).toBe('00:00');
  });

  it('when Berlin falls back, then 02:30 happens twice, an hour apart', () => {
    expect(localTimeOf(Date.UTC(2026, 9, 25, 0, 30), BERLIN)).toBe('02:30');
    expect(localTimeOf(Date.UTC(2026, 9, 25, 1, 30), BERLIN)).toBe('02:30');
  });
});

describe('zonedToInstant', () => {
  it('when a Shanghai wall time is converted, then it is eight hours earlier in UTC', () => {
    expect(zonedToInstant('2026-12-01', 9 * 60 + 30, SHANGHAI)).toBe(Date.UTC(2026, 11, 1, 1, 30));
  });

  it('when the minute is 24:00, then it is the next local midnight', () => {
    expect(zonedToInstant('2026-12-01', 24 * 60, SHANGHAI)).toBe(Date.UTC(2026, 11, 1, 16, 0));
    expect(zonedToInstant('2026-03-29', 24 * 60, BERLIN)).toBe(Date.UTC(2026, 2, 29, 22, 0));
  });

  it('when Berlin is on winter or summer time, then the offset is one or two hours', () => {
    expect(zonedToInstant('2026-01-15', 10 * 60, BERLIN)).toBe(Date.UTC(2026, 0, 15, 9, 0));
    expect(zonedToInstant('2026-07-15', 10 * 60, BERLIN)).toBe(Date.UTC(2026, 6, 15, 8, 0));
  });

  it('when the wall time falls in the spring-forward gap (02:30 on 2026-03-29), then it moves forward to 03:30 CEST', () => {
    // Act
    const instant = zonedToInstant('2026-03-29', 2 * 60 + 30, BERLIN);

    // Assert
    expect(instant).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(localTimeOf(instant, BERLIN)).toBe('03:30');
    expect(instant).toBe(zonedToInstant('2026-03-29', 3 * 60 + 30, BERLIN));
  });

  it('when the wall time happens twice (02:30 on 2026-10-25), then the earlier instant (CEST) wins', () => {
    expect(zonedToInstant('2026-10-25', 2 * 60 + 30, BERLIN)).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it('property: in Shanghai, converting an instant to wall time and back gives the instant (to the minute)', () => {
    fc.assert(
      fc.property(instantArb, (t) => {
        const back = zonedToInstant(localDateOf(t, SHANGHAI), parseTimeOfDay(localTimeOf(t, SHANGHAI)), SHANGHAI);
        expect(back).toBe(Math.floor(t / MINUTE_MS) * MINUTE_MS);
      }),
    );
  });

  it('property: in Berlin, the round trip shows the same wall time, at the instant or an hour earlier in an overlap', () => {
    fc.assert(
      fc.property(instantArb, (t) => {
        const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
        const back = zonedToInstant(localDateOf(t, BERLIN), parseTimeOfDay(localTimeOf(t, BERLIN)), BERLIN);
        expect([minute, minute - HOUR_MS]).toContain(back);
        expect(localTimeOf(back, BERLIN)).toBe(localTimeOf(t, BERLIN));
        expect(localDateOf(back, BERLIN)).toBe(localDateOf(t, BERLIN));
      }),
    );
  });
});

describe('localDayBounds', () => {
  it('when the day is in Shanghai, then it runs 16:00 UTC to 16:00 UTC, 24 hours', () => {
    expect(localDayBounds('2026-12-01', SHANGHAI)).toEqual({ start: Date.UTC(2026, 10, 30, 16, 0), end: Date.UTC(2026, 11, 1, 16, 0) });
  });

  it('when Berlin springs forward on 2026-03-29, then the day is 23 hours long', () => {
    // Act
    const { start, end } = localDayBounds('2026-03-29', BERLIN);

    // Assert: 00:00 CET = 23:00 UTC the day before; next midnight is CEST = 22:00 UTC.
    expect(start).toBe(Date.UTC(2026, 2, 28, 23, 0));
    expect(end).toBe(Date.UTC(2026, 2, 29, 22, 0));
    expect(end - start).toBe(23 * HOUR_MS);
  });

  it('when Berlin falls back on 2026-10-25, then the day is 25 hours long', () => {
    const { start, end } = localDayBounds('2026-10-25', BERLIN);
    expect(start).toBe(Date.UTC(2026, 9, 24, 22, 0));
    expect(end).toBe(Date.UTC(2026, 9, 25, 23, 0));
    expect(end - start).toBe(25 * HOUR_MS);
  });

  it('when it is an ordinary Berlin day, then it is 24 hours long', () => {
    const { start, end } = localDayBounds('2026-03-28', BERLIN);
    expect(end - start).toBe(DAY_MS);
  });

  it('property: every instant in the bounds has that local date, and the end is the next day', () => {
    fc.assert(
      fc.property(dateArb, fc.constantFrom(SHANGHAI, BERLIN, 'UTC'), (date, zone) => {
        const { start, end } = localDayBounds(date, zone);
        expect(localDateOf(start, zone)).toBe(date);
        expect(localDateOf(end - 1, zone)).toBe(date);
        expect(localDateOf(start - 1, zone)).toBe(addDays(date, -1));
        expect(localDateOf(end, zone)).toBe(addDays(date, 1));
        expect([23 * HOUR_MS, DAY_MS, 25 * HOUR_MS]).toContain(end - start);
        if (zone !== BERLIN) expect(end - start).toBe(DAY_MS);
      }),
    );
  });
});

describe('isoWeekday', () => {
  it('when given known dates, then Monday is 1 and Sunday is 7', () => {
    expect(isoWeekday('2026-03-29')).toBe(7); // Sunday (DST starts in the EU)
    expect(isoWeekday('2026-03-30')).toBe(1);
    expect(isoWeekday('2026-12-01')).toBe(2);
    expect(isoWeekday('2026-01-01')).toBe(4);
  });

  it('property: a week later is the same weekday, a day later is the next one', () => {
    fc.assert(
      fc.property(dateArb, (date) => {
        expect(isoWeekday(addDays(date, 7))).toBe(isoWeekday(date));
        expect(isoWeekday(addDays(date, 1))).toBe((isoWeekday(date) % 7) + 1);
      }),
    );
  });
});

describe('addDays', () => {
  it('when crossing a month, a year or a leap day, then the calendar is respected', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('when crossing a DST change, then it counts calendar days, not 24-hour periods', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
  });

  it('property: adding then subtracting n days gives the date back', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -1000, max: 1000 }), (date, n) => {
        expect(addDays(addDays(date, n), -n)).toBe(date);
      }),
    );
  });
});

describe('isLocalDate', () => {
  it.each(['2026-12-01', '2024-02-29', '2026-01-31'])('when given the real date %s, then it is accepted', (value) => {
    expect(isLocalDate(value)).toBe(true);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-12-32', '2026-04-31', '2026-1-01', '20261201', '2026-12-01T00:00', '', ' 2026-12-01', '+002026-12-01'])(
    'when given %j, then it is refused',
    (value) => {
      expect(isLocalDate(value)).toBe(false);
    },
  );
});

describe('parseTimeOfDay', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['09:30:00', 570],
    ['23:59', 1439],
    ['24:00', 1440],
  ])('when given %s, then it is %i minutes after midnight', (value, minutes) => {
    expect(parseTimeOfDay(value)).toBe(minutes);
  });

  it.each(['24:01', '25:00', '12:60', '9:30', '0930', '09:30:5', '', '-1:00', '09:30 '])('when given %j, then it throws', (value) => {
    expect(() => parseTimeOfDay(value)).toThrow(/bad time of day/);
  });
});

describe('isValidTimeZone', () => {
  it('when given IANA names, then they are accepted, and made-up names are refused', () => {
    expect(isValidTimeZone(SHANGHAI)).toBe(true);
    expect(isValidTimeZone(BERLIN)).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
