import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoreCatalog } from '../catalog/types.ts';
import type { CellState } from '../availability/slots.ts';
import { computeSlots, plannedSlots } from '../availability/slots.ts';
import { cellField } from '../inventory/cells.ts';
import { type GroupPlan, planBooking, planGroups } from '../inventory/plan.ts';
import { catalogOf, requirement, resource, service, storeInfo } from '../testing/catalog.ts';
import { INDUSTRY_TEMPLATES } from '../templates/index.ts';
import { tableSlot } from './availability.ts';
import { resolveTemplateTableMode } from './template.ts';
import { PACING_SKILL, TABLE_SKILL, type TableMode, TableModeSchema, seatsOf, tableModeProblems, tableOptions, turnMinutes } from './table-mode.ts';

const MINUTE = 60_000;
/** Instant of a Shanghai wall time (UTC+8, no DST). */
function sh(date: string, hhmm: string): number {
  const [y, mo, d] = date.split('-').map(Number);
  return Date.UTC(y!, mo! - 1, d!, Number(hhmm.slice(0, 2)) - 8, Number(hhmm.slice(3)));
}
const NOW = sh('2026-12-01', '09:00');
const DINNER = sh('2026-12-02', '18:00');

// 2-tops 1–4 (1–2 seats), 4-tops 5–8 (3–4), 6-tops 9–10 (5–6), pacing 99.
const mode: TableMode = {
  tables: [
    ...[1, 2, 3, 4].map((id) => ({ resourceId: id, minSeats: 1, maxSeats: 2 })),
    ...[5, 6, 7, 8].map((id) => ({ resourceId: id, minSeats: 3, maxSeats: 4 })),
    { resourceId: 9, minSeats: 5, maxSeats: 6 },
    { resourceId: 10, minSeats: 5, maxSeats: 6 },
  ],
  combinations: [
    { resourceIds: [2, 1], minSeats: 3, maxSeats: 4 },
    { resourceIds: [5, 6], minSeats: 7, maxSeats: 8 },
    { resourceIds: [9, 10], minSeats: 9, maxSeats: 12 },
  ],
  turnTimes: [
    { maxParty: 2, minutes: 90 },
    { maxParty: 4, minutes: 105 },
    { maxParty: 8, minutes: 120 },
  ],
  maxExtraSeats: 2,
  pacing: { resourceId: 99, maxCovers: 8 },
};
const dineIn = service(201, { name: '堂食', durationMinutes: 90, bufferAfterMinutes: 15, slotIntervalMinutes: 15, maxPartySize: 12, requirements: [requirement('room', TABLE_SKILL)] });
const privateRoom = service(202, { durationMinutes: 150, slotIntervalMinutes: 30, maxPartySize: 10, requirements: [requirement('room', 'private')] });
const tableResources = [...Array.from({ length: 10 }, (_, i) => resource(i + 1, 'room', [TABLE_SKILL])), resource(50, 'room', ['private']), resource(99, 'equipment', [PACING_SKILL], 8)];

function restaurant(overrides: Partial<TableMode> = {}, cellMinutes = 15): StoreCatalog {
  return { ...catalogOf(storeInfo({ industry: 'restaurant', cellMinutes }), tableResources, [dineIn, privateRoom]), tableMode: { ...mode, ...overrides } };
}

const tablesOf = (group: GroupPlan) => group.candidates.map((c) => [...new Set(c.cells.map((cell) => cell.resourceId))]);

