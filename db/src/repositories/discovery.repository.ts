import { type Kysely, type RawBuilder, sql } from 'kysely';
import { industriesMatching } from '../../../core/src/catalog/industries.ts';
import { RATING_PRIOR_MEAN, RATING_PRIOR_WEIGHT } from '../../../core/src/reviews/score.ts';
import type { Database } from '../database.ts';
import type { StoreRow } from '../tables/store.table.ts';

/** How consumers find stores and services: search, distance, rating, industries. */

export interface GeoPoint {
  lat: number;
  lng: number;
}

/** Mean Earth radius (IUGG), metres. */
const EARTH_RADIUS_M = 6_371_008.8;
const METRES_PER_DEGREE_LAT = (Math.PI * EARTH_RADIUS_M) / 180;

// bayesianScore() of core/src/reviews/score.ts in SQL. The 1e0 makes it DOUBLE arithmetic, as in JS: DECIMAL
// division would round to 4 places and order near-equal stores differently from the score shown.
function storeScore(table: string): RawBuilder<number> {
  return sql<number>`(${sql.lit(RATING_PRIOR_WEIGHT * RATING_PRIOR_MEAN)} * 1e0 + ${sql.ref(`${table}.rating_sum`)}) / (${sql.lit(RATING_PRIOR_WEIGHT)} + ${sql.ref(`${table}.rating_count`)})`;
}

/**
 * Great-circle distance in metres from `point` to a store's lat/lng (haversine). Computed in SQL, not in
 * TS after the query: sort=distance and maxDistanceKm must apply before LIMIT/OFFSET, which in TS would
 * mean loading every matching store to page through them. LEAST(1, …) keeps ASIN defined when rounding
 * pushes the argument a hair above 1 (antipodal points).
 */
function distanceMeters(table: string, point: GeoPoint): RawBuilder<number> {
  const lat = sql.ref(`${table}.lat`);
  const lng = sql.ref(`${table}.lng`);
  return sql<number>`(${sql.lit(2 * EARTH_RADIUS_M)} * ASIN(LEAST(1, SQRT(
    POWER(SIN(RADIANS(${lat} - ${point.lat}) / 2), 2)
    + COS(RADIANS(${point.lat})) * COS(RADIANS(${lat})) * POWER(SIN(RADIANS(${lng} - ${point.lng}) / 2), 2)))))`;
}

/** LIKE pattern for "contains text", with % and _ (and the escape character !) taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, '!$&')}%`;
}

export interface StoreListFilter {
  industry?: string | undefined;
  merchantId?: number | undefined;
  /** Store name, industry label, or name/category of one of the store's active services contains it. */
  q?: string | undefined;
  /** Each store then carries distance_meters. */
  near?: GeoPoint | undefined;
  /** Only stores at most this far from `near`. */
  maxDistanceKm?: number | undefined;
  /** 'rating': by Bayesian score (core/src/reviews/score.ts) descending; 'distance': nearest first (needs `near`); then id. */
  sort?: 'id' | 'rating' | 'distance' | undefined;
  /** Only stores with reviews whose unrounded score reaches this. */
  minRating?: number | undefined;
  limit: number;
  offset: number;
}

export type StoreListRow = StoreRow & { distance_meters?: number };

