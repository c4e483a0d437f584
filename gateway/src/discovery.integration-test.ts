import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMerchant, createService, createStore } from '../../db/src/repositories/catalog-admin.repository.ts';
import { startTestStack, type TestStack } from '../testing/test-stack.ts';

/**
 * Discovery for the consumer mini program: store search and distance, industries, recommended
 * services, and CORS for its H5 build.
 */

let stack: TestStack;
const ORIGIN = 'http://localhost:8088';
/** People's Square, Shanghai: the customer's position in these tests. */
const HERE = { lat: 31.2304, lng: 121.4737 };
const METRES_PER_DEGREE_LAT = (Math.PI * 6_371_008.8) / 180;
const north = (metres: number) => ({ lat: Number((HERE.lat + metres / METRES_PER_DEGREE_LAT).toFixed(6)), lng: HERE.lng });

const ids = { cut: 0, nail: 0, percent: 0, closed: 0, west: 0, dental: 0 };
const services = { cut: 0, nail: 0, handCare: 0, set: 0, dentalCheck: 0, dentalClean: 0, dentalXray: 0 };

function haversine(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lng - a.lng) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

async function store(name: string, industry: string, at: { lat: number; lng: number }, rating?: { sum: number; count: number }): Promise<number> {
  const now = stack.env.clock.now();
  const merchantId = await createMerchant(stack.env.db, { name: `${name}公司`, industry }, now);
  const id = await createStore(stack.env.db, { merchantId, name, industry, address: '上海市', lat: at.lat, lng: at.lng }, now);
  if (rating) await stack.env.db.updateTable('stores').set({ rating_sum: rating.sum, rating_count: rating.count }).where('id', '=', id).execute();
  return id;
}

async function service(storeId: number, name: string, category: string, priceFen = 10_000): Promise<number> {
  const row = await stack.env.db.selectFrom('stores').select('merchant_id').where('id', '=', storeId).executeTakeFirstOrThrow();
  return createService(stack.env.db, { merchantId: row.merchant_id, storeId, name, category, durationMinutes: 60, priceFen, requirements: [{ kind: 'staff', skill: null, quantity: 1, perPerson: false }] }, stack.env.clock.now());
}

const names = (body: { stores: { name: string }[] }) => body.stores.map((s) => s.name);

beforeAll(async () => {
  stack = await startTestStack('discovery', { workers: false, gatewayEnv: { CORS_ORIGINS: `${ORIGIN},http://127.0.0.1:8088` } });
  // Scores: (10 × 4 + sum) / (10 + count): cut 4.5, dental 4.67, the others 4 (no reviews).
  ids.cut = await store('静安剪艺', 'hair_salon', HERE, { sum: 50, count: 10 });
  services.cut = await service(ids.cut, '精剪造型', 'cut', 8800);
  ids.nail = await store('南京东路指尖', 'beauty', north(1000));
  services.nail = await service(ids.nail, '日式光疗美甲', 'nail', 26_800);
  services.handCare = await service(ids.nail, '手部护理', 'care', 9800);
  ids.percent = await store('百分百_100%体验馆', 'restaurant', north(5000));
  services.set = await service(ids.percent, '双人套餐', 'dining', 39_800);
  ids.closed = await store('已关门剪艺', 'hair_salon', north(200));
  await service(ids.closed, '精剪造型', 'cut');
  await stack.env.db.updateTable('stores').set({ status: 'closed' }).where('id', '=', ids.closed).execute();
  ids.west = await store('城西发廊', 'hair_salon', north(8000));
  const hidden = await service(ids.west, '秘密剪发', 'cut');
  await stack.env.db.updateTable('services').set({ status: 'inactive' }).where('id', '=', hidden).execute();
  ids.dental = await store('浦东皓齿口腔', 'dental', north(10_000), { sum: 100, count: 20 });
  services.dentalCheck = await service(ids.dental, '口腔检查', 'checkup', 5000);
  services.dentalClean = await service(ids.dental, '超声波洁牙', 'cleaning', 19_800);
  services.dentalXray = await service(ids.dental, '全景 X 光片', 'imaging', 15_000);
});

afterAll(async () => {
  await stack?.stop();
});

