import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { createSalon, type SalonFixture } from '../../db/testing/fixtures.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

/**
 * Allocation strategies over HTTP on the real MariaDB and Redis: the merchant
 * chooses a strategy and caps, customers book "any stylist". The manual clock
 * stands at 2026-12-01 08:00 Shanghai; bookings go to the next day.
 */
let stack: TestStack;
const salons: Record<'firstFit' | 'leastLoaded' | 'capped' | 'preferred' | 'other', SalonFixture> = {} as never;
const owners: Record<string, string> = {};

const DAY = '2026-12-02';
const at = (hhmm: string) => `${DAY}T${hhmm}:00+08:00`;
let keyCounter = 0;
const key = () => `alloc-key-${String(++keyCounter).padStart(6, '0')}`;

async function book(token: string, salon: SalonFixture, startAt: string, resourceId?: number) {
  return stack.request('POST', '/v1/bookings', {
    token,
    headers: { 'idempotency-key': key() },
    body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt, ...(resourceId === undefined ? {} : { resourceId }) },
  });
}

async function bookConfirmed(token: string, salon: SalonFixture, startAt: string, resourceId?: number): Promise<{ bookingId: string; resourceId: number }> {
  const accepted = await book(token, salon, startAt, resourceId);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const outcome = await waitForOutcome(stack, token, accepted.body.bookingId);
  expect(outcome.status).toBe('CONFIRMED');
  const row = await stack.env.db.selectFrom('bookings').select('resource_id').where('id', '=', accepted.body.bookingId).executeTakeFirstOrThrow();
  return { bookingId: accepted.body.bookingId, resourceId: row.resource_id! };
}

const setStrategy = (salonName: keyof typeof salons, strategy: string) =>
  stack.request('PUT', `/v1/merchant/stores/${salons[salonName].storeId}/allocation`, { token: owners[salonName], body: { strategy } });

