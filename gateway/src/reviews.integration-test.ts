import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { submitReview } from '../../core/src/reviews/submit-review.ts';
import { createResource, createStaffUser, createStore } from '../../db/src/repositories/catalog-admin.repository.ts';
import { createSalon, type SalonFixture } from '../../db/testing/fixtures.ts';
import { createFinishedBooking } from '../../db/testing/finished-bookings.ts';
import { startTestStack, type TestStack } from '../testing/test-stack.ts';

let stack: TestStack;
let salon: SalonFixture;
/** A second store of the salon's merchant, for store-bound staff. */
let branchId: number;
let branchStylistId: number;
let alice: string;
let bob: string;
let aliceId: number;
let bobId: number;

const HOUR = 3600_000;
let seededCustomer = 50_000;

async function customerIdOf(user: string): Promise<number> {
  const row = await stack.env.db.selectFrom('customers').select('id').where('openid', '=', stack.wechat.openidFor(user)).executeTakeFirstOrThrow();
  return row.id;
}

function completed(customerId: number, storeId = salon.storeId, resourceId: number | null = salon.stylistIds[0]!, status: 'COMPLETED' | 'CONFIRMED' = 'COMPLETED') {
  return createFinishedBooking(stack.env.db, {
    merchantId: salon.merchantId,
    storeId,
    serviceId: salon.haircutId,
    customerId,
    resourceId,
    status,
    startMs: stack.env.clock.now() - 24 * HOUR,
  });
}

async function storeTotals(storeId: number) {
  return stack.env.db.selectFrom('stores').select(['rating_sum', 'rating_count']).where('id', '=', storeId).executeTakeFirstOrThrow();
}