describe('GET /v1/stores search', () => {
  it('when q is part of a store name, then that store answers, with its industry label', async () => {
    const res = await stack.request('GET', `/v1/stores?q=${encodeURIComponent('剪艺')}`);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['静安剪艺']);
    expect(res.body.stores[0].industryLabel).toBe('美发');
    expect(res.body.stores[0]).not.toHaveProperty('distanceMeters');
  });

  it('when q is part of an active service name or category, then its store answers; closed stores and inactive services never do', async () => {
    expect(names((await stack.request('GET', `/v1/stores?q=${encodeURIComponent('光疗')}`)).body)).toEqual(['南京东路指尖']);
    expect(names((await stack.request('GET', '/v1/stores?q=NAIL')).body)).toEqual(['南京东路指尖']);
    expect(names((await stack.request('GET', `/v1/stores?q=${encodeURIComponent('精剪')}`)).body)).toEqual(['静安剪艺']);
    expect(names((await stack.request('GET', `/v1/stores?q=${encodeURIComponent('秘密')}`)).body)).toEqual([]);
  });

  it('when q is an industry label, then the stores of that industry answer', async () => {
    expect(names((await stack.request('GET', `/v1/stores?q=${encodeURIComponent('美发')}`)).body)).toEqual(['静安剪艺', '城西发廊']);
    expect(names((await stack.request('GET', `/v1/stores?q=${encodeURIComponent(' 口腔 ')}`)).body)).toEqual(['浦东皓齿口腔']);
  });

  it('when q holds % or _, then they match literally', async () => {
    expect(names((await stack.request('GET', `/v1/stores?q=${encodeURIComponent('%')}`)).body)).toEqual(['百分百_100%体验馆']);
    expect(names((await stack.request('GET', '/v1/stores?q=_')).body)).toEqual(['百分百_100%体验馆']);
  });

  it('when q is combined with industry and sort=rating, then all apply', async () => {
    const res = await stack.request('GET', `/v1/stores?q=${encodeURIComponent('剪')}&industry=hair_salon&sort=rating`);
    expect(names(res.body)).toEqual(['静安剪艺']);
  });

  it('when q is longer than 32 characters, then 400 with the reason', async () => {
    const res = await stack.request('GET', `/v1/stores?q=${'剪'.repeat(33)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['query.q']);
  });
});

describe('GET /v1/stores by distance', () => {
  it('when sort=distance with lat/lng, then nearest first and every store carries a plausible distanceMeters', async () => {
    const res = await stack.request('GET', `/v1/stores?lat=${HERE.lat}&lng=${HERE.lng}&sort=distance`);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['静安剪艺', '南京东路指尖', '百分百_100%体验馆', '城西发廊', '浦东皓齿口腔']);
    const [here, oneKm] = res.body.stores;
    expect(here.distanceMeters).toBe(0);
    expect(Number.isInteger(oneKm.distanceMeters)).toBe(true);
    expect(Math.abs(oneKm.distanceMeters - 1000)).toBeLessThanOrEqual(2);
    for (const s of res.body.stores) expect(Math.abs(s.distanceMeters - haversine(HERE, s))).toBeLessThanOrEqual(1);
  });

  it('when lat/lng come without sort=distance, then the order stays and distances are still given', async () => {
    const res = await stack.request('GET', `/v1/stores?lat=${HERE.lat}&lng=${HERE.lng}&sort=rating&limit=2`);
    expect(names(res.body)).toEqual(['浦东皓齿口腔', '静安剪艺']);
    expect(res.body.stores.map((s: { distanceMeters: number }) => Math.round(s.distanceMeters / 1000))).toEqual([10, 0]);
  });

  it('when maxDistanceKm is given, then farther stores are left out; paging applies after the distance order', async () => {
    const near = await stack.request('GET', `/v1/stores?lat=${HERE.lat}&lng=${HERE.lng}&sort=distance&maxDistanceKm=2`);
    expect(names(near.body)).toEqual(['静安剪艺', '南京东路指尖']);
    const page = await stack.request('GET', `/v1/stores?lat=${HERE.lat}&lng=${HERE.lng}&sort=distance&limit=2&offset=2`);
    expect(names(page.body)).toEqual(['百分百_100%体验馆', '城西发廊']);
  });

  it('when lat comes without lng, or sort=distance without a location, or lat is out of range, then 400 with the reason', async () => {
    const lonely = await stack.request('GET', '/v1/stores?lat=31.2');
    expect(lonely.status).toBe(400);
    expect(lonely.body.error.code).toBe('VALIDATION_FAILED');
    expect(lonely.body.error.issues).toEqual([{ path: 'query.lng', message: '经纬度需同时提供 lat 和 lng' }]);
    const unsorted = await stack.request('GET', '/v1/stores?sort=distance');
    expect(unsorted.status).toBe(400);
    expect(unsorted.body.error.issues).toEqual([{ path: 'query.sort', message: '按距离排序需要提供位置（lat 和 lng）' }]);
    const radius = await stack.request('GET', '/v1/stores?maxDistanceKm=3');
    expect(radius.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['query.maxDistanceKm']);
    const far = await stack.request('GET', '/v1/stores?lat=95&lng=121');
    expect(far.status).toBe(400);
    expect(far.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['query.lat']);
  });
});

describe('GET /v1/industries', () => {
  it('when listed, then every known industry with label, icon and active-store count, busiest first then by code', async () => {
    const res = await stack.request('GET', '/v1/industries');
    expect(res.status).toBe(200);
    const industries = res.body.industries as { code: string; label: string; icon: string; storeCount: number }[];
    expect(industries.slice(0, 4)).toEqual([
      { code: 'hair_salon', label: '美发', icon: 'scissors', storeCount: 2 },
      { code: 'beauty', label: '美甲美容', icon: 'nail', storeCount: 1 },
      { code: 'dental', label: '口腔', icon: 'tooth', storeCount: 1 },
      { code: 'restaurant', label: '餐饮', icon: 'dining', storeCount: 1 },
    ]);
    const rest = industries.slice(4);
    expect(rest.every((i) => i.storeCount === 0)).toBe(true);
    expect(rest.map((i) => i.code)).toEqual(rest.map((i) => i.code).sort());
    expect(industries.length).toBeGreaterThanOrEqual(13);
  });
});

describe('GET /v1/services/recommended', () => {
  it('without a location, then by store score, at most two services per store, default limit 6', async () => {
    const res = await stack.request('GET', '/v1/services/recommended');
    expect(res.status).toBe(200);
    expect(res.body.services.map((s: { serviceId: number }) => s.serviceId)).toEqual([
      services.dentalCheck,
      services.dentalClean,
      services.cut,
      services.nail,
      services.handCare,
      services.set,
    ]);
    const first = res.body.services[0];
    expect(first).toEqual({
      serviceId: services.dentalCheck,
      name: '口腔检查',
      category: 'checkup',
      priceFen: 5000,
      durationMinutes: 60,
      storeId: ids.dental,
      storeName: '浦东皓齿口腔',
      industry: 'dental',
      industryLabel: '口腔',
      rating: { average: 5, count: 20, score: 4.67 },
      payment: { mode: 'none', amountFen: null, appliesTo: 'all', freeCancelHours: 24 },
    });
  });

  it('with a location, then nearness weighs in (score × 5000 / (5000 + metres)) and each carries distanceMeters', async () => {
    const res = await stack.request('GET', `/v1/services/recommended?lat=${HERE.lat}&lng=${HERE.lng}&limit=20`);
    expect(res.status).toBe(200);
    // cut 4.5 × 1 = 4.5; nail 4 × 5/6 ≈ 3.33; set 4 × 5/10 = 2; dental 4.67 × 5/15 ≈ 1.56.
    expect(res.body.services.map((s: { serviceId: number }) => s.serviceId)).toEqual([
      services.cut,
      services.nail,
      services.handCare,
      services.set,
      services.dentalCheck,
      services.dentalClean,
    ]);
    expect(res.body.services[1].distanceMeters).toBeGreaterThanOrEqual(998);
    expect(res.body.services[1].distanceMeters).toBeLessThanOrEqual(1002);
  });

  it('when limit is given, then at most that many; over 20, or lat without lng, is 400', async () => {
    const two = await stack.request('GET', '/v1/services/recommended?limit=2');
    expect(two.body.services).toHaveLength(2);
    expect((await stack.request('GET', '/v1/services/recommended?limit=21')).status).toBe(400);
    const lonely = await stack.request('GET', '/v1/services/recommended?lng=121.47');
    expect(lonely.status).toBe(400);
    expect(lonely.body.error.issues).toEqual([{ path: 'query.lat', message: '经纬度需同时提供 lat 和 lng' }]);
  });
});

describe('CORS for the H5 build', () => {
  it('when an allowed origin asks, then Access-Control-Allow-Origin names it and Retry-After is exposed', async () => {
    const res = await stack.request('GET', '/v1/industries', { headers: { origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('when a foreign origin asks, then no CORS grant', async () => {
    const res = await stack.request('GET', '/v1/industries', { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('when the browser preflights POST /v1/bookings, then 204 allowing the method and the booking headers', async () => {
    const res = await stack.request('OPTIONS', '/v1/bookings', {
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key,accept-language' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(['authorization', 'content-type', 'idempotency-key', 'accept-language']);
    const foreign = await stack.request('OPTIONS', '/v1/bookings', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('/openapi.json', () => {
  it('when fetched, then the discovery parameters and endpoints are documented', async () => {
    const doc = (await stack.request('GET', '/openapi.json')).body;
    const params = doc.paths['/v1/stores'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['q', 'lat', 'lng', 'maxDistanceKm', 'sort']));
    expect(doc.paths['/v1/industries'].get).toBeDefined();
    expect(doc.paths['/v1/services/recommended'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['lat', 'lng', 'limit']);
    expect(Object.keys(doc.components.schemas.StoreSummary.properties)).toEqual(expect.arrayContaining(['industryLabel', 'distanceMeters']));
  });
});
