import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../../../db/src/repositories/booking.repository.ts';
import { createClassStudio, createSalon, type ClassFixture, type SalonFixture } from '../../../db/testing/fixtures.ts';
import { createFinishedBooking } from '../../../db/testing/finished-bookings.ts';
import { createTestEnv, type TestEnv } from '../../../db/testing/test-env.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../lifecycle/deps.ts';
import { submitReview } from './submit-review.ts';

let env: TestEnv;
let salon: SalonFixture;
let studio: ClassFixture;
let nextCustomer = 100;

const customer = (customerId: number): Actor => ({ kind: 'customer', customerId });
const YESTERDAY = () => env.clock.now() - 24 * 3600_000;

async function completedHaircut(customerId: number, options: { resourceId?: number | null; cellResourceIds?: number[]; status?: 'COMPLETED' | 'CONFIRMED' | 'CANCELLED' | 'NO_SHOW' } = {}) {
  return createFinishedBooking(env.db, {
    merchantId: salon.merchantId,
    storeId: salon.storeId,
    serviceId: salon.haircutId,
    customerId,
    resourceId: options.resourceId === undefined ? salon.stylistIds[0]! : options.resourceId,
    ...(options.cellResourceIds ? { cellResourceIds: options.cellResourceIds } : {}),
    ...(options.status ? { status: options.status } : {}),
    startMs: YESTERDAY(),
  });
}

