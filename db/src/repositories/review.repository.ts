import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';
import type { NewReview, ReviewRow } from '../tables/review.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Inserts a review and returns its id. A second review of the same booking
 * fails with a duplicate-key error (errno 1062) on `reviews_booking_uq`; the
 * caller maps it, so concurrent submits end in exactly one row.
 */
export async function insertReview(trx: Transaction<Database>, row: NewReview): Promise<number> {
  const result = await trx.insertInto('reviews').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

/** Adds one rating to a store's running totals (row lock until the review's transaction ends). */
export async function addStoreRating(trx: Transaction<Database>, storeId: number, rating: number): Promise<void> {
  await trx
    .updateTable('stores')
    .set((eb) => ({ rating_sum: eb('rating_sum', '+', rating), rating_count: eb('rating_count', '+', 1) }))
    .where('id', '=', storeId)
    .execute();
}

export async function addResourceRating(trx: Transaction<Database>, resourceId: number, rating: number): Promise<void> {
  await trx
    .updateTable('resources')
    .set((eb) => ({ rating_sum: eb('rating_sum', '+', rating), rating_count: eb('rating_count', '+', 1) }))
    .where('id', '=', resourceId)
    .execute();
}

/**
 * The staff member who served a booking: the chosen resource if it is staff,
 * else the one staff resource among the booking's cells. Null when no staff
 * took part, or when several did (a staff rating would not say whom it rates).
 */
export async function staffResourceOfBooking(db: Db, booking: { id: string; resourceId: number | null }): Promise<number | null> {
  if (booking.resourceId !== null) {
    const chosen = await db.selectFrom('resources').select('id').where('id', '=', booking.resourceId).where('kind', '=', 'staff').executeTakeFirst();
    if (chosen) return chosen.id;
  }
  const staff = await db
    .selectFrom('booking_cells as bc')
    .innerJoin('resources as r', 'r.id', 'bc.resource_id')
    .select('r.id')
    .distinct()
    .where('bc.booking_id', '=', booking.id)
    .where('r.kind', '=', 'staff')
    .limit(2)
    .execute();
  return staff.length === 1 ? staff[0]!.id : null;
}

export async function reviewOfBooking(db: Db, bookingId: string): Promise<ReviewRow | undefined> {
  return db.selectFrom('reviews').selectAll().where('booking_id', '=', bookingId).executeTakeFirst();
}

export type ReviewListRow = ReviewRow & { service_name: string | null; staff_name: string | null };

/** Keyset position: reviews strictly older than this one (newest first by created_at, then id). */
export interface ReviewPosition {
  createdAt: Date;
  id: number;
}

export interface ReviewListFilter {
  storeId?: number | undefined;
  limit: number;
  before?: ReviewPosition | undefined;
}

/** A store's reviews, newest first (index reviews_store_created_idx). */
export async function listStoreReviews(db: Db, storeId: number, filter: Omit<ReviewListFilter, 'storeId'>): Promise<ReviewListRow[]> {
  return listReviews(db, { ...filter, storeId }, undefined);
}

/** Tenant-scoped: the merchant id (and a store-bound staff member's store) come from the caller's token. */
export async function listMerchantReviews(db: Db, merchantId: number, filter: ReviewListFilter): Promise<ReviewListRow[]> {
  return listReviews(db, filter, merchantId);
}

function reviewsWithNames(db: Db) {
  return db
    .selectFrom('reviews as v')
    .leftJoin('services as s', 's.id', 'v.service_id')
    .leftJoin('resources as r', 'r.id', 'v.resource_id')
    .selectAll('v')
    .select(['s.name as service_name', 'r.name as staff_name']);
}

export async function reviewOfBookingWithNames(db: Db, bookingId: string): Promise<ReviewListRow | undefined> {
  return reviewsWithNames(db).where('v.booking_id', '=', bookingId).executeTakeFirst();
}

async function listReviews(db: Db, filter: ReviewListFilter, merchantId: number | undefined): Promise<ReviewListRow[]> {
  let query = reviewsWithNames(db);
  if (merchantId !== undefined) query = query.where('v.merchant_id', '=', merchantId);
  if (filter.storeId !== undefined) query = query.where('v.store_id', '=', filter.storeId);
  const before = filter.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([eb('v.created_at', '<', before.createdAt), eb.and([eb('v.created_at', '=', before.createdAt), eb('v.id', '<', before.id)])]),
    );
  }
  return query.orderBy('v.created_at', 'desc').orderBy('v.id', 'desc').limit(filter.limit).execute();
}

/** Rating totals of a store's resources, for the store detail. */
export async function resourceRatingTotals(db: Db, storeId: number): Promise<Map<number, { sum: number; count: number }>> {
  const rows = await db.selectFrom('resources').select(['id', 'rating_sum', 'rating_count']).where('store_id', '=', storeId).execute();
  return new Map(rows.map((r) => [r.id, { sum: r.rating_sum, count: r.rating_count }]));
}
