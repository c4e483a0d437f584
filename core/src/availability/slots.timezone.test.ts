import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResourceDef, ServiceDef, StoreCatalog } from '../catalog/types.ts';
import { type DateException, materializeDay } from '../inventory/build-cells.ts';
import { cellField } from '../inventory/cells.ts';
import { isOnSlotGrid, planBooking } from '../inventory/plan.ts';
import { catalogOf, requirement, resource, service, storeInfo } from '../testing/catalog.ts';
import { addDays, localDateOf, localTimeOf, zonedToInstant } from '../time/zoned.ts';
import { type AvailabilityQuery, type CellState, computeSlots, datesTouched, plannedSlots, slotStartsForDay } from './slots.ts';

// Runs under TZ=UTC and TZ=Asia/Shanghai with identical expectations.
const MINUTE = 60_000;

/** Instant of a Shanghai wall time (UTC+8, no DST), worked out by hand. */
function sh(date: string, hhmm: string): number {
  const [y, mo, d] = date.split('-').map(Number);
  return Date.UTC(y!, mo! - 1, d!, Number(hhmm.slice(0, 2)) - 8, Number(hhmm.slice(3)));
}

const haircut = service(101, { durationMinutes: 60, bufferAfterMinutes: 15, slotIntervalMinutes: 30, minNoticeMinutes: 60, requirements: [requirement('staff', 'cut')] });
const quick = service(102, { durationMinutes: 30, slotIntervalMinutes: 30, requirements: [requirement('staff', 'cut')] });
const staff = [resource(11, 'staff', ['cut']), resource(12, 'staff', ['cut'])];
const salon = catalogOf(storeInfo({ timezone: 'Asia/Shanghai', horizonDays: 14 }), staff, [haircut, quick]);
const NOW = sh('2026-12-01', '09:00');

const query = (localDate: string, overrides: Partial<AvailabilityQuery> = {}): AvailabilityQuery => ({ catalog: salon, service: haircut, localDate, nowMs: NOW, ...overrides });

describe('plannedSlots', () => {
  it('when the day is today, then slots start at the end of the 60-minute notice and run every 30 minutes to 23:30', () => {
    // Act
    const starts = plannedSlots(query('2026-12-01')).map((s) => s.startMs);

    // Assert: 10:00 … 23:30 is 28 slots.
    expect(starts).toHaveLength(28);
    expect(starts[0]).toBe(sh('2026-12-01', '10:00'));
    expect(starts.at(-1)).toBe(sh('2026-12-01', '23:30'));
  });

  it('when the day is tomorrow, then all 48 half-hour slots are planned', () => {
    const starts = plannedSlots(query('2026-12-02')).map((s) => s.startMs);
    expect(starts).toHaveLength(48);
    expect(starts[0]).toBe(sh('2026-12-02', '00:00'));
  });

  it('when the day holds the 14-day horizon, then only slots before 09:00 (now + 14 days) remain', () => {
    const starts = plannedSlots(query('2026-12-15')).map((s) => s.startMs);
    expect(starts).toHaveLength(18);
    expect(starts.at(-1)).toBe(sh('2026-12-15', '08:30'));
  });

  it('when the day is past or beyond the horizon, then there are no slots', () => {
    expect(plannedSlots(query('2026-11-30'))).toEqual([]);
    expect(plannedSlots(query('2026-12-16'))).toEqual([]);
  });

  it('when slots are planned, then each has the groups of a one-person booking', () => {
    const [first] = plannedSlots(query('2026-12-02'));
    expect(first!.groups).toHaveLength(1);
    expect(first!.groups[0]!.quantity).toBe(1);
    expect(first!.groups[0]!.candidates.map((c) => c.resourceId)).toEqual([11, 12]);
    expect(first!.groups[0]!.candidates[0]!.cells).toHaveLength(5);
  });

  it('when the customer asks for stylist 12, then every slot has only that candidate', () => {
    const slots = plannedSlots(query('2026-12-02', { resourceId: 12 }));
    expect(slots.every((s) => s.groups[0]!.candidates.length === 1 && s.groups[0]!.candidates[0]!.resourceId === 12)).toBe(true);
  });
});

describe('datesTouched', () => {
  it('when late slots run past midnight, then the next date is touched too', () => {
    expect(datesTouched(plannedSlots(query('2026-12-02')))).toEqual(['2026-12-02', '2026-12-03']);
  });

  it('when the last slot ends exactly at midnight, then only the day itself is touched', () => {
    expect(datesTouched(plannedSlots(query('2026-12-02', { service: quick })))).toEqual(['2026-12-02']);
  });

  it('when nothing is planned, then nothing is touched', () => {
    expect(datesTouched([])).toEqual([]);
  });
});

