import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { StoreCatalog } from '../catalog/types.ts';
import { cellField } from '../inventory/cells.ts';
import { occupiedRange, planGroups } from '../inventory/plan.ts';
import {
  type Inventory,
  type StoreSpec,
  catalogFromSpec,
  dayMinutes,
  disjoint,
  lookupOf,
  materialize,
  modelReserve,
  openAtMinute,
  storeSpecArb,
} from '../testing/random-store.ts';
import { addDays, DAY_MS, localDateOf, localTimeOf, MINUTE_MS, parseTimeOfDay } from '../time/zoned.ts';
import { type AvailabilityQuery, computeSlots, plannedSlots } from './slots.ts';

/**
 * Properties of availability over random stores (fast-check): resources with capacities and
 * skills, weekly hours with breaks, date exceptions, services with durations, buffers, slot
 * intervals, party sizes and per-person requirements, in Asia/Shanghai and Europe/Berlin on the
 * DST change days 2026-03-29 / 2026-10-25 and their neighbours. The inventory is built by
 * materializeDay and read like the Redis mirror; bookings go through a model of reserve.lua.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
// Windows are on a 5-minute grid, so checking every fifth minute of a cell checks all of it.
vi.setConfig({ testTimeout: 60_000 });

function world(spec: StoreSpec): { catalog: StoreCatalog; inventory: Inventory } {
  const catalog = catalogFromSpec(spec);
  const inventory = materialize(spec, catalog, [addDays(spec.date, -1), spec.date, addDays(spec.date, 1)]);
  return { catalog, inventory };
}

/** Random existing bookings, each a random start of a random service, booked through the reserve model. */
const prefillArb = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 3 })), { maxLength: 25 });

function prefill(catalog: StoreCatalog, spec: StoreSpec, inventory: Inventory, picks: [number, number, number][]): void {
  const services = [...catalog.services.values()];
  for (const [s, t, party] of picks) {
    const service = services[s % services.length]!;
    const planned = plannedSlots({ catalog, service, localDate: spec.date, nowMs: spec.nowMs });
    if (planned.length === 0) continue;
    const start = planned[t % planned.length]!.startMs;
    modelReserve(planGroups(catalog, service, start, Math.min(party, service.maxPartySize)), inventory, true);
  }
}

function queryOf(catalog: StoreCatalog, spec: StoreSpec, serviceIndex: number): AvailabilityQuery {
  return { catalog, service: [...catalog.services.values()][serviceIndex]!, localDate: spec.date, nowMs: spec.nowMs };
}

function assertNoCellOverCapacity(inventory: Inventory): void {
  for (const [date, cells] of inventory) {
    for (const [field, state] of cells) {
      if (state.booked > state.capacity || state.booked < 0) throw new Error(`cell ${date} ${field} booked ${state.booked} of ${state.capacity}`);
    }
  }
}

