import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResourceDef, ServiceDef } from '../catalog/types.ts';
import { cellField } from '../inventory/cells.ts';
import type { CandidatePlan, GroupPlan } from '../inventory/plan.ts';
import { catalogOf, requirement, resource, service, storeInfo } from '../testing/catalog.ts';
import { type CellState, type InventoryLookup, computeSlots, evaluateSlot, plannedSlots } from './slots.ts';

const DATE = '2026-12-02';
const M0 = Date.UTC(2026, 11, 2, 2, 0) / 60_000; // an epoch minute on the grid

function candidate(resourceId: number, offsets: number[]): CandidatePlan {
  return { resourceId, cells: offsets.map((o) => ({ resourceId, startMinute: M0 + o, localDate: DATE })) };
}

/** In-memory inventory: `[resourceId, offset, capacity, booked]` rows; any cell not listed is closed. */
function inventory(rows: [number, number, number, number][]): InventoryLookup {
  const cells = new Map<string, CellState>(rows.map(([r, o, capacity, booked]) => [`${DATE}|${cellField(r, M0 + o)}`, { capacity, booked }]));
  return (localDate, field) => cells.get(`${localDate}|${field}`);
}

describe('evaluateSlot', () => {
  it('when every cell of the only candidate is free, then the slot has its capacity remaining', () => {
    // Arrange
    const groups: GroupPlan[] = [{ quantity: 1, candidates: [candidate(1, [0, 15])] }];
    const lookup = inventory([
      [1, 0, 1, 0],
      [1, 15, 1, 0],
    ]);

    // Act / Assert
    expect(evaluateSlot(groups, lookup)).toEqual({ remaining: 1, resources: [{ resourceId: 1, remaining: 1 }] });
  });

  it('when a cell of the only candidate does not exist, then the slot is closed (null), not full', () => {
    const groups: GroupPlan[] = [{ quantity: 1, candidates: [candidate(1, [0, 15])] }];
    expect(evaluateSlot(groups, inventory([[1, 0, 1, 0]]))).toBeNull();
  });

  it('when the cells exist but are booked up, then the slot is full (remaining 0), not closed', () => {
    const groups: GroupPlan[] = [{ quantity: 1, candidates: [candidate(1, [0, 15])] }];
    const lookup = inventory([
      [1, 0, 1, 0],
      [1, 15, 1, 1],
    ]);
    expect(evaluateSlot(groups, lookup)).toEqual({ remaining: 0, resources: [{ resourceId: 1, remaining: 0 }] });
  });

  it('when cells have different room, then a candidate offers only what its tightest cell has', () => {
    const groups: GroupPlan[] = [{ quantity: 1, candidates: [candidate(9, [0, 15, 30])] }];
    const lookup = inventory([
      [9, 0, 10, 7],
      [9, 15, 10, 9],
      [9, 30, 10, 8],
    ]);
    expect(evaluateSlot(groups, lookup)?.remaining).toBe(1);
  });

  it('when a group has several candidates, then their units are summed', () => {
    const groups: GroupPlan[] = [{ quantity: 1, candidates: [candidate(1, [0]), candidate(2, [0]), candidate(3, [0])] }];
    const lookup = inventory([
      [1, 0, 1, 0],
      [2, 0, 3, 1],
      [3, 0, 1, 1],
    ]);
    expect(evaluateSlot(groups, lookup)).toEqual({
      remaining: 3,
      resources: [
        { resourceId: 1, remaining: 1 },
        { resourceId: 2, remaining: 2 },
        { resourceId: 3, remaining: 0 },
      ],
    });
  });

  it('when one candidate is closed and another open, then the slot is open and only the open one is listed', () => {
    const groups: GroupPlan[] = [{ quantity: 1, candidates: [candidate(1, [0]), candidate(2, [0])] }];
    expect(evaluateSlot(groups, inventory([[2, 0, 1, 0]]))).toEqual({ remaining: 1, resources: [{ resourceId: 2, remaining: 1 }] });
  });

  it('when there are several groups, then the slot has the minimum over groups, and resources describe the first group', () => {
    // Arrange: two colourists free (group 0 = 2), one room free (group 1 = 1).
    const groups: GroupPlan[] = [
      { quantity: 1, candidates: [candidate(11, [0]), candidate(13, [0])] },
      { quantity: 1, candidates: [candidate(21, [0]), candidate(22, [0])] },
    ];
    const lookup = inventory([
      [11, 0, 1, 0],
      [13, 0, 1, 0],
      [21, 0, 1, 1],
      [22, 0, 1, 0],
    ]);

    // Act
    const result = evaluateSlot(groups, lookup);

    // Assert
    expect(result).toEqual({
      remaining: 1,
      resources: [
        { resourceId: 11, remaining: 1 },
        { resourceId: 13, remaining: 1 },
      ],
    });
  });

  it('when a later group is entirely closed, then the whole slot is closed', () => {
    const groups: GroupPlan[] = [
      { quantity: 1, candidates: [candidate(11, [0])] },
      { quantity: 1, candidates: [candidate(21, [0])] },
    ];
    expect(evaluateSlot(groups, inventory([[11, 0, 1, 0]]))).toBeNull();
  });

  it('when the quantity is 3 and 7 places are free, then two more bookings fit (rounded down)', () => {
    const groups: GroupPlan[] = [{ quantity: 3, candidates: [candidate(22, [0, 15])] }];
    const lookup = inventory([
      [22, 0, 12, 5],
      [22, 15, 12, 4],
    ]);
    expect(evaluateSlot(groups, lookup)?.remaining).toBe(2);
  });

  it('when more is booked than the capacity (capacity was lowered), then remaining is 0, never negative', () => {
    const groups: GroupPlan[] = [{ quantity: 1, candidates: [candidate(22, [0])] }];
    expect(evaluateSlot(groups, inventory([[22, 0, 2, 5]]))?.remaining).toBe(0);
  });

  it('when a group has no candidates at all, then the slot is closed', () => {
    expect(evaluateSlot([{ quantity: 1, candidates: [] }], inventory([]))).toBeNull();
  });
});

