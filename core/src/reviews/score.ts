/**
 * The store score search sorts and filters by: a Bayesian average, i.e. the
 * mean of the store's ratings after adding RATING_PRIOR_WEIGHT imaginary
 * ratings of RATING_PRIOR_MEAN.
 *
 *   score = (RATING_PRIOR_WEIGHT × RATING_PRIOR_MEAN + Σ ratings) / (RATING_PRIOR_WEIGHT + n)
 *
 * A plain average lets one 5★ review outrank 200 reviews at 4.8; with the
 * prior, that store scores (40 + 5) / 11 ≈ 4.09 and the other
 * (40 + 960) / 210 ≈ 4.76. Few reviews stay near the prior; many reviews
 * outweigh it, and the score tends to the plain average as n grows.
 *
 * The SQL in discovery.repository.ts (sort=rating, minRating, recommendations) computes the same
 * expression from these constants, so change them here only.
 */

/** What we assume about a store nobody has rated yet: a little below the typical 4.5–4.8 of rated stores. */
export const RATING_PRIOR_MEAN = 4;

/** How many reviews the prior counts as. About 10: a store needs a couple of dozen reviews before its own ratings dominate. */
export const RATING_PRIOR_WEIGHT = 10;

export const MIN_RATING = 1;
export const MAX_RATING = 5;

export interface RatingTotals {
  sum: number;
  count: number;
}

export interface StoreRating {
  /** Plain mean, one decimal; null without reviews. */
  average: number | null;
  count: number;
  /** Bayesian score, two decimals: the value search ranks by. */
  score: number;
}

export interface StaffRating {
  average: number | null;
  count: number;
}

export function isValidRating(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= MIN_RATING && (value as number) <= MAX_RATING;
}

/** The unrounded score; use this to compare stores, `storeRating` to show one. */
export function bayesianScore({ sum, count }: RatingTotals): number {
  return (RATING_PRIOR_WEIGHT * RATING_PRIOR_MEAN + sum) / (RATING_PRIOR_WEIGHT + count);
}

export function averageRating({ sum, count }: RatingTotals): number | null {
  return count > 0 ? roundTo(sum / count, 1) : null;
}

export function storeRating(totals: RatingTotals): StoreRating {
  return { average: averageRating(totals), count: totals.count, score: roundTo(bayesianScore(totals), 2) };
}

export function staffRating(totals: RatingTotals): StaffRating {
  return { average: averageRating(totals), count: totals.count };
}

/**
 * True if a store passes a "minimum rating" filter: it has reviews and its
 * unrounded score reaches the threshold. Unrated stores never pass, since
 * their score is only the prior, not anything customers said.
 */
export function meetsMinRating(totals: RatingTotals, minRating: number): boolean {
  return totals.count > 0 && bayesianScore(totals) >= minRating;
}

/** Half away from zero on the decimal value (4.25 → 4.3), not on its binary approximation. */
function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(Number((value * factor).toPrecision(12))) / factor;
}
