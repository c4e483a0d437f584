import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  averageRating,
  bayesianScore,
  isValidRating,
  meetsMinRating,
  RATING_PRIOR_MEAN,
  RATING_PRIOR_WEIGHT,
  staffRating,
  storeRating,
} from './score.ts';

const totals = (ratings: number[]) => ({ sum: ratings.reduce((a, b) => a + b, 0), count: ratings.length });
const many = (n: number, rating: number) => Array<number>(n).fill(rating);
/** n ratings whose mean is exactly `mean` when mean × n is an integer. */
const meanOf = (n: number, mean: number) => ({ sum: Math.round(mean * n), count: n });

describe('bayesianScore', () => {
  it('when a store has no reviews, then its score is the prior mean', () => {
    expect(bayesianScore({ sum: 0, count: 0 })).toBe(RATING_PRIOR_MEAN);
  });

  it('when a store has one 5★ review, then it does not outrank 200 reviews averaging 4.8', () => {
    const oneFive = bayesianScore(totals([5]));
    const manyGood = bayesianScore(meanOf(200, 4.8));
    expect(oneFive).toBeCloseTo((RATING_PRIOR_WEIGHT * RATING_PRIOR_MEAN + 5) / (RATING_PRIOR_WEIGHT + 1), 12);
    expect(manyGood).toBeGreaterThan(oneFive);
  });

  it('when a store has a handful of 5★ reviews, then 200 reviews at 4.8 still rank higher', () => {
    for (const n of [1, 2, 5, 10, 20]) expect(bayesianScore(meanOf(200, 4.8))).toBeGreaterThan(bayesianScore(totals(many(n, 5))));
  });

  it('when one review of 1★ arrives, then the store drops below the prior, but only a little', () => {
    const score = bayesianScore(totals([1]));
    expect(score).toBeLessThan(RATING_PRIOR_MEAN);
    expect(score).toBeGreaterThan(RATING_PRIOR_MEAN - 0.5);
  });

  it('when reviews pile up, then the score tends to the plain average', () => {
    expect(bayesianScore(meanOf(10_000, 4.8))).toBeCloseTo(4.8, 2);
    expect(bayesianScore(meanOf(10_000, 2.0))).toBeCloseTo(2.0, 2);
    expect(Math.abs(bayesianScore(meanOf(1000, 4.8)) - 4.8)).toBeLessThan(Math.abs(bayesianScore(meanOf(100, 4.8)) - 4.8));
  });

  it('when the prior weight in reviews is reached, then the score is halfway between prior and average', () => {
    const score = bayesianScore(meanOf(RATING_PRIOR_WEIGHT, 5));
    expect(score).toBeCloseTo((RATING_PRIOR_MEAN + 5) / 2, 12);
  });

  it('for any ratings, then the score lies between the prior mean and the plain average (inclusive)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 500 }), (ratings) => {
        const t = totals(ratings);
        const mean = t.sum / t.count;
        const score = bayesianScore(t);
        expect(score).toBeGreaterThanOrEqual(Math.min(mean, RATING_PRIOR_MEAN) - 1e-12);
        expect(score).toBeLessThanOrEqual(Math.max(mean, RATING_PRIOR_MEAN) + 1e-12);
      }),
    );
  });

  it('for any ratings, then one more 5★ never lowers the score and one more 1★ never raises it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 300 }), (ratings) => {
        const before = bayesianScore(totals(ratings));
        expect(bayesianScore(totals([...ratings, 5]))).toBeGreaterThanOrEqual(before);
        expect(bayesianScore(totals([...ratings, 1]))).toBeLessThanOrEqual(before);
      }),
    );
  });

  it('for any two stores with the same average, then the one with more reviews is further from the prior', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), (rating, a, b) => {
        const [few, more] = a < b ? [a, b] : [b, a];
        const distance = (n: number) => Math.abs(bayesianScore(totals(many(n, rating))) - RATING_PRIOR_MEAN);
        expect(distance(more)).toBeGreaterThanOrEqual(distance(few) - 1e-12);
      }),
    );
  });
});

describe('averageRating', () => {
  it.each([
    [[], null],
    [[5], 5],
    [[4, 5], 4.5],
    [[4, 4, 5], 4.3],
    [[5, 5, 4], 4.7],
    [[1, 2], 1.5],
    [[3, 3, 3, 4], 3.3],
  ])('when the ratings are %j, then the average is %s', (ratings, expected) => {
    expect(averageRating(totals(ratings))).toBe(expected);
  });

  it('when the mean ends in exactly .x5, then it rounds half up (87 / 20 = 4.35 → 4.4)', () => {
    expect(averageRating({ sum: 87, count: 20 })).toBe(4.4);
    expect(averageRating({ sum: 85, count: 20 })).toBe(4.3);
  });
});

describe('storeRating', () => {
  it('when a store has no reviews, then average is null, count 0 and score the prior', () => {
    expect(storeRating({ sum: 0, count: 0 })).toEqual({ average: null, count: 0, score: RATING_PRIOR_MEAN });
  });

  it('when a store has reviews, then the score is shown with two decimals', () => {
    expect(storeRating(totals([5]))).toEqual({ average: 5, count: 1, score: 4.09 });
    expect(storeRating(meanOf(200, 4.8))).toEqual({ average: 4.8, count: 200, score: 4.76 });
  });

  it('for any totals, then the shown score has at most two decimals and average at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 4 }), (count, low, spread) => {
        const sum = count * low + Math.min(spread * count, (5 - low) * count);
        const rating = storeRating({ sum, count });
        expect(Number.isInteger(Math.round(rating.score * 100 * 1e6) / 1e6)).toBe(true);
        if (rating.average !== null) expect(Number.isInteger(Math.round(rating.average * 10 * 1e6) / 1e6)).toBe(true);
      }),
    );
  });
});

describe('staffRating', () => {
  it('when a staff member has ratings, then average and count are shown, without a score', () => {
    expect(staffRating(totals([5, 4]))).toEqual({ average: 4.5, count: 2 });
    expect(staffRating({ sum: 0, count: 0 })).toEqual({ average: null, count: 0 });
  });
});

describe('meetsMinRating', () => {
  it('when a store has no reviews, then it never passes, even though its score is the prior', () => {
    expect(meetsMinRating({ sum: 0, count: 0 }, 1)).toBe(false);
  });

  it('when the unrounded score reaches the threshold, then it passes; just below, it does not', () => {
    expect(meetsMinRating(meanOf(200, 4.8), 4.5)).toBe(true);
    expect(meetsMinRating(totals([5]), 4.1)).toBe(false);
    expect(meetsMinRating(totals([5]), 4.09)).toBe(true);
    expect(meetsMinRating(meanOf(RATING_PRIOR_WEIGHT, 5), (RATING_PRIOR_MEAN + 5) / 2)).toBe(true);
  });
});

describe('isValidRating', () => {
  it.each([1, 2, 3, 4, 5])('when the rating is %s, then it is valid', (value) => expect(isValidRating(value)).toBe(true));
  it.each([0, 6, -1, 4.5, Number.NaN, Number.POSITIVE_INFINITY, '5', null, undefined])('when the rating is %s, then it is invalid', (value) => {
    expect(isValidRating(value)).toBe(false);
  });
});
