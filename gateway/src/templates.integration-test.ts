import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { INDUSTRY_TEMPLATES, servicePolicy } from '../../core/src/templates/index.ts';
import type { IndustryTemplate, TemplateService } from '../../core/src/templates/types.ts';
import { createMerchant, createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/** Test "now" is Tuesday 2026-12-01 08:00 in Shanghai; every template is open on the Wednesday after. */
const DAY = '2026-12-02';
const CUSTOMERS = 10;

let stack: TestStack;
let owner: string;
let otherOwner: string;
let managerToken: string;
let merchantId: number;
const customers: string[] = [];

const key = (() => {
  let n = 0;
  return () => `tmpl-key-${String(++n).padStart(6, '0')}`;
})();

beforeAll(async () => {
  stack = await startTestStack('templates');
  const now = stack.env.clock.now();
  const passwordHash = await hashPassword('pw-123456');
  merchantId = await createMerchant(stack.env.db, { name: '模板连锁', industry: 'multi' }, now);
  const other = await createMerchant(stack.env.db, { name: '别家商户', industry: 'multi' }, now);
  await createStaffUser(stack.env.db, { merchantId, storeId: null, username: 'chain-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId, storeId: null, username: 'chain-manager', displayName: 'm', passwordHash, role: 'manager' }, now);
  await createStaffUser(stack.env.db, { merchantId: other, storeId: null, username: 'other-owner', displayName: 'x', passwordHash, role: 'owner' }, now);
  owner = await stack.staffLogin('chain-owner', 'pw-123456');
  managerToken = await stack.staffLogin('chain-manager', 'pw-123456');
  otherOwner = await stack.staffLogin('other-owner', 'pw-123456');
  for (let i = 0; i < CUSTOMERS; i++) customers.push(await stack.login(`tmpl-customer-${i}`));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

async function storeCount(): Promise<number> {
  const row = await stack.env.db.selectFrom('stores').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('template catalogue and refusals', () => {
  it('when anyone lists templates, then all of them come back with their services, and both routes are in the OpenAPI document', async () => {
    const { status, body } = await stack.request('GET', '/v1/templates');
    expect(status).toBe(200);
    expect(body.templates.map((t: any) => t.key)).toEqual(INDUSTRY_TEMPLATES.map((t) => t.key));
    const salon = body.templates.find((t: any) => t.key === 'hair_salon');
    expect(salon).toMatchObject({ name: '美发沙龙', allocation: 'least_loaded' });
    expect(salon.services.find((s: any) => s.key === 'perm')).toMatchObject({ name: '数码烫', priceFen: 58800, payment: 'deposit', hasForm: true });
    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(doc.paths['/v1/templates'].get).toBeDefined();
    expect(doc.paths['/v1/merchant/stores/from-template'].post.responses).toHaveProperty('201');
  });

  it('when the template is unknown, the body is bad or the caller is not an owner, then 400/401/403 and no store is written', async () => {
    const before = await storeCount();
    const body = { template: 'flower_shop', name: '花店', address: '上海市', lat: 31.2, lng: 121.4 };
    const unknown = await stack.request('POST', '/v1/merchant/stores/from-template', { token: owner, body });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(unknown.body.error.issues).toEqual([{ path: 'body.template', message: expect.stringContaining('没有名为“flower_shop”的行业模板') }]);
    const english = await stack.request('POST', '/v1/merchant/stores/from-template', { token: owner, body, headers: { 'accept-language': 'en' } });
    expect(english.body.error.issues[0].message).toContain('There is no industry template "flower_shop"');
    const badZone = await stack.request('POST', '/v1/merchant/stores/from-template', { token: owner, body: { ...body, template: 'ktv', timezone: 'Mars/Olympus' } });
    expect([badZone.status, badZone.body.error.issues[0].path]).toEqual([400, 'body.timezone']);
    const extra = await stack.request('POST', '/v1/merchant/stores/from-template', { token: owner, body: { ...body, template: 'ktv', merchantId: 999 } });
    expect(extra.status).toBe(400);
    const noLat = await stack.request('POST', '/v1/merchant/stores/from-template', { token: owner, body: { template: 'ktv', name: 'x', address: 'y' } });
    expect(noLat.status).toBe(400);
    const manager = await stack.request('POST', '/v1/merchant/stores/from-template', { token: managerToken, body: { ...body, template: 'ktv' } });
    expect([manager.status, manager.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const anonymous = await stack.request('POST', '/v1/merchant/stores/from-template', { body: { ...body, template: 'ktv' } });
    expect(anonymous.status).toBe(401);
    const customer = await stack.request('POST', '/v1/merchant/stores/from-template', { token: customers[0]!, body: { ...body, template: 'ktv' } });
    expect(customer.status).toBe(401);
    expect(await storeCount()).toBe(before);
  });

  it('when a request is retried with the same store name, then the first store comes back and nothing doubles; another merchant gets its own store', async () => {
    const body = { template: 'sports_court', name: '重试球馆', address: '上海市浦东新区', lat: 31.2, lng: 121.5 };
    const [first, second] = await Promise.all([
      stack.request('POST', '/v1/merchant/stores/from-template', { token: owner, body }),
      stack.request('POST', '/v1/merchant/stores/from-template', { token: owner, body }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(first.body.store.id).toBe(second.body.store.id);
    const stores = await stack.env.db.selectFrom('stores').select('id').where('name', '=', '重试球馆').execute();
    expect(stores).toHaveLength(1);
    const courts = await stack.env.db.selectFrom('resources').select('id').where('store_id', '=', stores[0]!.id).execute();
    expect(courts).toHaveLength(6);
    const clash = await stack.request('POST', '/v1/merchant/stores/from-template', { token: owner, body: { ...body, template: 'ktv' } });
    expect([clash.status, clash.body.error.issues[0].path]).toEqual([400, 'body.name']);
    const theirs = await stack.request('POST', '/v1/merchant/stores/from-template', { token: otherOwner, body });
    expect(theirs.status).toBe(201);
    expect(theirs.body.store.id).not.toBe(first.body.store.id);
    const row = await stack.env.db.selectFrom('stores').select('merchant_id').where('id', '=', theirs.body.store.id).executeTakeFirstOrThrow();
    expect(row.merchant_id).not.toBe(merchantId);
  });
});

/** Party size a real customer of this service would bring: two friends to a class, 3 to a 4-seat table, one to a stylist. */
function partyFor(service: TemplateService): number {
  if (service.requirements.some((r) => r.perPerson)) return Math.min(2, service.maxPartySize);
  return service.maxPartySize >= 3 ? service.maxPartySize - 1 : service.maxPartySize;
}

function expectedOutcome(template: IndustryTemplate, service: TemplateService): string {
  return servicePolicy(template, service).mode === 'none' ? 'CONFIRMED' : 'AWAITING_PAYMENT';
}

interface Accepted {
  bookingId: string;
  token: string;
  expected: string;
  resourceId?: number;
}

describe('a realistic day at each template’s demo store', () => {
  it.each(INDUSTRY_TEMPLATES.map((t) => [t.key, t] as const))('%s: applied in one call, then a day of bookings ends in outcomes with MySQL within capacity and Redis equal to MySQL', async (_key, template) => {
    // Arrange: the store, from its template, in one call.
    const created = await stack.request('POST', '/v1/merchant/stores/from-template', {
      token: owner,
      body: { template: template.key, name: `${template.name}·演示店`, address: '上海市黄浦区人民大道 200 号', lat: 31.2304, lng: 121.4737 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const storeId: number = created.body.store.id;
    const units = template.resourceTypes.reduce((n, t) => n + t.units.length, 0);
    expect(created.body.counts).toMatchObject({
      resources: units,
      services: template.services.length,
      paymentPolicies: template.services.length,
      onlinePayment: template.services.filter((s) => servicePolicy(template, s).mode !== 'none').length,
      bookingForms: template.services.filter((s) => s.form?.length).length,
      notificationSettings: 1,
    });
    expect(created.body.counts.inventoryCells).toBeGreaterThan(0);
    const store = await stack.env.db.selectFrom('stores').select(['merchant_id', 'industry', 'cell_minutes']).where('id', '=', storeId).executeTakeFirstOrThrow();
    expect(store).toEqual({ merchant_id: merchantId, industry: template.industry, cell_minutes: template.cellMinutes });
    const allocation = await stack.request('GET', `/v1/merchant/stores/${storeId}/allocation`, { token: owner });
    expect(allocation.body.strategy).toBe(template.allocation);
    const serviceIds = new Map<string, number>(created.body.services.map((s: any) => [s.key, s.id]));

    // Act: several customers book a spread of services, times and party sizes.
    const perCustomer = new Map<number, number>();
    let next = 0;
    const customer = (): string => {
      for (let tries = 0; tries < CUSTOMERS; tries++) {
        const i = next++ % CUSTOMERS;
        if ((perCustomer.get(i) ?? 0) < template.perCustomerDailyLimit) {
          perCustomer.set(i, (perCustomer.get(i) ?? 0) + 1);
          return customers[i]!;
        }
      }
      throw new Error('out of customers');
    };
    const accepted: Accepted[] = [];
    const book = async (service: TemplateService, startAt: string, extra: { resourceId?: number; partySize?: number } = {}) => {
      const token = customer();
      const response = await stack.request('POST', '/v1/bookings', {
        token,
        headers: { 'idempotency-key': key() },
        body: {
          storeId,
          serviceId: serviceIds.get(service.key),
          startAt,
          partySize: extra.partySize ?? partyFor(service),
          ...(extra.resourceId === undefined ? {} : { resourceId: extra.resourceId }),
          ...(service.sampleAnswers ? { answers: service.sampleAnswers } : {}),
        },
      });
      if (response.status === 202) accepted.push({ bookingId: response.body.bookingId, token, expected: expectedOutcome(template, service), ...(extra.resourceId === undefined ? {} : { resourceId: extra.resourceId }) });
      return response;
    };

    /** Units one booking takes of a slot's `remaining` (persons for per-person services, else one booking). */
    const unitsOf = (service: TemplateService) => (service.requirements.some((r) => r.perPerson) ? partyFor(service) : 1);
    /** The slots of the service that still fit a booking, read fresh (holds count at once). */
    const openSlots = async (service: TemplateService) => {
      const availability = await stack.request('GET', `/v1/stores/${storeId}/availability?serviceId=${serviceIds.get(service.key)}&date=${DAY}`);
      expect(availability.status).toBe(200);
      return availability.body.slots.filter((s: any) => s.remaining >= unitsOf(service));
    };
    let named = false;
    for (const service of template.services) {
      // "Any" staff/room: early and mid-day.
      for (const position of [0, 0.5]) {
        const open = await openSlots(service);
        expect(open.length, `${service.key} has no bookable slot on ${DAY}`).toBeGreaterThan(0);
        const slot = open[Math.floor((open.length - 1) * position)];
        const response = await book(service, slot.startAt);
        expect(response.status, `${service.key} ${slot.localTime}: ${JSON.stringify(response.body)}`).toBe(202);
      }
      // A named staff member (or room) late in the day, once per service.
      const open = await openSlots(service);
      const late = open[open.length - 1];
      const choice = late?.resources.find((r: any) => r.remaining >= unitsOf(service));
      if (choice) {
        const response = await book(service, late.startAt, { resourceId: choice.resourceId });
        expect(response.status, `${service.key} named ${choice.resourceId}: ${JSON.stringify(response.body)}`).toBe(202);
        named = true;
        // Someone else asking for that same person (or room) at that time when it had room for one booking only: sold out.
        if (choice.remaining < 2 * unitsOf(service)) {
          const again = await book(service, late.startAt, { resourceId: choice.resourceId });
          expect([again.status, again.body.error?.code]).toEqual([409, 'SLOT_SOLD_OUT']);
        }
      }
    }
    expect(named).toBe(true);
    // Closed: 03:00 is on every template's grid and outside every template's hours.
    const first = template.services[0]!;
    const closed = await book(first, `${DAY}T03:00:00+08:00`, { partySize: 1 });
    expect(closed.status).toBe(409);
    expect(['SLOT_UNAVAILABLE', 'SLOT_SOLD_OUT']).toContain(closed.body.error.code);

    // Assert: every accepted request reached its outcome…
    expect(accepted.length).toBeGreaterThanOrEqual(2 * template.services.length);
    const outcomes = await Promise.all(accepted.map((a) => waitForOutcome(stack, a.token, a.bookingId)));
    expect(outcomes.map((o) => o.status)).toEqual(accepted.map((a) => a.expected));
    accepted.forEach((a, i) => {
      if (a.resourceId !== undefined) expect(outcomes[i].resourceId).toBe(a.resourceId);
    });
    const rows = await stack.env.db.selectFrom('bookings').select(['id', 'status']).where('store_id', '=', storeId).execute();
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(accepted.map((a) => a.bookingId)));

    // …MySQL holds no cell over capacity, and every cell's booked count is what its bookings claim…
    const over = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM inventory_cells WHERE store_id = ${storeId} AND booked > capacity`.execute(stack.env.db);
    expect(Number(over.rows[0]!.n)).toBe(0);
    const drift = await sql<{ resource_id: number }>`
      SELECT ic.resource_id, ic.starts_at, ic.booked, COALESCE(SUM(CASE WHEN b.status IN ('CONFIRMED','AWAITING_PAYMENT') THEN bc.quantity ELSE 0 END), 0) AS claimed
      FROM inventory_cells ic
      LEFT JOIN booking_cells bc ON bc.resource_id = ic.resource_id AND ic.starts_at >= bc.starts_at AND ic.starts_at < bc.ends_at
      LEFT JOIN bookings b ON b.id = bc.booking_id
      WHERE ic.store_id = ${storeId}
      GROUP BY ic.resource_id, ic.starts_at, ic.booked
      HAVING ic.booked <> claimed`.execute(stack.env.db);
    expect(drift.rows).toEqual([]);

    // …and the Redis counters equal MySQL, cell by cell.
    const keys = stack.env.keys.store(storeId);
    for (let i = 0; (await stack.env.redis.zcard(keys.holds)) > 0; i++) {
      if (i > 200) throw new Error('holds left in Redis');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const cells = await stack.env.db.selectFrom('inventory_cells').select(['resource_id', 'starts_at', 'capacity', 'booked']).where('store_id', '=', storeId).where('local_date', '=', DAY).execute();
    const mysqlBooked: Record<string, string> = {};
    const mysqlCapacity: Record<string, string> = {};
    for (const c of cells) {
      const field = `${c.resource_id}:${c.starts_at.getTime() / 60_000}`;
      mysqlCapacity[field] = String(c.capacity);
      if (c.booked > 0) mysqlBooked[field] = String(c.booked);
    }
    const redisBooked = Object.fromEntries(Object.entries(await stack.env.redis.hgetall(keys.booked(DAY))).filter(([, v]) => v !== '0'));
    expect(redisBooked).toEqual(mysqlBooked);
    expect(await stack.env.redis.hgetall(keys.capacity(DAY))).toEqual(mysqlCapacity);
    expect(Object.keys(mysqlBooked).length).toBeGreaterThan(0);
  });
});