describe('table choice by party size', () => {
  it('when a couple books, then only 2-tops are candidates, smallest id first', () => {
    const [tables] = planGroups(restaurant(), dineIn, DINNER, 2);
    expect(tablesOf(tables!)).toEqual([[1], [2], [3], [4]]);
  });

  it('when three book, then the 4-tops come first and the 2+2 combination only after every 4-top (used only when needed)', () => {
    const [tables] = planGroups(restaurant(), dineIn, DINNER, 3);
    expect(tablesOf(tables!)).toEqual([[5], [6], [7], [8], [1, 2]]);
  });

  it('when seven book, then the combination is one candidate holding every cell of both tables (all or nothing in reserve.lua)', () => {
    const [tables] = planGroups(restaurant(), dineIn, DINNER, 7);
    expect(tables!.candidates).toHaveLength(1);
    const [combo] = tables!.candidates;
    expect(combo!.resourceId).toBe(5);
    // 120 min turn + 15 min buffer = 9 cells of 15 minutes, on each of the two tables.
    expect(combo!.cells.filter((c) => c.resourceId === 5)).toHaveLength(9);
    expect(combo!.cells.filter((c) => c.resourceId === 6)).toHaveLength(9);
  });

  it('when a table would leave more empty seats than the allowance while a tighter one fits, then it is never offered', () => {
    const loose: TableMode = { ...mode, tables: [{ resourceId: 1, minSeats: 1, maxSeats: 2 }, { resourceId: 9, minSeats: 1, maxSeats: 6 }], combinations: [] };
    expect(tableOptions(loose, 2).map((o) => o.resourceIds)).toEqual([[1]]);
    // Only the big table seats five: it is offered although it is not "tight".
    expect(tableOptions(loose, 5).map((o) => o.resourceIds)).toEqual([[9]]);
    // A larger allowance lets the 6-top take a couple once the 2-top is gone.
    expect(tableOptions({ ...loose, maxExtraSeats: 4 }, 2).map((o) => o.resourceIds)).toEqual([[1], [9]]);
  });

  it('when a party no table or combination seats books, then planning refuses it as unavailable', () => {
    const catalog = restaurant({ combinations: [] });
    expect(() => planBooking(catalog, { serviceId: dineIn.id, startMs: DINNER, partySize: 8 }, NOW)).toThrowError(expect.objectContaining({ code: 'SLOT_UNAVAILABLE' }));
  });

  it('when the customer names a table, then that table (or the smallest combination with it) is the only candidate', () => {
    const plan = planBooking(restaurant(), { serviceId: dineIn.id, startMs: DINNER, partySize: 3, resourceId: 2 }, NOW);
    expect(plan.groups[0]!.candidates.map((c) => c.resourceId)).toEqual([2]);
    expect(tablesOf(plan.groups[0]!)).toEqual([[2, 1]]);
  });

  it('when a table is closed (inactive), then no option uses it', () => {
    const catalog = { ...restaurant(), resources: tableResources.filter((r) => r.id !== 6) };
    expect(tablesOf(planGroups(catalog, dineIn, DINNER, 7)[0]!)).toEqual([]);
  });
});

describe('turn times', () => {
  it('when parties of 2, 4, 5 and 12 book, then they stay 90, 105, 120 and 120 minutes', () => {
    expect([2, 4, 5, 12].map((p) => turnMinutes(mode, p))).toEqual([90, 105, 120, 120]);
    const catalog = restaurant();
    for (const [party, minutes] of [[2, 90], [4, 105], [6, 120]] as const) {
      const plan = planBooking(catalog, { serviceId: dineIn.id, startMs: DINNER, partySize: party }, NOW);
      expect(plan.endMs - plan.startMs).toBe(minutes * MINUTE);
      expect(plan.groups[0]!.candidates[0]!.cells).toHaveLength((minutes + 15) / 15);
    }
  });

  it('when the service is not a table service, then its own duration and requirements apply unchanged', () => {
    const plan = planBooking(restaurant(), { serviceId: privateRoom.id, startMs: DINNER, partySize: 8 }, NOW);
    expect(plan.endMs - plan.startMs).toBe(150 * MINUTE);
    expect(plan.groups).toHaveLength(1);
  });
});

