import { describe, expect, it } from 'vitest';
import { type DateException, type MaterializeInput, type WeeklyHours, materializeDay } from './build-cells.ts';

// Store in Shanghai (UTC+8, no DST); 2026-12-01 is a Tuesday (ISO weekday 2).
const DATE = '2026-12-01';
const TUESDAY = 2;

/** Epoch minute of a Shanghai wall time on 2026-12-01, worked out by hand: local − 8 h. */
const at = (hhmm: string) => Date.UTC(2026, 11, 1, Number(hhmm.slice(0, 2)) - 8, Number(hhmm.slice(3))) / 60_000;
const m = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

const hours = (resourceId: number | null, weekday: number, open: string, close: string): WeeklyHours => ({ resourceId, weekday, openMinute: m(open), closeMinute: m(close) });
const closed = (resourceId: number | null, localDate = DATE): DateException => ({ resourceId, localDate, closed: true, openMinute: null, closeMinute: null });
const special = (resourceId: number | null, open: string, close: string, localDate = DATE): DateException => ({
  resourceId,
  localDate,
  closed: false,
  openMinute: m(open),
  closeMinute: m(close),
});

function input(overrides: Partial<MaterializeInput>): MaterializeInput {
  return {
    localDate: DATE,
    timeZone: 'Asia/Shanghai',
    cellMinutes: 15,
    resources: [{ id: 1, capacity: 1 }],
    hours: [hours(null, TUESDAY, '10:00', '12:00')],
    exceptions: [],
    ...overrides,
  };
}

const startsOf = (cells: ReturnType<typeof materializeDay>, resourceId: number) => cells.filter((c) => c.resourceId === resourceId).map((c) => c.startMinute);
/** Every `step`-minute cell start from `from` (inclusive) to `to` (exclusive), local wall times. */
function grid(from: string, to: string, step = 15): number[] {
  const out: number[] = [];
  for (let t = at(from); t < at(to); t += step) out.push(t);
  return out;
}

describe('materializeDay: weekly hours', () => {
  it('when a resource has no hours of its own, then it gets one cell per 15 minutes of the store hours', () => {
    // Act
    const cells = materializeDay(input({}));

    // Assert: 10:00–12:00 is 8 cells, 10:00 … 11:45.
    expect(cells).toHaveLength(8);
    expect(cells[0]).toEqual({ resourceId: 1, startMinute: at('10:00'), capacity: 1 });
    expect(cells[7]).toEqual({ resourceId: 1, startMinute: at('11:45'), capacity: 1 });
    expect(startsOf(cells, 1)).toEqual(grid('10:00', '12:00'));
  });

  it('when the store has hours only on other weekdays, then the day has no cells', () => {
    const cells = materializeDay(input({ hours: [hours(null, 1, '10:00', '12:00'), hours(null, 3, '10:00', '12:00')] }));
    expect(cells).toEqual([]);
  });

  it('when the store has a lunch break, then no cell falls in it', () => {
    const cells = materializeDay(input({ hours: [hours(null, TUESDAY, '09:00', '12:00'), hours(null, TUESDAY, '14:00', '18:00')] }));
    expect(startsOf(cells, 1)).toEqual([...grid('09:00', '12:00'), ...grid('14:00', '18:00')]);
  });

  it("when a resource has its own hours, then it is open only where they overlap the store's", () => {
    // Arrange: store 10:00–12:00, staff 2 works 11:00–14:00, staff 1 follows the store.
    const cells = materializeDay(
      input({
        resources: [
          { id: 1, capacity: 1 },
          { id: 2, capacity: 1 },
        ],
        hours: [hours(null, TUESDAY, '10:00', '12:00'), hours(2, TUESDAY, '11:00', '14:00')],
      }),
    );

    // Assert
    expect(startsOf(cells, 1)).toEqual(grid('10:00', '12:00'));
    expect(startsOf(cells, 2)).toEqual(grid('11:00', '12:00'));
  });

  it('when a resource works across the store lunch break, then it gets both store windows clipped to its own', () => {
    const cells = materializeDay(
      input({
        resources: [{ id: 2, capacity: 1 }],
        hours: [hours(null, TUESDAY, '09:00', '12:00'), hours(null, TUESDAY, '14:00', '18:00'), hours(2, TUESDAY, '11:00', '15:00')],
      }),
    );
    expect(startsOf(cells, 2)).toEqual([...grid('11:00', '12:00'), ...grid('14:00', '15:00')]);
  });

  it('when a resource has own hours but none on this weekday, then it is off that day (it does not inherit the store)', () => {
    const cells = materializeDay(
      input({
        resources: [
          { id: 1, capacity: 1 },
          { id: 2, capacity: 1 },
        ],
        hours: [hours(null, TUESDAY, '10:00', '12:00'), hours(2, 3, '10:00', '12:00')],
      }),
    );
    expect(startsOf(cells, 1)).toHaveLength(8);
    expect(startsOf(cells, 2)).toEqual([]);
  });

  it("when another resource's hours exist, then they do not affect this one", () => {
    const cells = materializeDay(
      input({
        resources: [
          { id: 1, capacity: 1 },
          { id: 2, capacity: 1 },
        ],
        hours: [hours(null, TUESDAY, '10:00', '12:00'), hours(2, TUESDAY, '10:00', '10:30')],
      }),
    );
    expect(startsOf(cells, 1)).toEqual(grid('10:00', '12:00'));
    expect(startsOf(cells, 2)).toEqual(grid('10:00', '10:30'));
  });
});

