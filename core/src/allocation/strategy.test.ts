import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AllocationCandidate,
  type AllocationConfig,
  type AllocationStrategy,
  ALLOCATION_STRATEGIES,
  type DayLoad,
  dayLoadOf,
  EMPTY_DAY,
  idleGapMinutes,
  needsLoad,
  orderCandidates,
} from './strategy.ts';

const CELL = 15;
/** A candidate on resource r covering cells [from, to) minutes of the day. */
const cand = (resourceId: number, from: number, to: number): AllocationCandidate => {
  const cells = [];
  for (let m = from; m < to; m += CELL) cells.push({ startMinute: m });
  return { resourceId, cells };
};
const config = (strategy: AllocationStrategy, resources: [number, { weight: number; dailyCap: number | null }][] = []): AllocationConfig => ({
  strategy,
  resources: new Map(resources),
});
/** Resource r open 540..1080 (09:00–18:00) with the given booked ranges. */
const day = (spec: Record<number, [number, number][]>, bookings: Record<number, number> = {}): DayLoad => {
  const cells = new Map<string, { booked: number }>();
  for (const [r, ranges] of Object.entries(spec)) {
    for (let m = 540; m < 1080; m += CELL) {
      const booked = ranges.some(([a, b]) => m >= a && m < b) ? 1 : 0;
      cells.set(`${r}:${m}`, { booked });
    }
  }
  return dayLoadOf(cells, new Map(Object.entries(bookings).map(([k, v]) => [Number(k), v])));
};
const ids = (cs: AllocationCandidate[]) => cs.map((c) => c.resourceId);
const order = (strategy: AllocationStrategy, cs: AllocationCandidate[], load: DayLoad, extra: Partial<{ preferred: number; resources: [number, { weight: number; dailyCap: number | null }][] }> = {}) =>
  ids(orderCandidates(cs, { config: config(strategy, extra.resources), load, cellMinutes: CELL, preferredResourceId: extra.preferred }));

const three = (from: number, to: number) => [cand(1, from, to), cand(2, from, to), cand(3, from, to)];

describe('first_fit', () => {
  it('when nothing is capped, then the order is the catalog order (identity)', () => {
    const cs = three(600, 660);
    expect(orderCandidates(cs, { config: config('first_fit'), load: day({ 1: [[540, 900]] }), cellMinutes: CELL })).toEqual(cs);
  });
  it('when a resource is at its cap, then it is left out and the rest keep their order', () => {
    expect(order('first_fit', three(600, 660), day({}, { 2: 3 }), { resources: [[2, { weight: 1, dailyCap: 3 }]] })).toEqual([1, 3]);
  });
  it('never needs the day load (zero extra round trips)', () => {
    expect(needsLoad(config('first_fit', [[1, { weight: 1, dailyCap: 2 }]]))).toBe(false);
    for (const s of ALLOCATION_STRATEGIES.filter((x) => x !== 'first_fit')) expect(needsLoad(config(s))).toBe(true);
  });
});

describe('least_loaded', () => {
  it('when staff have booked 120, 0 and 60 minutes, then the order is 2, 3, 1', () => {
    expect(order('least_loaded', three(900, 960), day({ 1: [[540, 660]], 2: [], 3: [[600, 660]] }))).toEqual([2, 3, 1]);
  });
  it('when loads tie, then by id', () => {
    expect(order('least_loaded', three(900, 960), day({ 1: [[540, 600]], 2: [[540, 600]], 3: [[540, 600]] }))).toEqual([1, 2, 3]);
  });
  it('when the day has no cells read at all, then everyone is equally idle (by id)', () => {
    expect(order('least_loaded', three(900, 960), EMPTY_DAY)).toEqual([1, 2, 3]);
  });
});

