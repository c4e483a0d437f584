import { describe, expect, it } from 'vitest';
import { catalogOf, requirement, resource, service, storeInfo } from '../testing/catalog.ts';
import { durationFor, durationRuns, planBooking, planGroups, planMinutes } from './plan.ts';

const MINUTE = 60_000;

/** Instant of a Shanghai wall time (UTC+8, no DST). */
function sh(date: string, hhmm: string): number {
  const [y, mo, d] = date.split('-').map(Number);
  return Date.UTC(y!, mo! - 1, d!, Number(hhmm.slice(0, 2)) - 8, Number(hhmm.slice(3)));
}

const NOW = sh('2026-12-01', '09:00');
const AT = sh('2026-12-02', '10:00');
const minuteOf = (ms: number) => ms / MINUTE;

// Senior stylist 11 cuts in 45 minutes, junior 13 in 75; 12 takes the service's 60. A wash station (room 21) follows the span.
const cut = service(201, {
  durationMinutes: 60,
  bufferAfterMinutes: 15,
  requirements: [requirement('staff', 'cut'), requirement('room')],
  durationByResource: { 11: 45, 13: 75 },
});
const plain = service(202, { durationMinutes: 60, requirements: [requirement('staff', 'cut')] });
const resources = [resource(11, 'staff', ['cut']), resource(12, 'staff', ['cut']), resource(13, 'staff', ['cut']), resource(21, 'room')];
const catalog = catalogOf(storeInfo(), resources, [cut, plain]);

const cellsOf = (groups: ReturnType<typeof planGroups>, group: number, resourceId: number) =>
  groups[group]!.candidates.find((c) => c.resourceId === resourceId)!.cells.map((c) => c.startMinute - minuteOf(AT));

describe('per-staff durations', () => {
  it('durationFor falls back to the service duration', () => {
    expect(durationFor(cut, 11)).toBe(45);
    expect(durationFor(cut, 12)).toBe(60);
    expect(durationFor(cut, undefined)).toBe(60);
    expect(durationFor(plain, 11)).toBe(60);
  });

  it('each first-requirement candidate covers its own duration (+ buffers); other requirements the default span for "any"', () => {
    const groups = planGroups(catalog, cut, AT, 1);
    expect(cellsOf(groups, 0, 11)).toEqual([0, 15, 30, 45]); // 45 + 15 buffer
    expect(cellsOf(groups, 0, 12)).toEqual([0, 15, 30, 45, 60]);
    expect(cellsOf(groups, 0, 13)).toEqual([0, 15, 30, 45, 60, 75]);
    expect(cellsOf(groups, 1, 21)).toEqual([0, 15, 30, 45, 60]);
  });

  it('a chosen staff member: their span for every requirement and the booking end', () => {
    const plan = planBooking(catalog, { serviceId: cut.id, startMs: AT, partySize: 1, resourceId: 11 }, NOW);
    expect(plan.endMs - AT).toBe(45 * MINUTE);
    expect(plan.groups[0]!.candidates.map((c) => c.resourceId)).toEqual([11]);
    expect(cellsOf(plan.groups, 0, 11)).toEqual([0, 15, 30, 45]);
    expect(cellsOf(plan.groups, 1, 21)).toEqual([0, 15, 30, 45]);
    const junior = planBooking(catalog, { serviceId: cut.id, startMs: AT, partySize: 1, resourceId: 13 }, NOW);
    expect(junior.endMs - AT).toBe(75 * MINUTE);
    expect(cellsOf(junior.groups, 1, 21)).toEqual([0, 15, 30, 45, 60, 75]);
    const regular = planBooking(catalog, { serviceId: cut.id, startMs: AT, partySize: 1, resourceId: 12 }, NOW);
    expect(regular.endMs - AT).toBe(60 * MINUTE);
  });

  it('"any" with mixed durations: runs of equal duration in candidate order, each with its own span and end', () => {
    const plan = planBooking(catalog, { serviceId: cut.id, startMs: AT, partySize: 1 }, NOW);
    expect(plan.endMs - AT).toBe(60 * MINUTE);
    const runs = durationRuns(catalog, plan, plan.groups)!;
    expect(runs.map((r) => [r.durationMinutes, r.groups[0]!.candidates.map((c) => c.resourceId)])).toEqual([
      [45, [11]],
      [60, [12]],
      [75, [13]],
    ]);
    expect(runs.map((r) => (r.endMs - AT) / MINUTE)).toEqual([45, 60, 75]);
    for (const run of runs) {
      const span = run.durationMinutes + 15;
      const expected = Array.from({ length: span / 15 }, (_, i) => i * 15);
      expect(cellsOf(run.groups, 0, run.groups[0]!.candidates[0]!.resourceId)).toEqual(expected);
      expect(cellsOf(run.groups, 1, 21)).toEqual(expected);
    }
  });

  it('runs follow the allocation order and merge consecutive equal durations', () => {
    const plan = planBooking(catalog, { serviceId: cut.id, startMs: AT, partySize: 1 }, NOW);
    const [g0, g1] = plan.groups;
    const byId = (id: number) => g0!.candidates.find((c) => c.resourceId === id)!;
    const ordered = [{ quantity: 1, candidates: [byId(13), byId(12), byId(11)] }, g1!];
    expect(durationRuns(catalog, plan, ordered)!.map((r) => r.durationMinutes)).toEqual([75, 60, 45]);
    const uniform = catalogOf(storeInfo(), resources, [{ ...cut, durationByResource: { 11: 45, 12: 45 } }]);
    const p2 = planBooking(uniform, { serviceId: cut.id, startMs: AT, partySize: 1 }, NOW);
    const runs = durationRuns(uniform, p2, p2.groups)!;
    expect(runs.map((r) => [r.durationMinutes, r.groups[0]!.candidates.map((c) => c.resourceId)])).toEqual([
      [45, [11, 12]],
      [60, [13]],
    ]);
  });

  it('no overrides, or all candidates agreeing: one plan, no runs', () => {
    const plan = planBooking(catalog, { serviceId: plain.id, startMs: AT, partySize: 1 }, NOW);
    expect(durationRuns(catalog, plan, plan.groups)).toBeNull();
    expect(plan.endMs - AT).toBe(60 * MINUTE);
    const allFast = catalogOf(storeInfo(), resources, [{ ...cut, durationByResource: { 11: 30, 12: 30, 13: 30 } }]);
    const p = planBooking(allFast, { serviceId: cut.id, startMs: AT, partySize: 1 }, NOW);
    expect(durationRuns(allFast, p, p.groups)).toBeNull();
    expect(planMinutes(allFast, allFast.services.get(cut.id)!, 1, p.groups)).toBe(30);
    expect(p.endMs - AT).toBe(30 * MINUTE);
  });
});
