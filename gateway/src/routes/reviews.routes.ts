import { Router } from 'express';
import { AppError } from '../../../core/src/errors.ts';
import { negotiateLocale } from '../../../core/src/i18n/index.ts';
import { submitReview } from '../../../core/src/reviews/submit-review.ts';
import { findStore } from '../../../db/src/repositories/catalog.repository.ts';
import { listMerchantReviews, listStoreReviews, reviewOfBookingWithNames } from '../../../db/src/repositories/review.repository.ts';
import { actorOf, requireCustomer, requireStaff, staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import {
  BookingIdParams,
  BookingReviewSchema,
  IdParams,
  MerchantReviewsQuery,
  ReviewBody,
  ReviewListQuery,
  ReviewPageSchema,
} from '../http/schemas.ts';
import { parse } from '../http/validate.ts';
import { bookingReviewView, decodeCursor, nextCursor, reviewView } from '../reviews/review-view.ts';

describeRoute({
  method: 'post',
  path: '/v1/bookings/{id}/review',
  summary: 'Rate and review a completed booking, once',
  description:
    'rating (1–5) is for the service, staffRating (1–5) for the staff member who served the booking. Updates the store’s and the staff member’s ratings in the same transaction. 409 REVIEW_NOT_ALLOWED before the booking is COMPLETED, 409 REVIEW_ALREADY_EXISTS the second time.',
  auth: true,
  request: { params: BookingIdParams, body: { content: { 'application/json': { schema: ReviewBody } } } },
  ok: { status: 201, schema: BookingReviewSchema, description: 'The review as stored (text cleaned)' },
  errors: [400, 401, 403, 404, 409],
});
describeRoute({
  method: 'get',
  path: '/v1/stores/{id}/reviews',
  summary: 'A store’s reviews, newest first',
  description: 'Reviewers are masked (顾客***12). Page with limit and the nextCursor of the previous page.',
  request: { params: IdParams, query: ReviewListQuery },
  ok: { status: 200, schema: ReviewPageSchema, description: 'Reviews' },
  errors: [400, 404],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/reviews',
  summary: 'Reviews of the merchant’s stores (one store for store-bound staff), newest first',
  auth: true,
  request: { query: MerchantReviewsQuery },
  ok: { status: 200, schema: ReviewPageSchema.extend({ reviews: BookingReviewSchema.array() }), description: 'Reviews with their booking ids' },
  errors: [400, 401, 403],
});

export function reviewRoutes(deps: GatewayDeps): Router {
  const router = Router();

  router.post('/v1/bookings/:id/review', requireCustomer(deps.tokens), async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const body = parse(ReviewBody, req.body ?? {}, 'body');
    const review = await submitReview(deps, actorOf(res), id, body);
    const row = await reviewOfBookingWithNames(deps.db, review.bookingId);
    if (!row) throw new Error(`review of booking ${review.bookingId} vanished after its commit`);
    res.status(201).json(bookingReviewView(row, negotiateLocale(req.headers['accept-language'])));
  });

  router.get('/v1/stores/:id/reviews', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const query = parse(ReviewListQuery, req.query, 'query');
    const before = decodeCursor(query.cursor);
    if (!(await findStore(deps.db, id))) throw new AppError('STORE_NOT_FOUND', `store ${id} not found`);
    const rows = await listStoreReviews(deps.db, id, { limit: query.limit, before });
    const locale = negotiateLocale(req.headers['accept-language']);
    res.json({ reviews: rows.map((row) => reviewView(row, locale)), nextCursor: nextCursor(rows, query.limit) });
  });

  router.get('/v1/merchant/reviews', requireStaff(deps.tokens), async (req, res) => {
    const staff = staffOf(res);
    const query = parse(MerchantReviewsQuery, req.query, 'query');
    if (staff.storeId !== null && query.storeId !== undefined && query.storeId !== staff.storeId) {
      throw new AppError('FORBIDDEN', 'staff may only see their own store');
    }
    const before = decodeCursor(query.cursor);
    const rows = await listMerchantReviews(deps.db, staff.merchantId, { storeId: staff.storeId ?? query.storeId, limit: query.limit, before });
    const locale = negotiateLocale(req.headers['accept-language']);
    res.json({ reviews: rows.map((row) => bookingReviewView(row, locale)), nextCursor: nextCursor(rows, query.limit) });
  });

  return router;
}