async function reviewCount(): Promise<number> {
  const row = await stack.env.db.selectFrom('reviews').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Another merchant's salon with the given ratings already reviewed. */
async function ratedSalon(name: string, ratings: number[]): Promise<number> {
  const other = await createSalon(stack.env.db, stack.env.clock.now(), { name, stylists: 1 });
  for (const rating of ratings) {
    const customerId = seededCustomer++;
    const bookingId = await createFinishedBooking(stack.env.db, {
      merchantId: other.merchantId,
      storeId: other.storeId,
      serviceId: other.haircutId,
      customerId,
      resourceId: other.stylistIds[0]!,
      startMs: stack.env.clock.now() - 24 * HOUR,
    });
    await submitReview(stack.env, { kind: 'customer', customerId }, bookingId, { rating, text: '' });
  }
  return other.storeId;
}

beforeAll(async () => {
  stack = await startTestStack('reviews', { workers: false });
  const now = stack.env.clock.now();
  salon = await createSalon(stack.env.db, now, { stylists: 2, name: '评价发廊' });
  branchId = await createStore(stack.env.db, { merchantId: salon.merchantId, name: '评价发廊·二店', industry: 'hair_salon', address: '上海市黄浦区', lat: 31.23, lng: 121.48 }, now);
  branchStylistId = await createResource(stack.env.db, { merchantId: salon.merchantId, storeId: branchId, kind: 'staff', name: '二店发型师', skills: ['cut'] }, now);
  const other = await createSalon(stack.env.db, now, { name: '别家发廊', stylists: 1 });
  const passwordHash = await hashPassword('pw-123456');
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: null, username: 'rv-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: salon.storeId, username: 'rv-staff', displayName: 's', passwordHash, role: 'staff' }, now);
  await createStaffUser(stack.env.db, { merchantId: other.merchantId, storeId: null, username: 'rv-other', displayName: 'x', passwordHash, role: 'owner' }, now);
  alice = await stack.login('alice');
  bob = await stack.login('bob');
  aliceId = await customerIdOf('alice');
  bobId = await customerIdOf('bob');
});

afterAll(async () => {
  await stack?.stop();
});

describe('POST /v1/bookings/:id/review', () => {
  it('when the customer reviews a completed visit, then 201 with the stored review, and the store and stylist ratings move', async () => {
    const bookingId = await completed(aliceId);

    const response = await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: alice, body: { rating: 4, staffRating: 5, text: '  剪得很满意\u0000  ' } });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(Number),
      bookingId,
      storeId: salon.storeId,
      service: { id: salon.haircutId, name: '洗剪吹' },
      staff: { id: salon.stylistIds[0], name: '发型师1' },
      rating: 4,
      staffRating: 5,
      text: '剪得很满意',
      reviewer: expect.stringMatching(/^顾客\*\*\*\d{2}$/),
      createdAt: new Date(stack.env.clock.now()).toISOString(),
    });
    const detail = (await stack.request('GET', `/v1/stores/${salon.storeId}`)).body;
    expect(detail.rating).toEqual({ average: 4, count: 1, score: 4 });
    expect(detail.resources.find((r: any) => r.id === salon.stylistIds[0]).rating).toEqual({ average: 5, count: 1 });
    expect(detail.resources.find((r: any) => r.id === salon.stylistIds[1]).rating).toEqual({ average: null, count: 0 });
  });

  it('when the customer reviews the same visit again, then 409 REVIEW_ALREADY_EXISTS in Chinese and the ratings stay', async () => {
    const bookingId = await completed(aliceId);
    expect((await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: alice, body: { rating: 5 } })).status).toBe(201);
    const before = { totals: await storeTotals(salon.storeId), reviews: await reviewCount() };

    const again = await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: alice, body: { rating: 1, text: '再评一次' } });

    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'REVIEW_ALREADY_EXISTS', message: '该预约已评价过，每个预约只能评价一次' });
    expect({ totals: await storeTotals(salon.storeId), reviews: await reviewCount() }).toEqual(before);
    const english = await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: alice, body: { rating: 1 }, headers: { 'accept-language': 'en' } });
    expect(english.body.error.message).toMatch(/already been reviewed/);
  });

  it('when the customer double-submits at once, then exactly one 201 and one 409, and one review row', async () => {
    const bookingId = await completed(bobId);
    const before = await storeTotals(salon.storeId);

    const responses = await Promise.all([1, 2, 3, 4].map(() => stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: bob, body: { rating: 5, staffRating: 4 } })));

    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await stack.env.db.selectFrom('reviews').select('id').where('booking_id', '=', bookingId).execute()).toHaveLength(1);
    expect(await storeTotals(salon.storeId)).toEqual({ rating_sum: before.rating_sum + 5, rating_count: before.rating_count + 1 });
  });

  it('when another customer reviews the visit, then 404 as for a missing booking, and nothing is written', async () => {
    const bookingId = await completed(aliceId);
    const before = await reviewCount();

    const response = await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: bob, body: { rating: 1 } });

    expect([response.status, response.body.error.code]).toEqual([404, 'BOOKING_NOT_FOUND']);
    expect(await reviewCount()).toBe(before);
    const staff = await stack.staffLogin('rv-owner', 'pw-123456');
    expect((await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: staff, body: { rating: 5 } })).status).toBe(401);
    expect((await stack.request('POST', `/v1/bookings/${bookingId}/review`, { body: { rating: 5 } })).status).toBe(401);
  });

  it('when the visit is not completed yet, then 409 REVIEW_NOT_ALLOWED and nothing is written', async () => {
    const bookingId = await completed(aliceId, salon.storeId, salon.stylistIds[0]!, 'CONFIRMED');
    const before = await reviewCount();

    const response = await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: alice, body: { rating: 5 } });

    expect(response.status).toBe(409);
    expect(response.body.error).toEqual({ code: 'REVIEW_NOT_ALLOWED', message: '服务完成后才能评价' });
    expect(await reviewCount()).toBe(before);
  });

  it.each([
    [{ rating: 0 }, 'body.rating'],
    [{ rating: 6 }, 'body.rating'],
    [{ rating: 'x' }, 'body.rating'],
    [{ rating: 4.5 }, 'body.rating'],
    [{}, 'body.rating'],
    [{ rating: 5, staffRating: 6 }, 'body.staffRating'],
    [{ rating: 5, text: '好'.repeat(501) }, 'body.text'],
    [{ rating: 5, customerId: 1 }, 'body'],
  ])('when the body is %j, then 400 names %s and nothing is written', async (body, path) => {
    const bookingId = await completed(aliceId);
    const before = { totals: await storeTotals(salon.storeId), reviews: await reviewCount() };

    const response = await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: alice, body });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.issues.map((i: any) => i.path)).toEqual([path]);
    expect(response.body.error.issues[0].message).toMatch(/[\u4e00-\u9fff]/);
    expect({ totals: await storeTotals(salon.storeId), reviews: await reviewCount() }).toEqual(before);
  });

  it('when a staff rating is given for a visit without a staff member, then 400 REVIEW_NO_STAFF', async () => {
    const bookingId = await completed(aliceId, salon.storeId, null);
    const response = await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: alice, body: { rating: 5, staffRating: 5 } });
    expect([response.status, response.body.error.code]).toEqual([400, 'REVIEW_NO_STAFF']);
  });
});