describe('pacing', () => {
  it('when a party books, then pacing takes one unit per guest on the arrival cell only, not the whole meal', () => {
    const [, pacing] = planGroups(restaurant(), dineIn, DINNER, 5);
    expect(pacing!.quantity).toBe(5);
    expect(pacing!.candidates.map((c) => c.cells)).toEqual([[{ resourceId: 99, startMinute: DINNER / MINUTE, localDate: '2026-12-02' }]]);
  });

  it('when cells are 5 minutes, then every arrival of one 15-minute window claims the window’s first cell', () => {
    const catalog = restaurant({}, 5);
    for (const offset of [0, 5, 10]) {
      const [, pacing] = planGroups(catalog, dineIn, DINNER + offset * MINUTE, 2);
      expect(pacing!.candidates[0]!.cells.map((c) => c.startMinute)).toEqual([DINNER / MINUTE]);
    }
    expect(planGroups(catalog, dineIn, DINNER + 15 * MINUTE, 2)[1]!.candidates[0]!.cells[0]!.startMinute).toBe(DINNER / MINUTE + 15);
  });

  it('when pacing is off, then only the tables are planned', () => {
    expect(planGroups(restaurant({ pacing: null }), dineIn, DINNER, 2)).toHaveLength(1);
  });

  it('when the arrival-only flag is on any requirement, then planning claims only the arrival cell (not a restaurant special case)', () => {
    const counter = service(301, { durationMinutes: 60, requirements: [requirement('staff'), { ...requirement('equipment', 'desk', 1, true), arrivalOnly: true }] });
    const catalog = catalogOf(storeInfo(), [resource(1, 'staff'), resource(2, 'equipment', ['desk'], 10)], [counter]);
    const [staff, desk] = planGroups(catalog, counter, DINNER, 3);
    expect(staff!.candidates[0]!.cells).toHaveLength(4);
    expect(desk!.candidates[0]!.cells).toHaveLength(1);
    expect(desk!.quantity).toBe(3);
  });
});

describe('availability for a party', () => {
  const catalog = restaurant();
  function lookupWith(booked: Map<string, number>, capacity = (field: string) => (field.startsWith('99:') ? 8 : 1)) {
    return (_date: string, field: string): CellState => ({ capacity: capacity(field), booked: booked.get(field) ?? 0 });
  }
  const planned = (party: number) => ({ startMs: DINNER, groups: planGroups(catalog, dineIn, DINNER, party) });

  it('when everything is free, then the smallest table is offered and pacing shows the covers left', () => {
    const slot = tableSlot(mode, catalog, planned(3), 3, 105, lookupWith(new Map()));
    expect(slot).toMatchObject({ table: true, tableIds: [5], seats: 4, pacing: true, coversLeft: 8, available: true });
  });

  it('when every 4-top is taken, then the combination is offered; when it is taken too, then no table', () => {
    const busy = new Map<string, number>();
    for (const id of [5, 6, 7, 8]) busy.set(cellField(id, DINNER / MINUTE + 60), 1);
    expect(tableSlot(mode, catalog, planned(3), 3, 105, lookupWith(busy))).toMatchObject({ table: true, tableIds: [1, 2], seats: 4 });
    busy.set(cellField(2, DINNER / MINUTE + 90), 1);
    expect(tableSlot(mode, catalog, planned(3), 3, 105, lookupWith(busy))).toMatchObject({ table: false, tableIds: null, available: false, pacing: true });
  });

  it('when the arrival window has 6 of 8 covers, then a party of 2 fits and a party of 3 is refused by pacing only', () => {
    const busy = new Map([[cellField(99, DINNER / MINUTE), 6]]);
    expect(tableSlot(mode, catalog, planned(2), 2, 90, lookupWith(busy))).toMatchObject({ table: true, pacing: true, coversLeft: 2, available: true });
    expect(tableSlot(mode, catalog, planned(3), 3, 105, lookupWith(busy))).toMatchObject({ table: true, pacing: false, coversLeft: 2, available: false });
  });

  it('when the generic availability lists a table service, then tables are not offered one by one and the end is the party’s turn', () => {
    const query = { catalog, service: dineIn, localDate: '2026-12-02', nowMs: NOW, partySize: 5 };
    const slots = computeSlots(query, plannedSlots(query), lookupWith(new Map()));
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((s) => s.resources.length === 0 && s.endMs - s.startMs === 120 * MINUTE)).toBe(true);
  });
});