async function totals() {
  const store = await env.db.selectFrom('stores').select(['rating_sum', 'rating_count']).where('id', '=', salon.storeId).executeTakeFirstOrThrow();
  const stylists = await env.db.selectFrom('resources').select(['id', 'rating_sum', 'rating_count']).where('store_id', '=', salon.storeId).orderBy('id').execute();
  const reviews = await env.db.selectFrom('reviews').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { store, stylists, reviews: Number(reviews.n) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

beforeAll(async () => {
  env = await createTestEnv('reviews');
  salon = await createSalon(env.db, env.clock.now(), { stylists: 2 });
  studio = await createClassStudio(env.db, env.clock.now());
});

afterAll(async () => {
  await env?.cleanup();
});

describe('submitReview', () => {
  it('when the customer reviews a completed booking, then the review, the store and staff totals and a REVIEWED event are written together', async () => {
    const customerId = nextCustomer++;
    const bookingId = await completedHaircut(customerId);
    const before = await totals();

    const review = await submitReview(env, customer(customerId), bookingId, { rating: 4, staffRating: 5, text: '  剪得很好\u0007，下次还来  ' });

    expect(review).toMatchObject({ bookingId, storeId: salon.storeId, rating: 4, staffRating: 5, staffResourceId: salon.stylistIds[0], text: '剪得很好，下次还来' });
    expect(review.createdAt.getTime()).toBe(env.clock.now());
    const after = await totals();
    expect(after.reviews).toBe(before.reviews + 1);
    expect(after.store).toEqual({ rating_sum: before.store.rating_sum + 4, rating_count: before.store.rating_count + 1 });
    const stylist = (t: typeof after, id: number) => t.stylists.find((s) => s.id === id)!;
    expect(stylist(after, salon.stylistIds[0]!)).toEqual({ ...stylist(before, salon.stylistIds[0]!), rating_sum: stylist(before, salon.stylistIds[0]!).rating_sum + 5, rating_count: stylist(before, salon.stylistIds[0]!).rating_count + 1 });
    expect(stylist(after, salon.stylistIds[1]!)).toEqual(stylist(before, salon.stylistIds[1]!));
    const row = await env.db.selectFrom('reviews').selectAll().where('booking_id', '=', bookingId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ customer_id: customerId, merchant_id: salon.merchantId, service_id: salon.haircutId, resource_id: salon.stylistIds[0], rating: 4, staff_rating: 5 });
    const events = await eventsOf(env.db, bookingId);
    expect(events.map((e) => [e.type, e.from_status, e.to_status, e.actor])).toEqual([['REVIEWED', null, null, `customer:${customerId}`]]);
    expect(JSON.parse(events[0]!.payload)).toMatchObject({ reviewId: review.reviewId, rating: 4, staffRating: 5 });
    const booking = await env.db.selectFrom('bookings').select('status').where('id', '=', bookingId).executeTakeFirstOrThrow();
    expect(booking.status).toBe('COMPLETED');
  });

  it('when the customer reviews the same booking again, then REVIEW_ALREADY_EXISTS and nothing changes', async () => {
    const customerId = nextCustomer++;
    const bookingId = await completedHaircut(customerId);
    await submitReview(env, customer(customerId), bookingId, { rating: 5, text: '' });
    const before = await totals();

    expect(await codeOf(submitReview(env, customer(customerId), bookingId, { rating: 1, staffRating: 1, text: '改主意了' }))).toBe('REVIEW_ALREADY_EXISTS');

    expect(await totals()).toEqual(before);
    expect((await eventsOf(env.db, bookingId)).filter((e) => e.type === 'REVIEWED')).toHaveLength(1);
  });

  it('when the same review is submitted many times at once, then exactly one is stored and counted', async () => {
    const customerId = nextCustomer++;
    const bookingId = await completedHaircut(customerId);
    const before = await totals();

    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => codeOf(submitReview(env, customer(customerId), bookingId, { rating: 1 + (i % 5), staffRating: 3, text: `第${i}次` }))));

    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'OK')).toEqual(Array(7).fill('REVIEW_ALREADY_EXISTS'));
    const rows = await env.db.selectFrom('reviews').selectAll().where('booking_id', '=', bookingId).execute();
    expect(rows).toHaveLength(1);
    const after = await totals();
    expect(after.reviews).toBe(before.reviews + 1);
    expect(after.store).toEqual({ rating_sum: before.store.rating_sum + rows[0]!.rating, rating_count: before.store.rating_count + 1 });
    expect((await eventsOf(env.db, bookingId)).filter((e) => e.type === 'REVIEWED')).toHaveLength(1);
  });

  it('when another customer or a merchant tries to review the booking, then it looks missing (404) or forbidden, and nothing is written', async () => {
    const owner = nextCustomer++;
    const bookingId = await completedHaircut(owner);
    const before = await totals();

    expect(await codeOf(submitReview(env, customer(owner + 10_000), bookingId, { rating: 1, text: '' }))).toBe('BOOKING_NOT_FOUND');
    expect(await codeOf(submitReview(env, customer(owner), `${bookingId.slice(0, -2)}99`, { rating: 1, text: '' }))).toBe('BOOKING_NOT_FOUND');
    expect(await codeOf(submitReview(env, { kind: 'merchant', merchantId: salon.merchantId, staffId: 1, storeId: null }, bookingId, { rating: 5, text: '' }))).toBe('FORBIDDEN');

    expect(await totals()).toEqual(before);
  });

  it.each(['CONFIRMED', 'CANCELLED', 'NO_SHOW'] as const)('when the booking is %s, then REVIEW_NOT_ALLOWED and nothing is written', async (status) => {
    const customerId = nextCustomer++;
    const bookingId = await completedHaircut(customerId, { status });
    const before = await totals();

    expect(await codeOf(submitReview(env, customer(customerId), bookingId, { rating: 5, text: '' }))).toBe('REVIEW_NOT_ALLOWED');

    expect(await totals()).toEqual(before);
    expect(await eventsOf(env.db, bookingId)).toEqual([]);
  });

  it('when the customer chose "any" stylist, then the staff rating goes to the stylist whose cells the booking took', async () => {
    const customerId = nextCustomer++;
    const bookingId = await completedHaircut(customerId, { resourceId: null, cellResourceIds: [salon.stylistIds[1]!] });
    const before = await totals();

    const review = await submitReview(env, customer(customerId), bookingId, { rating: 5, staffRating: 2, text: '' });

    expect(review.staffResourceId).toBe(salon.stylistIds[1]);
    const after = await totals();
    expect(after.stylists.find((s) => s.id === salon.stylistIds[1])).toMatchObject({
      rating_sum: before.stylists.find((s) => s.id === salon.stylistIds[1])!.rating_sum + 2,
    });
  });

  it('when the booking had no staff (a class in a studio), then a staff rating is refused, and a plain rating is accepted', async () => {
    const customerId = nextCustomer++;
    const bookingId = await createFinishedBooking(env.db, {
      merchantId: studio.merchantId,
      storeId: studio.storeId,
      serviceId: studio.classId,
      customerId,
      resourceId: null,
      cellResourceIds: [studio.studioId],
      startMs: YESTERDAY(),
    });

    expect(await codeOf(submitReview(env, customer(customerId), bookingId, { rating: 5, staffRating: 5, text: '' }))).toBe('REVIEW_NO_STAFF');
    expect(await env.db.selectFrom('reviews').selectAll().where('booking_id', '=', bookingId).execute()).toEqual([]);

    const review = await submitReview(env, customer(customerId), bookingId, { rating: 3, text: '教练不错' });
    expect(review).toMatchObject({ staffResourceId: null, staffRating: null });
    const store = await env.db.selectFrom('stores').select(['rating_sum', 'rating_count']).where('id', '=', studio.storeId).executeTakeFirstOrThrow();
    expect(store).toEqual({ rating_sum: 3, rating_count: 1 });
  });

  it('when a rating is out of range or the text too long, then VALIDATION_FAILED names each field and nothing is written', async () => {
    const customerId = nextCustomer++;
    const bookingId = await completedHaircut(customerId);
    const before = await totals();

    for (const input of [{ rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: 5, staffRating: 0 }, { rating: 5, text: '好'.repeat(501) }]) {
      const error = await submitReview(env, customer(customerId), bookingId, { text: '', ...input }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('VALIDATION_FAILED');
      expect((error as AppError).details.issues).toHaveLength(1);
    }
    // 500 characters of emoji are 1000 UTF-16 units, and still fit varchar(500).
    await submitReview(env, customer(customerId), bookingId, { rating: 5, text: '😀'.repeat(500) });
    expect((await totals()).reviews).toBe(before.reviews + 1);
  });
});