describe('GET /v1/stores/:id/reviews', () => {
  it('when the public pages through a store’s reviews, then they come newest first with masked reviewers and no customer ids', async () => {
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      stack.env.clock.advance(60_000);
      const bookingId = await completed(aliceId);
      texts.unshift(`第${i}条`);
      expect((await stack.request('POST', `/v1/bookings/${bookingId}/review`, { token: alice, body: { rating: 5, text: `第${i}条` } })).status).toBe(201);
    }

    const first = await stack.request('GET', `/v1/stores/${salon.storeId}/reviews?limit=2`);
    const second = await stack.request('GET', `/v1/stores/${salon.storeId}/reviews?limit=2&cursor=${first.body.nextCursor}`);

    expect(first.status).toBe(200);
    expect(first.body.reviews.map((r: any) => r.text)).toEqual(texts.slice(0, 2));
    expect(second.body.reviews[0].text).toBe(texts[2]);
    const all = [...first.body.reviews, ...second.body.reviews];
    expect(new Set(all.map((r: any) => r.id)).size).toBe(all.length);
    const createdAt = all.map((r: any) => r.createdAt);
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
    for (const review of all) {
      expect(Object.keys(review).sort()).toEqual(['createdAt', 'id', 'rating', 'reviewer', 'service', 'staff', 'staffRating', 'storeId', 'text']);
      expect(review.reviewer).toMatch(/^顾客\*\*\*\d{2}$/);
    }
    expect(JSON.stringify(first.body)).not.toMatch(new RegExp(`"(customerId|customer_id|bookingId)"`));
  });

  it('when the cursor is bad or the store unknown, then 400 or 404', async () => {
    const bad = await stack.request('GET', `/v1/stores/${salon.storeId}/reviews?cursor=${Buffer.from('nonsense').toString('base64url')}`);
    expect([bad.status, bad.body.error.issues[0].path]).toEqual([400, 'query.cursor']);
    expect((await stack.request('GET', `/v1/stores/${salon.storeId}/reviews?limit=0`)).status).toBe(400);
    expect((await stack.request('GET', '/v1/stores/999999/reviews')).body.error.code).toBe('STORE_NOT_FOUND');
  });
});