describe('materializeDay: exceptions', () => {
  const twoStaff = [
    { id: 1, capacity: 1 },
    { id: 2, capacity: 1 },
  ];

  it('when the store is closed that day, then no resource has cells, even one with its own hours', () => {
    const cells = materializeDay(
      input({ resources: twoStaff, hours: [hours(null, TUESDAY, '10:00', '12:00'), hours(2, TUESDAY, '10:00', '12:00')], exceptions: [closed(null)] }),
    );
    expect(cells).toEqual([]);
  });

  it('when one staff member is off sick, then only that resource loses its cells', () => {
    const cells = materializeDay(input({ resources: twoStaff, exceptions: [closed(2)] }));
    expect(startsOf(cells, 1)).toEqual(grid('10:00', '12:00'));
    expect(startsOf(cells, 2)).toEqual([]);
  });

  it('when the closure is for another date, then the day is unaffected', () => {
    const cells = materializeDay(input({ resources: twoStaff, exceptions: [closed(null, '2026-12-02'), closed(2, '2026-11-30')] }));
    expect(startsOf(cells, 1)).toHaveLength(8);
    expect(startsOf(cells, 2)).toHaveLength(8);
  });

  it('when the store has special hours, then they replace the weekly hours, and inheriting resources follow them', () => {
    const cells = materializeDay(input({ exceptions: [special(null, '14:00', '16:00')] }));
    expect(startsOf(cells, 1)).toEqual(grid('14:00', '16:00'));
  });

  it('when the store has special hours on a day it is normally closed, then it opens', () => {
    const cells = materializeDay(input({ hours: [hours(null, 6, '10:00', '12:00')], exceptions: [special(null, '13:00', '14:00')] }));
    expect(startsOf(cells, 1)).toEqual(grid('13:00', '14:00'));
  });

  it('when the store has two special windows, then both are open', () => {
    const cells = materializeDay(input({ exceptions: [special(null, '09:00', '10:00'), special(null, '15:00', '15:30')] }));
    expect(startsOf(cells, 1)).toEqual([...grid('09:00', '10:00'), ...grid('15:00', '15:30')]);
  });

  it("when a resource has special hours, then they are still clipped to the store's hours", () => {
    // Arrange: store 10:00–12:00; staff 2 comes in 09:00–10:30 only.
    const cells = materializeDay(input({ resources: twoStaff, exceptions: [special(2, '09:00', '10:30')] }));

    // Assert
    expect(startsOf(cells, 2)).toEqual(grid('10:00', '10:30'));
    expect(startsOf(cells, 1)).toEqual(grid('10:00', '12:00'));
  });

  it('when a resource has both a closure and special hours, then the closure wins', () => {
    const cells = materializeDay(input({ resources: twoStaff, exceptions: [special(2, '10:00', '11:00'), closed(2)] }));
    expect(startsOf(cells, 2)).toEqual([]);
  });
});

describe('materializeDay: cell size and capacity', () => {
  it('when cells are 5 minutes, then two hours make 24 cells', () => {
    const cells = materializeDay(input({ cellMinutes: 5 }));
    expect(cells).toHaveLength(24);
    expect(startsOf(cells, 1)).toEqual(grid('10:00', '12:00', 5));
  });

  it('when hours are not on the 15-minute grid, then only whole cells inside them are open', () => {
    // 10:10–10:50: 10:15 and 10:30 fit; 10:00 starts too early, 10:45 would end at 11:00.
    const cells = materializeDay(input({ hours: [hours(null, TUESDAY, '10:10', '10:50')] }));
    expect(startsOf(cells, 1)).toEqual([at('10:15'), at('10:30')]);
  });

  it('when the same odd hours use 5-minute cells, then every 5 minutes from 10:10 to 10:45 is open', () => {
    const cells = materializeDay(input({ cellMinutes: 5, hours: [hours(null, TUESDAY, '10:10', '10:50')] }));
    expect(startsOf(cells, 1)).toEqual(grid('10:10', '10:50', 5));
  });

  it("when resources differ in capacity, then each cell carries its resource's capacity", () => {
    // Arrange: a stylist (1) and a yoga room with 12 mats.
    const cells = materializeDay(
      input({
        resources: [
          { id: 1, capacity: 1 },
          { id: 9, capacity: 12 },
        ],
      }),
    );

    // Assert
    expect(cells.filter((c) => c.resourceId === 9)).toHaveLength(8);
    expect(cells.filter((c) => c.resourceId === 9).every((c) => c.capacity === 12)).toBe(true);
    expect(cells.filter((c) => c.resourceId === 1).every((c) => c.capacity === 1)).toBe(true);
  });

  it('when the store has no resources, then there are no cells', () => {
    expect(materializeDay(input({ resources: [] }))).toEqual([]);
  });
});