/** The day's inventory as materialized, in memory, with a way to book cells. */
function materialized(catalog: StoreCatalog, localDate: string, weekday: number, open: number, close: number, exceptions: DateException[] = []) {
  const cells = new Map<string, CellState>();
  for (const c of materializeDay({
    localDate,
    timeZone: catalog.store.timezone,
    cellMinutes: catalog.store.cellMinutes,
    resources: catalog.resources,
    hours: [{ resourceId: null, weekday, openMinute: open, closeMinute: close }],
    exceptions,
  })) {
    cells.set(`${localDate}|${cellField(c.resourceId, c.startMinute)}`, { capacity: c.capacity, booked: 0 });
  }
  return {
    lookup: (date: string, field: string) => cells.get(`${date}|${field}`),
    book(resourceId: number, startMs: number, minutes: number) {
      for (let m = startMs / MINUTE; m < startMs / MINUTE + minutes; m += 15) cells.get(`${localDate}|${cellField(resourceId, m)}`)!.booked += 1;
    },
  };
}

describe('computeSlots with a materialized day (Shanghai, 2026-12-02 is a Wednesday)', () => {
  const q = query('2026-12-02');

  it('when the store is open 10:00–12:00 and nothing is booked, then 10:00 and 10:30 are offered to two stylists', () => {
    // Arrange: a haircut occupies 75 minutes, so 11:00 would need the 12:00 cell.
    const day = materialized(salon, '2026-12-02', 3, 600, 720);

    // Act
    const slots = computeSlots(q, plannedSlots(q), day.lookup);

    // Assert
    expect(slots).toEqual([
      {
        startMs: sh('2026-12-02', '10:00'),
        endMs: sh('2026-12-02', '11:00'),
        localTime: '10:00',
        remaining: 2,
        resources: [
          { resourceId: 11, remaining: 1 },
          { resourceId: 12, remaining: 1 },
        ],
      },
      {
        startMs: sh('2026-12-02', '10:30'),
        endMs: sh('2026-12-02', '11:30'),
        localTime: '10:30',
        remaining: 2,
        resources: [
          { resourceId: 11, remaining: 1 },
          { resourceId: 12, remaining: 1 },
        ],
      },
    ]);
  });

  it('when stylist 11 is booked at 10:00, then both slots have one place left, with 12', () => {
    const day = materialized(salon, '2026-12-02', 3, 600, 720);
    day.book(11, sh('2026-12-02', '10:00'), 75);

    const slots = computeSlots(q, plannedSlots(q), day.lookup);

    expect(slots.map((s) => s.remaining)).toEqual([1, 1]);
    expect(slots[0]!.resources).toEqual([
      { resourceId: 11, remaining: 0 },
      { resourceId: 12, remaining: 1 },
    ]);
  });

  it('when both stylists are booked, then the slots are still listed, as full', () => {
    const day = materialized(salon, '2026-12-02', 3, 600, 720);
    day.book(11, sh('2026-12-02', '10:00'), 75);
    day.book(12, sh('2026-12-02', '10:30'), 75);

    const slots = computeSlots(q, plannedSlots(q), day.lookup);

    expect(slots.map((s) => [s.localTime, s.remaining])).toEqual([
      ['10:00', 0],
      ['10:30', 0],
    ]);
  });

  it('when the store is closed that day, then no slot is listed', () => {
    const day = materialized(salon, '2026-12-02', 3, 600, 720, [{ resourceId: null, localDate: '2026-12-02', closed: true, openMinute: null, closeMinute: null }]);
    expect(computeSlots(q, plannedSlots(q), day.lookup)).toEqual([]);
  });
});