describe('round_robin', () => {
  it('when everyone has no booking yet, then the heaviest weight goes first', () => {
    expect(order('round_robin', three(600, 660), day({}), { resources: [[3, { weight: 2, dailyCap: null }]] })).toEqual([3, 1, 2]);
  });
  it('when a weight-2 stylist has 2 bookings and weight-1 ones have 1 and 0, then 2 (0/1) then 3 (2/2) ties 1 (1/1) by weight', () => {
    expect(order('round_robin', three(600, 660), day({}, { 1: 1, 3: 2 }), { resources: [[3, { weight: 2, dailyCap: null }]] })).toEqual([2, 3, 1]);
  });
  it('when a stylist reaches the cap, then they are not offered', () => {
    expect(order('round_robin', three(600, 660), day({}, { 1: 8, 2: 1 }), { resources: [[1, { weight: 2, dailyCap: 8 }]] })).toEqual([3, 2]);
  });
  it('when the weights are 2:1:1, then repeated bookings split 2:1:1', () => {
    const counts = new Map<number, number>();
    for (let n = 0; n < 40; n++) {
      const first = order('round_robin', three(600, 660), day({}, Object.fromEntries(counts)), { resources: [[1, { weight: 2, dailyCap: null }]] })[0]!;
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ 1: 20, 2: 10, 3: 10 });
  });
});

describe('preferred', () => {
  it('when the customer has a last staff member, then that one first, the rest least-loaded', () => {
    expect(order('preferred', three(900, 960), day({ 1: [[540, 660]], 2: [[540, 600]], 3: [] }), { preferred: 1 })).toEqual([1, 3, 2]);
  });
  it('when there is no preferred staff, then least-loaded', () => {
    expect(order('preferred', three(900, 960), day({ 1: [[540, 660]], 2: [[540, 600]], 3: [] }))).toEqual([3, 2, 1]);
  });
  it('when the preferred staff is at the cap, then they are left out', () => {
    expect(order('preferred', three(900, 960), day({}, { 1: 1 }), { preferred: 1, resources: [[1, { weight: 1, dailyCap: 1 }]] })).toEqual([2, 3]);
  });
  it('when the preferred staff cannot do the service (not a candidate), then least-loaded', () => {
    expect(order('preferred', three(900, 960), day({ 1: [[540, 660]] }), { preferred: 9 })).toEqual([2, 3, 1]);
  });
});

describe('gap_minimizing', () => {
  it('when one stylist is booked right before the slot, then they go first (no idle gap)', () => {
    // 1: free all day; 2: booked 09:00–10:00, slot 10:00–11:00 touches it; 3: booked 12:00–13:00.
    expect(order('gap_minimizing', three(600, 660), day({ 1: [], 2: [[540, 600]], 3: [[720, 780]] }))).toEqual([2, 3, 1]);
  });
  it('when one candidate would split free time in two and another touches a booking, then the touching one first', () => {
    // 2: slot touches its 11:00 booking on the right (60 idle minutes before); 1: free all day, slot in the middle.
    expect(order('gap_minimizing', [cand(1, 600, 660), cand(2, 600, 660)], day({ 1: [], 2: [[660, 1080]] }))).toEqual([2, 1]);
  });
  it('when a slot exactly fills a hole, then its idle gap is 0', () => {
    const load = day({ 1: [[540, 600], [660, 1080]] });
    expect(idleGapMinutes(load, cand(1, 600, 660), CELL)).toBe(0);
    expect(idleGapMinutes(load, cand(1, 600, 645), CELL)).toBe(15);
  });
  it('when the slot starts at opening, then the edge counts as touching', () => {
    expect(idleGapMinutes(day({ 1: [[600, 1080]] }), cand(1, 540, 600), CELL)).toBe(0);
    expect(idleGapMinutes(day({ 1: [] }), cand(1, 540, 600), CELL)).toBe(480);
  });
  it('when gaps tie, then the busier resource first', () => {
    expect(order('gap_minimizing', three(540, 600), day({ 1: [[600, 1080]], 2: [[600, 660], [720, 1080]], 3: [[600, 1080]] }))).toEqual([1, 3, 2]);
  });
});

