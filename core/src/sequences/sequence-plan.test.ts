import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../errors.ts';
import { catalogOf, requirement, resource, service, storeInfo } from '../testing/catalog.ts';
import { planSequence } from './sequence-plan.ts';

const MINUTE = 60_000;

/** Instant of a Shanghai wall time (UTC+8, no DST). */
function sh(date: string, hhmm: string): number {
  const [y, mo, d] = date.split('-').map(Number);
  return Date.UTC(y!, mo! - 1, d!, Number(hhmm.slice(0, 2)) - 8, Number(hhmm.slice(3)));
}

const NOW = sh('2026-12-01', '09:00');
const AT_10 = sh('2026-12-02', '10:00');

const haircut = service(101, { durationMinutes: 60, bufferAfterMinutes: 10, priceFen: 8800, requirements: [requirement('staff', 'cut')] });
const colour = service(102, { durationMinutes: 90, priceFen: 30_000, requirements: [requirement('staff', 'color'), requirement('room')] });
const massage = service(103, { durationMinutes: 30, bufferBeforeMinutes: 15, priceFen: 5000, requirements: [requirement('staff', 'massage')] });
const twoStaff = service(104, { requirements: [requirement('staff'), requirement('staff')] });

const resources = [resource(11, 'staff', ['cut', 'color']), resource(12, 'staff', ['cut']), resource(13, 'staff', ['color', 'massage']), resource(21, 'room')];
const catalog = catalogOf(storeInfo(), resources, [haircut, colour, massage, twoStaff]);

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('planSequence', () => {
  it('when steps follow each other, then step i starts after step i−1 and its buffer, rounded up to the cell grid, and price and span add up', () => {
    const plan = planSequence(catalog, { startMs: AT_10, steps: [{ serviceId: 101 }, { serviceId: 102 }, { serviceId: 103 }], sameStaff: false }, NOW);
    // 10:00–11:00 + 10 min buffer → 11:10 → next cell 11:15; colour 11:15–12:45; massage: 12:45 + 15 before → 13:00–13:30.
    expect(plan.steps.map((s) => [s.startMs, s.endMs])).toEqual([
      [AT_10, AT_10 + 60 * MINUTE],
      [AT_10 + 75 * MINUTE, AT_10 + 165 * MINUTE],
      [AT_10 + 180 * MINUTE, AT_10 + 210 * MINUTE],
    ]);
    expect([plan.startMs, plan.endMs, plan.priceFen, plan.serviceId]).toEqual([AT_10, AT_10 + 210 * MINUTE, 8800 + 30_000 + 5000, 101]);
    // Union of the steps' groups: haircut staff, colour staff + room, massage staff.
    expect(plan.groups.map((g) => g.candidates.map((c) => c.resourceId))).toEqual([[11, 12], [11, 13], [21], [13]]);
    // The colour step's room cells lie at the colour step's own time.
    const roomCells = plan.groups[2]!.candidates[0]!.cells.map((c) => c.startMinute * MINUTE);
    expect([roomCells[0], roomCells.at(-1)]).toEqual([AT_10 + 75 * MINUTE, AT_10 + 150 * MINUTE]);
  });

  it('when sameStaff, then one group offers only people able to do every step, each with the cells of all steps', () => {
    const plan = planSequence(catalog, { startMs: AT_10, steps: [{ serviceId: 101 }, { serviceId: 102 }], sameStaff: true }, NOW);
    expect(plan.groups.map((g) => g.candidates.map((c) => c.resourceId))).toEqual([[11], [21]]);
    const cells = plan.groups[0]!.candidates[0]!.cells;
    // 60 + 10 buffer → 5 cells (rounded to 75 min), then 90 min = 6 cells: disjoint, none listed twice.
    expect(cells).toHaveLength(5 + 6);
    expect(new Set(cells.map((c) => c.startMinute)).size).toBe(cells.length);
  });

  it('when sameStaff and nobody can do every step, or a step needs two staff, or chosen staff differ, then it is refused', () => {
    expect(refusal(() => planSequence(catalog, { startMs: AT_10, steps: [{ serviceId: 101 }, { serviceId: 103 }], sameStaff: true }, NOW)).code).toBe('SEQUENCE_NO_COMMON_STAFF');
    expect(refusal(() => planSequence(catalog, { startMs: AT_10, steps: [{ serviceId: 101 }, { serviceId: 104 }], sameStaff: true }, NOW)).code).toBe('SEQUENCE_STAFF_MISMATCH');
    expect(
      refusal(() => planSequence(catalog, { startMs: AT_10, steps: [{ serviceId: 101, resourceId: 11 }, { serviceId: 102, resourceId: 13 }], sameStaff: true }, NOW)).code,
    ).toBe('SEQUENCE_STAFF_MISMATCH');
  });

  it('when a step names its staff, then only that person is offered for the step', () => {
    const plan = planSequence(catalog, { startMs: AT_10, steps: [{ serviceId: 101, resourceId: 12 }, { serviceId: 102, resourceId: 13 }], sameStaff: false }, NOW);
    expect(plan.groups.map((g) => g.candidates.map((c) => c.resourceId))).toEqual([[12], [13], [21]]);
    expect(refusal(() => planSequence(catalog, { startMs: AT_10, steps: [{ serviceId: 101, resourceId: 13 }, { serviceId: 102 }], sameStaff: false }, NOW)).code).toBe('RESOURCE_NOT_FOUND');
  });

  it('when the first start is off the grid, a service is unknown or there is one step, then it is refused before anything is planned', () => {
    expect(refusal(() => planSequence(catalog, { startMs: AT_10 + 5 * MINUTE, steps: [{ serviceId: 101 }, { serviceId: 102 }], sameStaff: false }, NOW)).code).toBe('SLOT_MISALIGNED');
    expect(refusal(() => planSequence(catalog, { startMs: AT_10, steps: [{ serviceId: 101 }, { serviceId: 999 }], sameStaff: false }, NOW)).code).toBe('SERVICE_NOT_FOUND');
    expect(refusal(() => planSequence(catalog, { startMs: AT_10, steps: [{ serviceId: 101 }], sameStaff: false }, NOW)).code).toBe('SEQUENCE_INVALID');
  });
});