describe('slots on Berlin DST days', () => {
  const berlin = (svc: ServiceDef, resources: ResourceDef[] = staff) => catalogOf(storeInfo({ timezone: 'Europe/Berlin', horizonDays: 30 }), resources, [svc]);
  const every90 = service(201, { durationMinutes: 60, slotIntervalMinutes: 90, requirements: [requirement('staff', 'cut')] });
  const localTimes = (starts: number[]) => starts.map((t) => localTimeOf(t, 'Europe/Berlin'));

  it('when the interval is 90 minutes on the 23-hour day, then every offered slot is on the local grid and can be booked', () => {
    // Arrange
    const catalog = berlin(every90);
    const q: AvailabilityQuery = { catalog, service: every90, localDate: '2026-03-29', nowMs: Date.UTC(2026, 2, 20) };
    const day = materialized(catalog, '2026-03-29', 7, 0, 24 * 60);

    // Act
    const slots = computeSlots(q, plannedSlots(q), day.lookup);

    // Assert: 00:00, 01:30, then (no 02:xx exists) 03:00 … 22:30.
    expect(slots.map((s) => s.localTime)).toEqual(['00:00', '01:30', '03:00', '04:30', '06:00', '07:30', '09:00', '10:30', '12:00', '13:30', '15:00', '16:30', '18:00', '19:30', '21:00', '22:30']);
    for (const slot of slots) {
      expect(isOnSlotGrid(every90, slot.startMs, 15, 'Europe/Berlin')).toBe(true);
      expect(planBooking(catalog, { serviceId: every90.id, startMs: slot.startMs, partySize: 1 }, q.nowMs).startMs).toBe(slot.startMs);
    }
  });

  it('when the interval is 90 minutes on the 25-hour day, then the grid is 00:00, 01:30, 03:00 … as on any day', () => {
    const starts = slotStartsForDay(every90, 'Europe/Berlin', '2026-10-25');
    expect(localTimes(starts)).toEqual(['00:00', '01:30', '03:00', '04:30', '06:00', '07:30', '09:00', '10:30', '12:00', '13:30', '15:00', '16:30', '18:00', '19:30', '21:00', '22:30']);
  });

  it('when the interval is 120 minutes on the 25-hour day, then 02:00 is offered twice (CEST and CET)', () => {
    const starts = slotStartsForDay(service(202, { slotIntervalMinutes: 120 }), 'Europe/Berlin', '2026-10-25');
    expect(localTimes(starts)).toEqual(['00:00', '02:00', '02:00', '04:00', '06:00', '08:00', '10:00', '12:00', '14:00', '16:00', '18:00', '20:00', '22:00']);
    expect(starts[2]! - starts[1]!).toBe(60 * MINUTE);
  });

  it('when the interval is 60 minutes, then the 23-hour day has 23 slots and the 25-hour day 25', () => {
    const hourly = service(203, { slotIntervalMinutes: 60 });
    expect(slotStartsForDay(hourly, 'Europe/Berlin', '2026-03-29')).toHaveLength(23);
    expect(slotStartsForDay(hourly, 'Europe/Berlin', '2026-10-25')).toHaveLength(25);
    expect(localTimes(slotStartsForDay(hourly, 'Europe/Berlin', '2026-03-29'))).not.toContain('02:00');
  });

  it('when the interval is 30 minutes on the 23-hour day, then 46 slots follow each other every half hour', () => {
    const starts = slotStartsForDay(service(204, { slotIntervalMinutes: 30 }), 'Europe/Berlin', '2026-03-29');
    expect(starts).toHaveLength(46);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(30 * MINUTE);
  });

  it('property: every slot start is on the local grid of that date, and every grid time that exists is offered', () => {
    // Half the runs land on a DST day of one of the zones (EU, US, Australia), the rest anywhere in 2026–2027.
    const dstDays = ['2026-03-29', '2026-10-25', '2026-03-08', '2026-11-01', '2026-04-05', '2026-10-04'];
    const dateArb = fc.oneof(fc.constantFrom(...dstDays), fc.integer({ min: 0, max: 730 }).map((n) => addDays('2026-01-01', n)));
    const zoneArb = fc.constantFrom('Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kathmandu');
    const intervalArb = fc.constantFrom(5, 15, 30, 45, 60, 90, 120);
    fc.assert(
      fc.property(dateArb, zoneArb, intervalArb, (date, zone, interval) => {
        const svc = service(1, { slotIntervalMinutes: interval });
        const starts = slotStartsForDay(svc, zone, date);
        for (let i = 1; i < starts.length; i++) expect(starts[i]!).toBeGreaterThan(starts[i - 1]!);
        for (const t of starts) {
          expect(localDateOf(t, zone)).toBe(date);
          expect(isOnSlotGrid(svc, t, interval % 15 === 0 ? 15 : 5, zone)).toBe(true);
        }
        for (let m = 0; m < 24 * 60; m += interval) {
          const t = zonedToInstant(date, m, zone);
          const wall = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          if (localTimeOf(t, zone) === wall) expect(starts).toContain(t); // skipped only if the wall time does not exist
        }
      }),
      { numRuns: 200 },
    );
  });
});
