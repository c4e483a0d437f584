import { appendEvents } from '../../../db/src/repositories/booking.repository.ts';
import { addResourceRating, addStoreRating, insertReview, staffResourceOfBooking } from '../../../db/src/repositories/review.repository.ts';
import { inTransaction, isDuplicateKeyError } from '../../../db/src/transaction.ts';
import { AppError } from '../errors.ts';
import { type Actor, actorLabel, type LifecycleDeps } from '../lifecycle/deps.ts';
import { findVisibleBooking } from '../lifecycle/find.ts';
import { cleanReviewText, REVIEW_TEXT_MAX_CHARS, reviewTextLength } from './review-input.ts';
import { isValidRating } from './score.ts';

export interface ReviewInput {
  /** The service, 1–5. */
  rating: number;
  /** The staff member who served the booking, 1–5; only when one did. */
  staffRating?: number | undefined;
  text: string;
}

export interface SubmittedReview {
  reviewId: number;
  bookingId: string;
  storeId: number;
  serviceId: number;
  staffResourceId: number | null;
  rating: number;
  staffRating: number | null;
  text: string;
  createdAt: Date;
}

/**
 * The customer's one review of a completed booking. The review row, the
 * store's (and staff member's) rating totals and the REVIEWED event are
 * written in one transaction, so the totals always equal the reviews.
 * "Once" is the reviews_booking_uq key's job: a second or concurrent submit
 * fails the insert and answers REVIEW_ALREADY_EXISTS with nothing changed.
 */
export async function submitReview(deps: LifecycleDeps, actor: Actor, bookingId: string, input: ReviewInput): Promise<SubmittedReview> {
  if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'only customers review bookings');
  const text = cleanReviewText(input.text);
  assertValid(input, text);
  const found = await findVisibleBooking(deps, actor, bookingId);
  // COMPLETED is final, so reading it outside the transaction cannot go stale.
  if (found.kind !== 'row' || found.row.status !== 'COMPLETED') {
    throw new AppError('REVIEW_NOT_ALLOWED', `booking ${bookingId} is ${found.kind === 'row' ? found.row.status : 'PENDING'}`);
  }
  const booking = found.row;
  const staffResourceId = input.staffRating === undefined ? null : await staffResourceOfBooking(deps.db, { id: booking.id, resourceId: booking.resource_id });
  if (input.staffRating !== undefined && staffResourceId === null) throw new AppError('REVIEW_NO_STAFF', `booking ${bookingId} has no single staff member`);
  const staffRating = input.staffRating ?? null;
  const now = deps.clock.now();

  const reviewId = await inTransaction(deps.db, async (trx) => {
    let id: number;
    try {
      id = await insertReview(trx, {
        merchant_id: booking.merchant_id,
        store_id: booking.store_id,
        service_id: booking.service_id,
        booking_id: booking.id,
        customer_id: booking.customer_id,
        resource_id: staffResourceId,
        rating: input.rating,
        staff_rating: staffRating,
        text,
        created_at: new Date(now),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new AppError('REVIEW_ALREADY_EXISTS', `booking ${bookingId} already reviewed`);
      throw error;
    }
    await addStoreRating(trx, booking.store_id, input.rating);
    if (staffResourceId !== null && staffRating !== null) await addResourceRating(trx, staffResourceId, staffRating);
    await appendEvents(trx, [
      {
        booking_id: booking.id,
        merchant_id: booking.merchant_id,
        type: 'REVIEWED',
        // Not a status change: the booking stays COMPLETED.
        from_status: null,
        to_status: null,
        actor: actorLabel(actor),
        payload: JSON.stringify({ reviewId: id, rating: input.rating, staffRating, staffResourceId, textChars: reviewTextLength(text) }),
        occurred_at: new Date(now),
      },
    ]);
    return id;
  });

  return {
    reviewId,
    bookingId: booking.id,
    storeId: booking.store_id,
    serviceId: booking.service_id,
    staffResourceId,
    rating: input.rating,
    staffRating,
    text,
    createdAt: new Date(now),
  };
}

/** The gateway's schema checks the same first; this keeps other callers from reaching the CHECK constraints. */
function assertValid(input: ReviewInput, text: string): void {
  const issues: { path: string; message: string }[] = [];
  if (!isValidRating(input.rating)) issues.push({ path: 'rating', message: '评分须为 1 到 5 的整数' });
  if (input.staffRating !== undefined && !isValidRating(input.staffRating)) issues.push({ path: 'staffRating', message: '人员评分须为 1 到 5 的整数' });
  if (reviewTextLength(text) > REVIEW_TEXT_MAX_CHARS) issues.push({ path: 'text', message: `评价内容最多 ${REVIEW_TEXT_MAX_CHARS} 个字` });
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', 'invalid review', { issues });
}
