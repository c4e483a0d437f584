import { describe, expect, it } from 'vitest';
import { type MaterializeInput, materializeDay } from './build-cells.ts';

// Runs under TZ=UTC and TZ=Asia/Shanghai with identical expectations.
const minuteOf = (utcMs: number) => utcMs / 60_000;

function allDay(localDate: string, timeZone: string, weekday: number, cellMinutes = 15): MaterializeInput {
  return {
    localDate,
    timeZone,
    cellMinutes,
    resources: [{ id: 1, capacity: 3 }],
    hours: [{ resourceId: null, weekday, openMinute: 0, closeMinute: 24 * 60 }],
    exceptions: [],
  };
}

/** Cells are back to back in real time: no gap and no repeat. */
function expectContiguous(starts: number[], cellMinutes: number): void {
  for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(cellMinutes);
}

describe('materializeDay on Berlin DST days', () => {
  it('when Berlin springs forward (2026-03-29, 23 hours) and the store is open 00:00–24:00, then it has 92 quarter-hour cells', () => {
    // Act
    const starts = materializeDay(allDay('2026-03-29', 'Europe/Berlin', 7)).map((c) => c.startMinute);

    // Assert: 23 h × 4; first at 00:00 CET (23:00 UTC the day before), last at 23:45 CEST (21:45 UTC).
    expect(starts).toHaveLength(92);
    expect(starts[0]).toBe(minuteOf(Date.UTC(2026, 2, 28, 23, 0)));
    expect(starts.at(-1)).toBe(minuteOf(Date.UTC(2026, 2, 29, 21, 45)));
    expectContiguous(starts, 15);
  });

  it('when the same 23-hour day uses 5-minute cells, then it has 276 cells', () => {
    const starts = materializeDay(allDay('2026-03-29', 'Europe/Berlin', 7, 5)).map((c) => c.startMinute);
    expect(starts).toHaveLength(23 * 12);
    expectContiguous(starts, 5);
  });

  it('when Berlin falls back (2026-10-25, 25 hours), then an all-day store has 100 quarter-hour cells', () => {
    const starts = materializeDay(allDay('2026-10-25', 'Europe/Berlin', 7)).map((c) => c.startMinute);
    expect(starts).toHaveLength(100);
    expect(starts[0]).toBe(minuteOf(Date.UTC(2026, 9, 24, 22, 0)));
    expect(starts.at(-1)).toBe(minuteOf(Date.UTC(2026, 9, 25, 22, 45)));
    expectContiguous(starts, 15);
  });

  it('when it is the Saturday before, then the day has the ordinary 96 cells', () => {
    expect(materializeDay(allDay('2026-03-28', 'Europe/Berlin', 6))).toHaveLength(96);
  });

  it('when hours are 01:00–04:00 on the spring-forward day, then only two real hours (8 cells) are open', () => {
    // Arrange: 01:00 CET = 00:00 UTC; 04:00 CEST = 02:00 UTC.
    const day = { ...allDay('2026-03-29', 'Europe/Berlin', 7), hours: [{ resourceId: null, weekday: 7, openMinute: 60, closeMinute: 240 }] };

    // Act
    const starts = materializeDay(day).map((c) => c.startMinute);

    // Assert
    expect(starts).toHaveLength(8);
    expect(starts[0]).toBe(minuteOf(Date.UTC(2026, 2, 29, 0, 0)));
    expect(starts.at(-1)).toBe(minuteOf(Date.UTC(2026, 2, 29, 1, 45)));
  });

  it('when the store opens at 02:30 on the spring-forward day (a time that does not exist), then it opens at 03:30 CEST', () => {
    // 02:30 → 03:30 CEST = 01:30 UTC; 04:00 CEST = 02:00 UTC: two cells.
    const day = { ...allDay('2026-03-29', 'Europe/Berlin', 7), hours: [{ resourceId: null, weekday: 7, openMinute: 150, closeMinute: 240 }] };
    expect(materializeDay(day).map((c) => c.startMinute)).toEqual([minuteOf(Date.UTC(2026, 2, 29, 1, 30)), minuteOf(Date.UTC(2026, 2, 29, 1, 45))]);
  });

  it('when hours are 01:00–04:00 on the fall-back day, then four real hours (16 cells) are open', () => {
    // 01:00 CEST = 23:00 UTC on the 24th; 04:00 CET = 03:00 UTC.
    const day = { ...allDay('2026-10-25', 'Europe/Berlin', 7), hours: [{ resourceId: null, weekday: 7, openMinute: 60, closeMinute: 240 }] };
    const starts = materializeDay(day).map((c) => c.startMinute);
    expect(starts).toHaveLength(16);
    expect(starts[0]).toBe(minuteOf(Date.UTC(2026, 9, 24, 23, 0)));
    expectContiguous(starts, 15);
  });
});

describe('materializeDay in Asia zones', () => {
  it('when a Shanghai store is open all day on 2026-12-01, then it has 96 cells from 16:00 UTC the day before', () => {
    const cells = materializeDay(allDay('2026-12-01', 'Asia/Shanghai', 2));
    expect(cells).toHaveLength(96);
    expect(cells[0]).toEqual({ resourceId: 1, startMinute: minuteOf(Date.UTC(2026, 10, 30, 16, 0)), capacity: 3 });
    expect(cells.at(-1)!.startMinute).toBe(minuteOf(Date.UTC(2026, 11, 1, 15, 45)));
  });

  it('when the weekday is decided, then it is the weekday of the store date, whatever the machine zone', () => {
    // 2026-12-01 is a Tuesday everywhere; Monday-only hours must give nothing.
    expect(materializeDay(allDay('2026-12-01', 'Asia/Shanghai', 1))).toEqual([]);
    expect(materializeDay(allDay('2026-12-01', 'Asia/Shanghai', 2))).not.toEqual([]);
  });

  it('when the zone is UTC+05:45 (Kathmandu), then quarter-hour cells still line up with local hours', () => {
    // 10:00–11:00 local = 04:15–05:15 UTC.
    const day = { ...allDay('2026-12-01', 'Asia/Kathmandu', 2), hours: [{ resourceId: null, weekday: 2, openMinute: 600, closeMinute: 660 }] };
    const starts = materializeDay(day).map((c) => c.startMinute);
    expect(starts).toEqual([15, 30, 45, 60].map((m) => minuteOf(Date.UTC(2026, 11, 1, 4, m))));
  });
});