describe('GET /v1/merchant/reviews', () => {
  let branchBooking: string;

  beforeAll(async () => {
    branchBooking = await completed(bobId, branchId, branchStylistId);
    expect((await stack.request('POST', `/v1/bookings/${branchBooking}/review`, { token: bob, body: { rating: 3, text: '二店一般' } })).status).toBe(201);
  });

  it('when the owner lists reviews, then every store of the merchant is in it, with booking ids', async () => {
    const owner = await stack.staffLogin('rv-owner', 'pw-123456');
    const response = await stack.request('GET', '/v1/merchant/reviews?limit=50', { token: owner });
    expect(response.status).toBe(200);
    const stores = new Set(response.body.reviews.map((r: any) => r.storeId));
    expect(stores).toEqual(new Set([salon.storeId, branchId]));
    expect(response.body.reviews.map((r: any) => r.bookingId)).toContain(branchBooking);
    expect(JSON.stringify(response.body)).not.toMatch(/customerId|phone/);
  });

  it('when store-bound staff list reviews, then only their store’s, and another store of theirs is forbidden', async () => {
    const staff = await stack.staffLogin('rv-staff', 'pw-123456');
    const response = await stack.request('GET', '/v1/merchant/reviews?limit=50', { token: staff });
    expect(response.body.reviews.length).toBeGreaterThan(0);
    expect(response.body.reviews.every((r: any) => r.storeId === salon.storeId)).toBe(true);
    const other = await stack.request('GET', `/v1/merchant/reviews?storeId=${branchId}`, { token: staff });
    expect([other.status, other.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('when another merchant lists reviews, even naming the salon’s store, then none of the salon’s appear', async () => {
    const other = await stack.staffLogin('rv-other', 'pw-123456');
    expect((await stack.request('GET', '/v1/merchant/reviews', { token: other })).body.reviews).toEqual([]);
    expect((await stack.request('GET', `/v1/merchant/reviews?storeId=${salon.storeId}`, { token: other })).body.reviews).toEqual([]);
    expect((await stack.request('GET', '/v1/merchant/reviews', { token: alice })).status).toBe(401);
  });
});

describe('store list by rating', () => {
  let oneFive: number;
  let manyGood: number;
  let poor: number;

  beforeAll(async () => {
    oneFive = await ratedSalon('一条好评', [5]);
    manyGood = await ratedSalon('口碑老店', [...Array<number>(20).fill(5), ...Array<number>(5).fill(4)]);
    poor = await ratedSalon('差评店', [2, 2, 2]);
  });

  it('when sorted by rating, then stores come by Bayesian score, so 25 reviews at 4.8 beat one 5★, and ties go by id', async () => {
    const response = await stack.request('GET', '/v1/stores?sort=rating&limit=100');

    expect(response.status).toBe(200);
    const stores = response.body.stores as any[];
    const ids = stores.map((s) => s.id);
    expect(ids.indexOf(manyGood)).toBeLessThan(ids.indexOf(oneFive));
    expect(ids.at(-1)).toBe(poor);
    expect(stores.find((s) => s.id === oneFive).rating).toEqual({ average: 5, count: 1, score: 4.09 });
    expect(stores.find((s) => s.id === manyGood).rating).toEqual({ average: 4.8, count: 25, score: 4.57 });
    const rows = await stack.env.db.selectFrom('stores').select(['id', 'rating_sum', 'rating_count']).execute();
    const exact = new Map(rows.map((r) => [r.id, (40 + r.rating_sum) / (10 + r.rating_count)]));
    const expected = [...ids].sort((a, b) => exact.get(b)! - exact.get(a)! || a - b);
    expect(ids).toEqual(expected);
    const byId = (await stack.request('GET', '/v1/stores?limit=100')).body.stores.map((s: any) => s.id);
    expect(byId).toEqual([...byId].sort((a: number, b: number) => a - b));
  });

  it('when filtered by minRating, then only reviewed stores whose score reaches it remain', async () => {
    const response = await stack.request('GET', '/v1/stores?sort=rating&minRating=4.5');
    expect(response.body.stores.map((s: any) => s.id)).toContain(manyGood);
    expect(response.body.stores.every((s: any) => s.rating.count > 0 && s.rating.score >= 4.5)).toBe(true);
    expect(response.body.stores.map((s: any) => s.id)).not.toContain(oneFive);
    const anyRated = (await stack.request('GET', '/v1/stores?minRating=1&limit=100')).body.stores;
    expect(anyRated.every((s: any) => s.rating.count > 0)).toBe(true);
    expect(anyRated.map((s: any) => s.id)).toContain(poor);
  });

  it.each(['sort=score', 'minRating=6', 'minRating=0', 'minRating=x'])('when the query is %s, then 400 with the reason', async (query) => {
    const response = await stack.request('GET', `/v1/stores?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.issues[0].path).toBe(`query.${query.split('=')[0]}`);
  });

  it('when the OpenAPI document is read, then the review routes and the rating fields are in it', async () => {
    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/bookings/{id}/review', '/v1/stores/{id}/reviews', '/v1/merchant/reviews']));
    expect(doc.paths['/v1/bookings/{id}/review'].post.responses).toHaveProperty('201');
    expect(doc.components.schemas.StoreSummary.required).toContain('rating');
    expect(doc.components.schemas.CreateReview.required).toContain('rating');
  });
});
