import { describe, expect, it } from 'vitest';
import { catalogOf, requirement, resource, service, storeInfo } from '../testing/catalog.ts';
import { isOnSlotGrid, planBooking } from './plan.ts';

// Runs under TZ=UTC and TZ=Asia/Shanghai with identical expectations.
const MINUTE = 60_000;
const minuteOf = (ms: number) => ms / MINUTE;

const haircut = service(101, { durationMinutes: 60, bufferAfterMinutes: 15, requirements: [requirement('staff', 'cut')] });
const hour = service(102, { durationMinutes: 60, requirements: [requirement('staff', 'cut')] });
const buffered = service(103, { durationMinutes: 30, bufferBeforeMinutes: 15, requirements: [requirement('staff', 'cut')] });
const staff = [resource(11, 'staff', ['cut'])];

describe('planBooking across local midnight (Shanghai)', () => {
  const catalog = catalogOf(storeInfo({ timezone: 'Asia/Shanghai' }), staff, [haircut, hour, buffered]);
  const now = Date.UTC(2026, 11, 1, 0, 0); // 2026-12-01 08:00 in Shanghai

  it('when a haircut with clean-up starts at 23:30, then its cells carry two local dates', () => {
    // Arrange: 23:30 local on 2026-12-02 = 15:30 UTC; occupied until 00:45 on 2026-12-03.
    const start = Date.UTC(2026, 11, 2, 15, 30);

    // Act
    const plan = planBooking(catalog, { serviceId: haircut.id, startMs: start, partySize: 1 }, now);

    // Assert
    expect(plan.localDate).toBe('2026-12-02');
    expect(plan.groups[0]!.candidates[0]!.cells).toEqual([
      { resourceId: 11, startMinute: minuteOf(start), localDate: '2026-12-02' },
      { resourceId: 11, startMinute: minuteOf(start) + 15, localDate: '2026-12-02' },
      { resourceId: 11, startMinute: minuteOf(start) + 30, localDate: '2026-12-03' },
      { resourceId: 11, startMinute: minuteOf(start) + 45, localDate: '2026-12-03' },
      { resourceId: 11, startMinute: minuteOf(start) + 60, localDate: '2026-12-03' },
    ]);
  });

  it('when an hour-long booking ends exactly at midnight, then every cell is on the same date', () => {
    const start = Date.UTC(2026, 11, 2, 15, 0); // 23:00 local
    const plan = planBooking(catalog, { serviceId: hour.id, startMs: start, partySize: 1 }, now);
    const cells = plan.groups[0]!.candidates[0]!.cells;
    expect(cells).toHaveLength(4);
    expect(cells.map((c) => c.localDate)).toEqual(['2026-12-02', '2026-12-02', '2026-12-02', '2026-12-02']);
  });

  it('when a buffer before reaches back over midnight, then the first cell belongs to the previous date', () => {
    const start = Date.UTC(2026, 11, 2, 16, 0); // 00:00 local on 2026-12-03
    const plan = planBooking(catalog, { serviceId: buffered.id, startMs: start, partySize: 1 }, now);
    expect(plan.localDate).toBe('2026-12-03');
    expect(plan.groups[0]!.candidates[0]!.cells.map((c) => c.localDate)).toEqual(['2026-12-02', '2026-12-03', '2026-12-03']);
  });
});

describe('planBooking on a Berlin DST day', () => {
  it('when an hour starts at 01:30 on 2026-03-29, then it occupies one real hour: four cells on that date', () => {
    // Arrange: 01:30 CET = 00:30 UTC; the clock jumps 02:00 → 03:00, so it ends at 03:30 CEST.
    const catalog = catalogOf(storeInfo({ timezone: 'Europe/Berlin' }), staff, [hour]);
    const start = Date.UTC(2026, 2, 29, 0, 30);

    // Act
    const plan = planBooking(catalog, { serviceId: hour.id, startMs: start, partySize: 1 }, Date.UTC(2026, 2, 27, 12, 0));

    // Assert
    expect(plan.endMs - plan.startMs).toBe(60 * MINUTE);
    expect(plan.groups[0]!.candidates[0]!.cells.map((c) => c.startMinute)).toEqual([0, 15, 30, 45].map((m) => minuteOf(start) + m));
    expect(plan.groups[0]!.candidates[0]!.cells.every((c) => c.localDate === '2026-03-29')).toBe(true);
  });
});

describe('isOnSlotGrid', () => {
  const every90 = service(201, { slotIntervalMinutes: 90 });
  const every120 = service(202, { slotIntervalMinutes: 120 });
  const every30 = service(203, { slotIntervalMinutes: 30 });

  it('when the interval is 90 minutes in Shanghai, then the grid is on local time, not UTC', () => {
    // 10:30 local (630 min) is on a 90-minute grid although 02:30 UTC (150 min) is not …
    expect(isOnSlotGrid(every90, Date.UTC(2026, 11, 2, 2, 30), 15, 'Asia/Shanghai')).toBe(true);
    // … and 11:00 local (660 min) is not, although 03:00 UTC (180 min) is.
    expect(isOnSlotGrid(every90, Date.UTC(2026, 11, 2, 3, 0), 15, 'Asia/Shanghai')).toBe(false);
  });

  it('when the zone is UTC+05:45, then 10:00 local is on both the cell grid and the slot grid', () => {
    expect(isOnSlotGrid(every30, Date.UTC(2026, 11, 2, 4, 15), 15, 'Asia/Kathmandu')).toBe(true);
    expect(isOnSlotGrid(every30, Date.UTC(2026, 11, 2, 4, 30), 15, 'Asia/Kathmandu')).toBe(false); // 10:15 local
  });

  it('when the start is not on a cell boundary, then it is off the grid whatever the local time', () => {
    expect(isOnSlotGrid(every30, Date.UTC(2026, 11, 2, 2, 0) + MINUTE, 15, 'Asia/Shanghai')).toBe(false);
    expect(isOnSlotGrid(every30, Date.UTC(2026, 11, 2, 2, 5), 15, 'Asia/Shanghai')).toBe(false);
    expect(isOnSlotGrid(service(204, { slotIntervalMinutes: 5 }), Date.UTC(2026, 11, 2, 2, 5), 5, 'Asia/Shanghai')).toBe(true);
  });

  it('when Berlin has jumped to 03:00 on 2026-03-29, then 03:00 is on a 90-minute grid', () => {
    expect(isOnSlotGrid(every90, Date.UTC(2026, 2, 29, 1, 0), 15, 'Europe/Berlin')).toBe(true);
  });

  it('when 02:00 happens twice on 2026-10-25, then both are on a 120-minute grid', () => {
    expect(isOnSlotGrid(every120, Date.UTC(2026, 9, 25, 0, 0), 15, 'Europe/Berlin')).toBe(true);
    expect(isOnSlotGrid(every120, Date.UTC(2026, 9, 25, 1, 0), 15, 'Europe/Berlin')).toBe(true);
  });
});
