import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Range, alignedSteps, intersect, normalize, subtract } from './ranges.ts';

// Oracle: ranges with integer ends are equal as sets exactly when they cover the same integer points.
const LOW = -60;
const HIGH = 260;
const covers = (ranges: readonly Range[], x: number) => ranges.some((r) => r.start <= x && x < r.end);
const points = (ranges: readonly Range[]) => {
  const out: number[] = [];
  for (let x = LOW; x < HIGH; x++) if (covers(ranges, x)) out.push(x);
  return out;
};

/** Sorted, non-empty, and separated by gaps (touching ranges would have been merged). */
function expectNormalized(ranges: readonly Range[]): void {
  for (const r of ranges) expect(r.end).toBeGreaterThan(r.start);
  for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.start).toBeGreaterThan(ranges[i - 1]!.end);
}

// Ranges in [-50, 250), often empty or inverted, often overlapping.
const rangeArb = fc.record({ start: fc.integer({ min: -50, max: 240 }), length: fc.integer({ min: -10, max: 60 }) }).map(({ start, length }) => ({ start, end: start + length }));
const rangesArb = fc.array(rangeArb, { maxLength: 8 });

describe('normalize', () => {
  it('when ranges overlap, touch or come unsorted, then they are merged into sorted disjoint ranges', () => {
    // Arrange
    const input = [
      { start: 50, end: 60 },
      { start: 0, end: 10 },
      { start: 5, end: 20 },
      { start: 20, end: 25 },
      { start: 40, end: 45 },
    ];

    // Act
    const result = normalize(input);

    // Assert
    expect(result).toEqual([
      { start: 0, end: 25 },
      { start: 40, end: 45 },
      { start: 50, end: 60 },
    ]);
  });

  it('when a range is empty or inverted, then it is dropped', () => {
    expect(normalize([{ start: 5, end: 5 }, { start: 9, end: 3 }, { start: 1, end: 2 }])).toEqual([{ start: 1, end: 2 }]);
  });

  it('when one range contains another, then only the outer one remains', () => {
    expect(normalize([{ start: 0, end: 100 }, { start: 10, end: 20 }])).toEqual([{ start: 0, end: 100 }]);
  });

  it('when ranges are merged, then the input objects are left untouched', () => {
    // Arrange
    const first = { start: 0, end: 10 };
    const second = { start: 5, end: 20 };

    // Act
    normalize([first, second]);

    // Assert
    expect(first).toEqual({ start: 0, end: 10 });
    expect(second).toEqual({ start: 5, end: 20 });
  });

  it('when given no ranges, then it returns none', () => {
    expect(normalize([])).toEqual([]);
  });

  it('property: the output is sorted and disjoint and covers exactly the input points', () => {
    fc.assert(
      fc.property(rangesArb, (ranges) => {
        const result = normalize(ranges);
        expectNormalized(result);
        expect(points(result)).toEqual(points(ranges));
      }),
    );
  });

  it('property: normalizing twice changes nothing', () => {
    fc.assert(
      fc.property(rangesArb, (ranges) => {
        const once = normalize(ranges);
        expect(normalize(once)).toEqual(once);
      }),
    );
  });
});

describe('intersect', () => {
  it('when two ranges overlap, then the overlap is returned', () => {
    expect(intersect([{ start: 0, end: 10 }], [{ start: 5, end: 15 }])).toEqual([{ start: 5, end: 10 }]);
  });

  it('when ranges only touch, then the intersection is empty (half-open ranges)', () => {
    expect(intersect([{ start: 0, end: 5 }], [{ start: 5, end: 10 }])).toEqual([]);
  });

  it('when one side has a gap, then the intersection has the same gap', () => {
    // Arrange: store open 09:00–12:00 and 14:00–18:00 (minutes), staff works 10:00–16:00.
    const store = [
      { start: 540, end: 720 },
      { start: 840, end: 1080 },
    ];
    const staff = [{ start: 600, end: 960 }];

    // Act
    const result = intersect(store, staff);

    // Assert
    expect(result).toEqual([
      { start: 600, end: 720 },
      { start: 840, end: 960 },
    ]);
  });

  it('when either side is empty, then the intersection is empty', () => {
    expect(intersect([], [{ start: 0, end: 10 }])).toEqual([]);
    expect(intersect([{ start: 0, end: 10 }], [])).toEqual([]);
  });

  it('when inputs are unsorted and overlapping, then they are normalized first', () => {
    expect(
      intersect(
        [
          { start: 20, end: 30 },
          { start: 0, end: 12 },
          { start: 8, end: 15 },
        ],
        [{ start: 10, end: 25 }],
      ),
    ).toEqual([
      { start: 10, end: 15 },
      { start: 20, end: 25 },
    ]);
  });

  it('property: intersect is commutative', () => {
    fc.assert(
      fc.property(rangesArb, rangesArb, (a, b) => {
        expect(intersect(a, b)).toEqual(intersect(b, a));
      }),
    );
  });

  it('property: the result is normalized and holds exactly the points in both inputs', () => {
    fc.assert(
      fc.property(rangesArb, rangesArb, (a, b) => {
        const result = intersect(a, b);
        expectNormalized(result);
        for (let x = LOW; x < HIGH; x++) expect(covers(result, x)).toBe(covers(a, x) && covers(b, x));
      }),
    );
  });
});