describe('merchant input', () => {
  it('when the mode names unknown tables, inverted seat ranges, unordered turn times or off-grid minutes, then each problem is reported', () => {
    const bad: TableMode = {
      ...mode,
      tables: [...mode.tables, { resourceId: 77, minSeats: 4, maxSeats: 2 }],
      combinations: [{ resourceIds: [1, 1], minSeats: 2, maxSeats: 4 }],
      turnTimes: [{ maxParty: 4, minutes: 100 }, { maxParty: 2, minutes: 90 }],
    };
    const rooms = new Set(tableResources.filter((r) => r.kind === 'room').map((r) => r.id));
    const paths = tableModeProblems(bad, rooms, 15).map(([path]) => path);
    expect(paths).toEqual(expect.arrayContaining(['tables.10.minSeats', 'tables.10.resourceId', 'combinations.0.resourceIds', 'turnTimes.0.minutes', 'turnTimes.1.maxParty']));
    expect(tableModeProblems(mode, rooms, 15)).toEqual([]);
    expect(TableModeSchema.safeParse({ ...mode, extra: 1 }).success).toBe(false);
  });

  it('when the restaurant template is resolved with its units’ ids, then its table mode is valid and every party 1–8 has a table', () => {
    const template = INDUSTRY_TEMPLATES.find((t) => t.key === 'restaurant')!;
    const units = template.resourceTypes.flatMap((t) => t.units.map((u) => ({ name: u.name, kind: t.kind })));
    const ids = new Map(units.map((u, i) => [u.name, i + 1]));
    const resolved = resolveTemplateTableMode(template.tableMode!, ids);
    const rooms = new Set(units.flatMap((u, i) => (u.kind === 'room' ? [i + 1] : [])));
    expect(tableModeProblems(resolved, rooms, template.cellMinutes)).toEqual([]);
    const dine = template.services.find((s) => s.key === 'dine_in')!;
    for (let party = 1; party <= dine.maxPartySize; party++) expect(tableOptions(resolved, party).length, `party ${party}`).toBeGreaterThan(0);
    expect(template.limitations?.join('')).not.toContain('pacing');
  });
});

describe('property: a party never gets fewer seats than guests', () => {
  const tableArb = fc.record({ min: fc.integer({ min: 1, max: 8 }), extra: fc.integer({ min: 0, max: 4 }) });
  it('when tables, combinations, allowance and party are random, then every candidate seats the party and a combination holds all its tables’ cells', () => {
    fc.assert(
      fc.property(
        fc.array(tableArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.record({ a: fc.nat(7), b: fc.nat(7), min: fc.integer({ min: 1, max: 12 }), extra: fc.integer({ min: 0, max: 4 }) }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 14 }),
        (tables, combos, allowance, party) => {
          const random: TableMode = {
            tables: tables.map((t, i) => ({ resourceId: i + 1, minSeats: t.min, maxSeats: t.min + t.extra })),
            combinations: combos
              .map((c) => ({ resourceIds: [(c.a % tables.length) + 1, (c.b % tables.length) + 1], minSeats: c.min, maxSeats: c.min + c.extra }))
              .filter((c, i, all) => c.resourceIds[0] !== c.resourceIds[1] && all.findIndex((o) => [...o.resourceIds].sort().join() === [...c.resourceIds].sort().join()) === i),
            turnTimes: [{ maxParty: 100, minutes: 90 }],
            maxExtraSeats: allowance,
            pacing: null,
          };
          const catalog: StoreCatalog = {
            ...catalogOf(storeInfo(), tables.map((_, i) => resource(i + 1, 'room', [TABLE_SKILL])), [{ ...dineIn, maxPartySize: 14 }]),
            tableMode: random,
          };
          const [group] = planGroups(catalog, catalog.services.get(dineIn.id)!, DINNER, party);
          const options = tableOptions(random, party);
          expect(group!.candidates).toHaveLength(options.length);
          group!.candidates.forEach((candidate, i) => {
            const ids = [...new Set(candidate.cells.map((c) => c.resourceId))].sort((a, b) => a - b);
            expect(ids).toEqual(options[i]!.resourceIds);
            expect(seatsOf(random, ids)).toBeGreaterThanOrEqual(party);
            expect(options[i]!.minSeats).toBeLessThanOrEqual(party);
            for (const id of ids) expect(candidate.cells.filter((c) => c.resourceId === id)).toHaveLength(7); // 90 min + 15 min buffer
          });
          // Singles always before combinations; no option beyond the allowance while a tight one exists.
          const firstCombo = options.findIndex((o) => o.resourceIds.length > 1);
          if (firstCombo >= 0) expect(options.slice(firstCombo).every((o) => o.resourceIds.length > 1)).toBe(true);
          if (options.some((o) => o.maxSeats - party <= allowance)) expect(options.every((o) => o.maxSeats - party <= allowance)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