describe('availability properties over random stores', () => {
  it('slot times are on the service grid in local time, inside the day, notice and horizon, and every such grid time is planned', () => {
    fc.assert(
      fc.property(storeSpecArb(), (spec) => {
        const { catalog } = world(spec);
        const minutes = dayMinutes(spec.date, spec.timezone);
        for (const service of catalog.services.values()) {
          const starts = plannedSlots({ catalog, service, localDate: spec.date, nowMs: spec.nowMs }).map((s) => s.startMs);
          for (const t of starts) {
            expect(parseTimeOfDay(localTimeOf(t, spec.timezone)) % service.slotIntervalMinutes).toBe(0);
            expect(t % (spec.cellMinutes * MINUTE_MS)).toBe(0);
            expect(localDateOf(t, spec.timezone)).toBe(spec.date);
            expect(t).toBeGreaterThanOrEqual(spec.nowMs + service.minNoticeMinutes * MINUTE_MS);
            expect(t).toBeLessThan(spec.nowMs + spec.horizonDays * DAY_MS);
          }
          // Independent enumeration (every 5 minutes of the local day, via Intl): nothing on the grid is missed.
          const expected = minutes.filter(
            (t) =>
              parseTimeOfDay(localTimeOf(t, spec.timezone)) % service.slotIntervalMinutes === 0 &&
              t >= spec.nowMs + service.minNoticeMinutes * MINUTE_MS &&
              t < spec.nowMs + spec.horizonDays * DAY_MS,
          );
          expect(starts).toEqual(expected);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('every offered slot with remaining ≥ 1 has a plan whose cells all exist and fit, and never straddles closed time (requirements of a service not sharing resources)', () => {
    fc.assert(
      fc.property(storeSpecArb({ disjointRequirements: true }), prefillArb, (spec, picks) => {
        const { catalog, inventory } = world(spec);
        prefill(catalog, spec, inventory, picks);
        const lookup = lookupOf(inventory);
        for (const [index, service] of [...catalog.services.values()].entries()) {
          const query = queryOf(catalog, spec, index);
          const planned = plannedSlots(query);
          const slots = computeSlots(query, planned, lookup);
          for (const slot of slots) {
            const groups = planned.find((p) => p.startMs === slot.startMs)!.groups;
            const result = modelReserve(groups, inventory, false);
            if (slot.remaining >= 1) {
              expect(result.kind, `slot ${slot.localTime} of service ${service.id} offers ${slot.remaining}`).toBe('reserved');
              if (result.kind !== 'reserved') continue;
              // The chosen cells cover the occupied range (buffers included) and lie in open time.
              const range = occupiedRange(service, slot.startMs);
              for (const [g, c] of result.chosen.entries()) {
                const candidate = groups[g]!.candidates[c]!;
                const starts = candidate.cells.map((cell) => cell.startMinute * MINUTE_MS);
                expect(Math.min(...starts)).toBeLessThanOrEqual(range.start);
                expect(Math.max(...starts) + spec.cellMinutes * MINUTE_MS).toBeGreaterThanOrEqual(range.end);
                for (const cell of candidate.cells) {
                  expect(localDateOf(cell.startMinute * MINUTE_MS, spec.timezone)).toBe(cell.localDate);
                  for (let m = 0; m < spec.cellMinutes; m += 5) {
                    const at = (cell.startMinute + m) * MINUTE_MS;
                    expect(openAtMinute(spec, cell.resourceId - 1, at), `resource ${cell.resourceId} closed at ${new Date(at).toISOString()}`).toBe(true);
                  }
                }
              }
            } else {
              expect(result.kind).not.toBe('reserved');
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('remaining is exact when a service’s requirements do not share resources: exactly `remaining` one-person bookings fit, one more does not', () => {
    fc.assert(
      fc.property(storeSpecArb({ disjointRequirements: true }), prefillArb, fc.nat(), (spec, picks, pick) => {
        const { catalog, inventory } = world(spec);
        prefill(catalog, spec, inventory, picks);
        const services = [...catalog.services.values()];
        const query = queryOf(catalog, spec, pick % services.length);
        const planned = plannedSlots(query);
        const slots = computeSlots(query, planned, lookupOf(inventory)).filter((s) => s.remaining > 0);
        if (slots.length === 0) return;
        const slot = slots[pick % slots.length]!;
        const groups = planned.find((p) => p.startMs === slot.startMs)!.groups;
        for (let k = 0; k < slot.remaining; k++) expect(modelReserve(groups, inventory, true).kind).toBe('reserved');
        expect(modelReserve(groups, inventory, true).kind).toBe('sold-out');
        assertNoCellOverCapacity(inventory);
      }),
      { numRuns: RUNS },
    );
  });

  it('after any stream of bookings (party sizes, chosen staff, first-fit), no cell exceeds capacity and every slot offered along the way was bookable', () => {
    const requestArb = fc.record({ service: fc.nat(), slot: fc.nat(), party: fc.integer({ min: 1, max: 3 }), resource: fc.option(fc.nat(), { nil: undefined }) });
    fc.assert(
      fc.property(storeSpecArb({ disjointRequirements: true }), fc.array(requestArb, { minLength: 1, maxLength: 40 }), (spec, stream) => {
        const { catalog, inventory } = world(spec);
        const services = [...catalog.services.values()];
        for (const request of stream) {
          const service = services[request.service % services.length]!;
          const resourceId = request.resource === undefined ? undefined : (request.resource % catalog.resources.length) + 1;
          const query: AvailabilityQuery = { catalog, service, localDate: spec.date, nowMs: spec.nowMs, resourceId };
          const planned = plannedSlots(query);
          const offered = computeSlots(query, planned, lookupOf(inventory));
          if (offered.length === 0) continue;
          const slot = offered[request.slot % offered.length]!;
          const party = Math.min(request.party, service.maxPartySize);
          const result = modelReserve(planGroups(catalog, service, slot.startMs, party, resourceId), inventory, true);
          if (party === 1 && slot.remaining >= 1) expect(result.kind).toBe('reserved');
          assertNoCellOverCapacity(inventory);
          const after = computeSlots(query, planned, lookupOf(inventory)).find((s) => s.startMs === slot.startMs);
          if (result.kind === 'reserved' && slot.remaining >= 1) expect(after!.remaining).toBeLessThan(slot.remaining);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('cells exist only in open time and the materialized store has no cell outside its windows', () => {
    fc.assert(
      fc.property(storeSpecArb(), (spec) => {
        const { inventory } = world(spec);
        for (const [date, cells] of inventory) {
          for (const field of cells.keys()) {
            const [resourceId, startMinute] = field.split(':').map(Number) as [number, number];
            expect(localDateOf(startMinute * MINUTE_MS, spec.timezone)).toBe(date);
            for (let m = 0; m < spec.cellMinutes; m += 5) expect(openAtMinute(spec, resourceId - 1, (startMinute + m) * MINUTE_MS), `${date} ${field}`).toBe(true);
          }
        }
        expect(cellField(1, 0)).toBe('1:0');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('availability when a service needs two resources of the same kind', () => {
  /** Two requirements the same resource can meet (two machines of one kind, one person with both skills). */
  it('every offered slot with remaining ≥ 1 is bookable (shared candidates)', () => {
    fc.assert(
      fc.property(storeSpecArb(), prefillArb, (spec, picks) => {
        const { catalog, inventory } = world(spec);
        prefill(catalog, spec, inventory, picks);
        for (const [index] of [...catalog.services.values()].entries()) {
          const query = queryOf(catalog, spec, index);
          const planned = plannedSlots(query);
          for (const slot of computeSlots(query, planned, lookupOf(inventory))) {
            if (slot.remaining < 1) continue;
            const groups = planned.find((p) => p.startMs === slot.startMs)!.groups;
            expect(disjoint(query.service.requirements) || modelReserve(groups, inventory, false).kind === 'reserved').toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