describe('subtract', () => {
  it('when a cut falls inside a range, then the range is split in two', () => {
    expect(subtract([{ start: 0, end: 10 }], [{ start: 3, end: 5 }])).toEqual([
      { start: 0, end: 3 },
      { start: 5, end: 10 },
    ]);
  });

  it('when a cut covers the whole range, then nothing remains', () => {
    expect(subtract([{ start: 10, end: 20 }], [{ start: 0, end: 30 }])).toEqual([]);
  });

  it('when a cut overlaps an edge, then only that edge is trimmed', () => {
    expect(subtract([{ start: 10, end: 20 }], [{ start: 0, end: 12 }])).toEqual([{ start: 12, end: 20 }]);
    expect(subtract([{ start: 10, end: 20 }], [{ start: 18, end: 30 }])).toEqual([{ start: 10, end: 18 }]);
  });

  it('when a cut only touches a range, then the range is unchanged', () => {
    expect(subtract([{ start: 10, end: 20 }], [{ start: 0, end: 10 }, { start: 20, end: 25 }])).toEqual([{ start: 10, end: 20 }]);
  });

  it('when several cuts hit several ranges, then every cut is removed', () => {
    expect(
      subtract(
        [
          { start: 0, end: 100 },
          { start: 200, end: 300 },
        ],
        [
          { start: 250, end: 260 },
          { start: 10, end: 20 },
          { start: 90, end: 210 },
        ],
      ),
    ).toEqual([
      { start: 0, end: 10 },
      { start: 20, end: 90 },
      { start: 210, end: 250 },
      { start: 260, end: 300 },
    ]);
  });

  it('when nothing is removed, then the input comes back normalized', () => {
    expect(subtract([{ start: 5, end: 9 }, { start: 0, end: 6 }], [])).toEqual([{ start: 0, end: 9 }]);
  });

  it('property: the result is disjoint from the removed ranges and covered by the input', () => {
    fc.assert(
      fc.property(rangesArb, rangesArb, (from, remove) => {
        const result = subtract(from, remove);
        expectNormalized(result);
        for (let x = LOW; x < HIGH; x++) expect(covers(result, x)).toBe(covers(from, x) && !covers(remove, x));
      }),
    );
  });

  it('property: what is removed plus what remains is the input', () => {
    fc.assert(
      fc.property(rangesArb, rangesArb, (from, remove) => {
        const back = normalize([...subtract(from, remove), ...intersect(from, remove)]);
        expect(back).toEqual(normalize(from));
      }),
    );
  });
});

describe('alignedSteps', () => {
  it('when a range is aligned, then every step inside it is returned', () => {
    expect(alignedSteps([{ start: 0, end: 60 }], 15)).toEqual([0, 15, 30, 45]);
  });

  it('when a range starts and ends off the grid, then only whole steps inside it count', () => {
    // [7, 50): 0 starts before 7, 45 would end at 60 > 50.
    expect(alignedSteps([{ start: 7, end: 50 }], 15)).toEqual([15, 30]);
  });

  it('when a range is shorter than a step, then there are none', () => {
    expect(alignedSteps([{ start: 16, end: 29 }], 15)).toEqual([]);
  });

  it('when two ranges touch, then a step across the seam counts (they are one range)', () => {
    expect(alignedSteps([{ start: 10, end: 30 }, { start: 0, end: 10 }], 15)).toEqual([0, 15]);
  });

  it('when ranges have a gap, then no step straddles it', () => {
    expect(
      alignedSteps(
        [
          { start: 0, end: 20 },
          { start: 25, end: 60 },
        ],
        10,
      ),
    ).toEqual([0, 10, 30, 40, 50]);
  });

  it('property: steps are aligned, increasing, wholly inside the ranges, and none is missed', () => {
    const nonNegative = fc.array(
      fc.record({ start: fc.integer({ min: 0, max: 240 }), length: fc.integer({ min: -5, max: 60 }) }).map(({ start, length }) => ({ start, end: start + length })),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(nonNegative, fc.constantFrom(1, 5, 7, 15, 30), (ranges, step) => {
        const steps = alignedSteps(ranges, step);
        const inside = (t: number) => {
          for (let x = t; x < t + step; x++) if (!covers(ranges, x)) return false;
          return true;
        };
        for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThan(steps[i - 1]!);
        for (const t of steps) {
          expect(t % step).toBe(0);
          expect(inside(t)).toBe(true);
        }
        for (let t = 0; t < HIGH; t += step) if (inside(t)) expect(steps).toContain(t);
      }),
    );
  });
});