describe('computeSlots: property over random inventories', () => {
  const kinds = ['staff', 'room'] as const;
  const resourcesArb = fc
    .uniqueArray(
      fc.record({ id: fc.integer({ min: 1, max: 9 }), kind: fc.constantFrom(...kinds), skills: fc.subarray(['a', 'b']), capacity: fc.integer({ min: 1, max: 4 }) }),
      { minLength: 1, maxLength: 5, selector: (r) => r.id },
    )
    .map((rs) => rs.map((r): ResourceDef => resource(r.id, r.kind, r.skills, r.capacity)));
  const serviceArb = fc
    .record({
      durationMinutes: fc.constantFrom(15, 30, 45, 60),
      bufferBeforeMinutes: fc.constantFrom(0, 15),
      bufferAfterMinutes: fc.constantFrom(0, 15),
      slotIntervalMinutes: fc.constantFrom(15, 30, 60),
      requirements: fc.array(
        fc.record({ kind: fc.constantFrom(...kinds), skill: fc.constantFrom(null, 'a', 'b'), quantity: fc.integer({ min: 1, max: 3 }), perPerson: fc.boolean() }),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map((s): ServiceDef => service(1, { ...s, requirements: s.requirements.map((r) => requirement(r.kind, r.skill, r.quantity, r.perPerson)) }));
  // Per resource, 104 quarter-hour cells from 15 minutes before the local day; undefined = closed.
  const cellArb = fc.option(
    fc.integer({ min: 0, max: 4 }).chain((capacity) => fc.record({ capacity: fc.constant(capacity), booked: fc.integer({ min: 0, max: capacity + 1 }) })),
    { nil: undefined, freq: 5 },
  );
  const statesArb = fc.array(fc.array(cellArb, { minLength: 104, maxLength: 104 }), { minLength: 9, maxLength: 9 });

  it('property: a slot with remaining ≥ 1 has, in every group, a candidate whose every cell has free ≥ quantity, and vice versa', () => {
    const store = storeInfo({ timezone: 'Asia/Shanghai', horizonDays: 30 });
    const base = Date.UTC(2026, 11, 1, 16, 0) / 60_000 - 15; // 15 minutes before 2026-12-02 00:00 in Shanghai
    fc.assert(
      fc.property(resourcesArb, serviceArb, statesArb, (resources, svc, states) => {
        // Arrange
        const state = (resourceId: number, startMinute: number) => states[resourceId - 1]![(startMinute - base) / 15];
        const lookup: InventoryLookup = (_date, field) => {
          const [r, m] = field.split(':').map(Number);
          return state(r!, m!);
        };
        const query = { catalog: catalogOf(store, resources, [svc]), service: svc, localDate: DATE, nowMs: Date.UTC(2026, 10, 1) };

        // Act
        const planned = plannedSlots(query);
        const slots = computeSlots(query, planned, lookup);

        // Assert (the oracle reads the cells directly)
        const byStart = new Map(slots.map((s) => [s.startMs, s]));
        for (const { startMs, groups } of planned) {
          const allOpen = (c: CandidatePlan) => c.cells.every((cell) => state(cell.resourceId, cell.startMinute) !== undefined);
          const fits = (c: CandidatePlan, quantity: number) =>
            c.cells.every((cell) => {
              const s = state(cell.resourceId, cell.startMinute);
              return s !== undefined && s.capacity - s.booked >= quantity;
            });
          const closed = groups.some((g) => !g.candidates.some(allOpen));
          const bookable = groups.every((g) => g.candidates.some((c) => fits(c, g.quantity)));
          const slot = byStart.get(startMs);
          expect(slot === undefined).toBe(closed);
          if (slot) {
            expect(slot.remaining >= 1).toBe(bookable);
            expect(slot.resources.map((r) => r.resourceId)).toEqual(groups[0]!.candidates.filter(allOpen).map((c) => c.resourceId));
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