export async function listStores(db: Kysely<Database>, filter: StoreListFilter): Promise<StoreListRow[]> {
  let query = db.selectFrom('stores').selectAll('stores').where('stores.status', '=', 'active');
  if (filter.industry) query = query.where('stores.industry', '=', filter.industry);
  if (filter.merchantId !== undefined) query = query.where('stores.merchant_id', '=', filter.merchantId);
  if (filter.minRating !== undefined) query = query.where('stores.rating_count', '>', 0).where(storeScore('stores'), '>=', filter.minRating);
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    const industries = industriesMatching(filter.q);
    query = query.where((eb) =>
      eb.or([
        sql<boolean>`stores.name LIKE ${pattern} ESCAPE '!'`,
        ...(industries.length > 0 ? [eb('stores.industry', 'in', industries)] : []),
        eb.exists(
          eb
            .selectFrom('services')
            .select(sql.lit(1).as('one'))
            .whereRef('services.store_id', '=', 'stores.id')
            .where('services.status', '=', 'active')
            .where(sql<boolean>`(services.name LIKE ${pattern} ESCAPE '!' OR services.category LIKE ${pattern} ESCAPE '!')`),
        ),
      ]),
    );
  }
  const near = filter.near;
  if (near) {
    const distance = distanceMeters('stores', near);
    let withDistance = query.select(sql<number>`ROUND(${distance})`.as('distance_meters'));
    if (filter.maxDistanceKm !== undefined) {
      // A bounding box first (plain comparisons on lat/lng), then the exact distance.
      const metres = filter.maxDistanceKm * 1000;
      const dLat = metres / METRES_PER_DEGREE_LAT;
      withDistance = withDistance.where('stores.lat', '>=', near.lat - dLat).where('stores.lat', '<=', near.lat + dLat);
      const cosLat = Math.cos(((Math.abs(near.lat) + dLat) * Math.PI) / 180);
      if (Math.abs(near.lat) + dLat < 89 && cosLat > 0) {
        const dLng = dLat / cosLat;
        if (dLng < 180) withDistance = withDistance.where(sql<boolean>`(ABS(${sql.ref('stores.lng')} - ${near.lng}) <= ${dLng} OR ABS(${sql.ref('stores.lng')} - ${near.lng}) >= ${360 - dLng})`);
      }
      withDistance = withDistance.where(distance, '<=', metres);
    }
    if (filter.sort === 'distance') withDistance = withDistance.orderBy(distance, 'asc');
    else if (filter.sort === 'rating') withDistance = withDistance.orderBy(storeScore('stores'), 'desc');
    return withDistance.orderBy('stores.id').limit(filter.limit).offset(filter.offset).execute();
  }
  if (filter.sort === 'rating') query = query.orderBy(storeScore('stores'), 'desc');
  return query.orderBy('stores.id').limit(filter.limit).offset(filter.offset).execute();
}

/** Active stores per industry code. */
export async function activeStoreCountsByIndustry(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('stores')
    .select(['industry', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('status', '=', 'active')
    .groupBy('industry')
    .execute();
  return new Map(rows.map((r) => [r.industry, Number(r.n)]));
}

/** Distance at which nearness halves a service's rank in recommendations. */
export const RECOMMEND_HALF_RANK_METRES = 5000;
/** At most this many services of one store among the recommendations, so one store cannot fill the home page. */
export const RECOMMEND_PER_STORE = 2;

export interface RecommendedServiceRow {
  service_id: number;
  name: string;
  category: string;
  price_fen: number;
  duration_minutes: number;
  store_id: number;
  store_name: string;
  industry: string;
  rating_sum: number;
  rating_count: number;
  distance_meters: number | null;
}

/**
 * Active services of active stores for the home page, best first:
 *
 *   rank = score                                   without a location
 *   rank = score × H / (H + distance in metres)    with one (H = RECOMMEND_HALF_RANK_METRES)
 *
 * where score is the store's Bayesian rating score. A store's services keep their catalog order (id), and
 * only its first RECOMMEND_PER_STORE take part; ties go to the lower store id, then service id.
 */
export async function recommendedServices(db: Kysely<Database>, options: { near?: GeoPoint | undefined; limit: number }): Promise<RecommendedServiceRow[]> {
  const near = options.near;
  const distance = near ? distanceMeters('st', near) : null;
  const rank = distance ? sql<number>`${storeScore('st')} * ${sql.lit(RECOMMEND_HALF_RANK_METRES)} / (${sql.lit(RECOMMEND_HALF_RANK_METRES)} + ${distance})` : storeScore('st');
  const candidates = db
    .selectFrom('services as s')
    .innerJoin('stores as st', 'st.id', 's.store_id')
    .select([
      's.id as service_id',
      's.name',
      's.category',
      's.price_fen',
      's.duration_minutes',
      'st.id as store_id',
      'st.name as store_name',
      'st.industry',
      'st.rating_sum',
      'st.rating_count',
      (distance ? sql<number | null>`ROUND(${distance})` : sql<number | null>`NULL`).as('distance_meters'),
      rank.as('rank'),
      sql<number>`ROW_NUMBER() OVER (PARTITION BY s.store_id ORDER BY s.id)`.as('nth'),
    ])
    .where('s.status', '=', 'active')
    .where('st.status', '=', 'active');
  const rows = await db
    .selectFrom(candidates.as('c'))
    .selectAll('c')
    .where('c.nth', '<=', RECOMMEND_PER_STORE)
    .orderBy('c.rank', 'desc')
    .orderBy('c.store_id')
    .orderBy('c.service_id')
    .limit(options.limit)
    .execute();
  return rows.map(({ rank: _rank, nth: _nth, ...row }) => ({ ...row, distance_meters: row.distance_meters === null ? null : Number(row.distance_meters) }));
}