beforeAll(async () => {
  stack = await startTestStack('allocation');
  const now = stack.env.clock.now();
  const passwordHash = await hashPassword('pw-123456');
  for (const name of ['firstFit', 'leastLoaded', 'capped', 'preferred', 'other'] as const) {
    const salon = await createSalon(stack.env.db, now, { stylists: name === 'capped' ? 2 : 3, perCustomerDailyLimit: 20, name: `分配${name}` });
    salons[name] = salon;
    await materializeStore(stack.env, salon.storeId);
    await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: null, username: `al-${name}`, displayName: name, passwordHash, role: 'owner' }, now);
    owners[name] = await stack.staffLogin(`al-${name}`, 'pw-123456');
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('merchant allocation settings', () => {
  it('when an owner sets a strategy and a cap, then GET shows them; bad input is a 400 and changes nothing', async () => {
    expect((await setStrategy('leastLoaded', 'least_loaded')).status).toBe(200);
    const bad = await setStrategy('leastLoaded', 'random');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeTruthy();
    const badCap = await stack.request('PUT', `/v1/merchant/stores/${salons.leastLoaded.storeId}/allocation/resources/${salons.leastLoaded.stylistIds[0]}`, {
      token: owners.leastLoaded,
      body: { weight: 0, dailyCap: 3 },
    });
    expect(badCap.status).toBe(400);
    const shown = await stack.request('GET', `/v1/merchant/stores/${salons.leastLoaded.storeId}/allocation`, { token: owners.leastLoaded });
    expect(shown.status).toBe(200);
    expect(shown.body.strategy).toBe('least_loaded');
    expect(shown.body.resources.map((r: { weight: number; dailyCap: number | null }) => [r.weight, r.dailyCap])).toEqual([
      [1, null],
      [1, null],
      [1, null],
    ]);
  });

  it('when another merchant’s owner touches the store or its resource, then 404 and nothing changes', async () => {
    const foreign = await stack.request('PUT', `/v1/merchant/stores/${salons.leastLoaded.storeId}/allocation`, { token: owners.other, body: { strategy: 'round_robin' } });
    expect(foreign.status).toBe(404);
    const foreignResource = await stack.request('PUT', `/v1/merchant/stores/${salons.other.storeId}/allocation/resources/${salons.leastLoaded.stylistIds[0]}`, {
      token: owners.other,
      body: { weight: 2, dailyCap: 1 },
    });
    const missingResource = await stack.request('PUT', `/v1/merchant/stores/${salons.other.storeId}/allocation/resources/999999`, {
      token: owners.other,
      body: { weight: 2, dailyCap: 1 },
    });
    // Someone else's resource answers exactly like a missing one.
    expect([foreignResource.status, foreignResource.body.error.code]).toEqual([missingResource.status, 'RESOURCE_NOT_FOUND']);
    const shown = await stack.request('GET', `/v1/merchant/stores/${salons.leastLoaded.storeId}/allocation`, { token: owners.leastLoaded });
    expect(shown.body.strategy).toBe('least_loaded');
  });
});

describe('booking "any stylist"', () => {
  it('first_fit (default): every booking goes to the first free stylist, as before', async () => {
    const alice = await stack.login('al-ff');
    const got = [];
    for (const time of ['10:00', '12:00', '14:00']) got.push((await bookConfirmed(alice, salons.firstFit, at(time))).resourceId);
    expect(got).toEqual([salons.firstFit.stylistIds[0], salons.firstFit.stylistIds[0], salons.firstFit.stylistIds[0]]);
  });

  it('least_loaded: bookings at different times spread across the stylists', async () => {
    const bob = await stack.login('al-ll');
    const got = [];
    for (const time of ['10:00', '12:00', '14:00', '16:00', '18:00', '19:30']) got.push((await bookConfirmed(bob, salons.leastLoaded, at(time))).resourceId);
    const ids = salons.leastLoaded.stylistIds;
    expect(got).toEqual([ids[0], ids[1], ids[2], ids[0], ids[1], ids[2]]);
  });

  it('round_robin with caps: 8 concurrent requests at different times never push a stylist past the cap; the rest get a 409 in the API error shape', async () => {
    const salon = salons.capped;
    expect((await setStrategy('capped', 'round_robin')).status).toBe(200);
    for (const [resourceId, weight, dailyCap] of [
      [salon.stylistIds[0], 2, 3],
      [salon.stylistIds[1], 1, 2],
    ] as const) {
      const saved = await stack.request('PUT', `/v1/merchant/stores/${salon.storeId}/allocation/resources/${resourceId}`, { token: owners.capped, body: { weight, dailyCap } });
      expect(saved.status).toBe(200);
    }
    // 90 minutes apart (a haircut holds 75): one stylist could take them all, so only the caps refuse.
    const times = ['09:00', '10:30', '12:00', '13:30', '15:00', '16:30', '18:00', '19:30'];
    const tokens = await Promise.all(times.map((_, i) => stack.login(`al-cap-${i}`)));
    const answers = await Promise.all(times.map((time, i) => book(tokens[i]!, salon, at(time))));
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status !== 202);
    expect(accepted).toHaveLength(5);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.body).toEqual({ error: { code: 'SLOT_SOLD_OUT', message: expect.any(String) } });
    }
    for (const a of accepted) {
      const token = tokens[answers.indexOf(a)]!;
      expect((await waitForOutcome(stack, token, a.body.bookingId)).status).toBe('CONFIRMED');
    }
    const perStylist = await stack.env.db
      .selectFrom('bookings')
      .select(['resource_id'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', salon.storeId)
      .where('status', '=', 'CONFIRMED')
      .groupBy('resource_id')
      .orderBy('resource_id')
      .execute();
    expect(perStylist.map((r) => [r.resource_id, Number(r.n)])).toEqual([
      [salon.stylistIds[0], 3],
      [salon.stylistIds[1], 2],
    ]);
    // A customer who asks for a capped stylist by name is refused too: the cap is capacity.
    const freeTime = times[answers.indexOf(refused[0]!)]!;
    const named = await book(await stack.login('al-cap-named'), salon, at(freeTime), salon.stylistIds[1]);
    expect([named.status, named.body.error?.code]).toEqual([409, 'SLOT_SOLD_OUT']);

    // A cancellation gives the booking back to the cap.
    const first = accepted[0]!;
    const firstToken = tokens[answers.indexOf(first)]!;
    const firstRow = await stack.env.db.selectFrom('bookings').select('resource_id').where('id', '=', first.body.bookingId).executeTakeFirstOrThrow();
    expect((await stack.request('POST', `/v1/bookings/${first.body.bookingId}/cancel`, { token: firstToken, body: {} })).status).toBe(200);
    const again = await bookConfirmed(await stack.login('al-cap-again'), salon, at(freeTime));
    expect(again.resourceId).toBe(firstRow.resource_id);
  });

  it('preferred: a returning customer gets the stylist of their last completed booking; a new one gets the least loaded', async () => {
    const salon = salons.preferred;
    expect((await setStrategy('preferred', 'preferred')).status).toBe(200);
    const carol = await stack.login('al-pref-carol');
    const earlier = await bookConfirmed(carol, salon, at('10:00'), salon.stylistIds[2]);
    // Arrange: the visit happened (the completion flow itself is tested elsewhere).
    await stack.env.db.updateTable('bookings').set({ status: 'COMPLETED' }).where('id', '=', earlier.bookingId).execute();
    const dave = await stack.login('al-pref-dave');
    expect((await bookConfirmed(dave, salon, at('13:00'))).resourceId).toBe(salon.stylistIds[0]);
    expect((await bookConfirmed(carol, salon, at('15:00'))).resourceId).toBe(salon.stylistIds[2]);
  });
});