describe('properties', () => {
  const strategy = fc.constantFrom(...ALLOCATION_STRATEGIES);
  const world = fc.record({
    resources: fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: 0, maxLength: 10 }),
    from: fc.integer({ min: 36, max: 68 }).map((k) => k * CELL),
    length: fc.integer({ min: 1, max: 8 }),
    booked: fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 36, max: 71 })), { maxLength: 80 }),
    counts: fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 10 })), { maxLength: 30 }),
    caps: fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 5 }), fc.option(fc.integer({ min: 0, max: 10 }), { nil: null })), { maxLength: 30 }),
    preferred: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  });
  type World = typeof world extends fc.Arbitrary<infer T> ? T : never;
  const build = (w: World, s: AllocationStrategy) => {
    const cells = new Map<string, { booked: number }>();
    for (const r of w.resources) for (let m = 540; m < 1080; m += CELL) cells.set(`${r}:${m}`, { booked: 0 });
    for (const [r, k] of w.booked) if (cells.has(`${r}:${k * CELL}`)) cells.set(`${r}:${k * CELL}`, { booked: 1 });
    const load = dayLoadOf(cells, new Map(w.counts));
    const cfg: AllocationConfig = { strategy: s, resources: new Map(w.caps.map(([r, weight, dailyCap]) => [r, { weight, dailyCap }])) };
    const cs = w.resources.map((r) => cand(r, w.from, w.from + w.length * CELL));
    return { load, cfg, cs, out: orderCandidates(cs, { config: cfg, load, cellMinutes: CELL, preferredResourceId: w.preferred }) };
  };

  it('the output is a subset of the input without duplicates, and keeps every resource not at its cap', () => {
    fc.assert(
      fc.property(world, strategy, (w, s) => {
        const { cs, out, cfg, load } = build(w, s);
        expect(new Set(out).size).toBe(out.length);
        for (const c of out) expect(cs).toContain(c);
        const notCapped = cs.filter((c) => {
          const cap = cfg.resources.get(c.resourceId)?.dailyCap ?? null;
          return cap === null || (load.bookings.get(c.resourceId) ?? 0) < cap;
        });
        expect([...out].sort((a, b) => a.resourceId - b.resourceId)).toEqual([...notCapped].sort((a, b) => a.resourceId - b.resourceId));
      }),
    );
  });

  it('never offers a resource whose day count has reached its cap', () => {
    fc.assert(
      fc.property(world, strategy, (w, s) => {
        const { out, cfg, load } = build(w, s);
        for (const c of out) {
          const cap = cfg.resources.get(c.resourceId)?.dailyCap ?? null;
          if (cap !== null) expect(load.bookings.get(c.resourceId) ?? 0).toBeLessThan(cap);
        }
      }),
    );
  });

  it('first_fit with no cap configured is the identity', () => {
    fc.assert(
      fc.property(world, (w) => {
        const { out, cs } = build({ ...w, caps: [] }, 'first_fit');
        expect(out).toEqual(cs);
      }),
    );
  });

  it('least_loaded puts a resource first only if nobody offered has fewer booked minutes', () => {
    fc.assert(
      fc.property(world, (w) => {
        const { out, load } = build(w, 'least_loaded');
        if (out.length === 0) return;
        const minutes = (r: number) => [...(load.resources.get(r)?.booked.values() ?? [])].reduce((a, b) => a + b, 0);
        for (const c of out) expect(minutes(out[0]!.resourceId)).toBeLessThanOrEqual(minutes(c.resourceId));
      }),
    );
  });

  it('is deterministic and does not mutate its input', () => {
    fc.assert(
      fc.property(world, strategy, (w, s) => {
        const a = build(w, s);
        const before = [...a.cs];
        const again = orderCandidates(a.cs, { config: a.cfg, load: a.load, cellMinutes: CELL, preferredResourceId: w.preferred });
        expect(a.cs).toEqual(before);
        expect(again).toEqual(a.out);
      }),
    );
  });
});
