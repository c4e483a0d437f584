import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingIdFactory } from '../ids.ts';
import { createTestEnv, deleteKeysWithPrefix, type TestEnv } from '../../../db/testing/test-env.ts';
import { createClassStudio, createSalon, type ClassFixture, type SalonFixture } from '../../../db/testing/fixtures.ts';
import { loadStoreCatalog } from '../../../db/src/repositories/catalog.repository.ts';
import { findBooking } from '../../../db/src/repositories/booking.repository.ts';
import { readHold } from '../../../db/redis/holds.ts';
import { ackIntents, claimStaleIntents, ensureRelayGroups, readIntents } from '../../../db/redis/intents.ts';
import { hasEpoch } from '../../../db/redis/inventory.ts';
import { zonedToInstant } from '../time/zoned.ts';
import type { BookingIntent } from '../booking/intent.ts';
import { type AcceptDeps, type AcceptRequest, acceptBooking } from './accept.ts';
import { cancelBooking } from './cancel.ts';
import { expireDueHolds } from './expire.ts';
import { materializeStore } from './materialize.ts';
import { persistIntents } from './persist.ts';
import { rebuildStore, reconcileStore } from './reconcile.ts';
import type { AppError } from '../errors.ts';

let env: TestEnv;
let salon: SalonFixture;
let studio: ClassFixture;
let deps: AcceptDeps;

/** 10:00 local on 2026-12-02 (the day after TEST_NOW). */
const tomorrowAt = (hhmm: string) => zonedToInstant('2026-12-02', Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)), 'Asia/Shanghai');

async function cellBooked(resourceId: number, startMs: number): Promise<number> {
  const row = await env.db.selectFrom('inventory_cells').select('booked').where('resource_id', '=', resourceId).where('starts_at', '=', new Date(startMs)).executeTakeFirstOrThrow();
  return row.booked;
}

async function accept(storeId: number, request: Omit<AcceptRequest, 'storeId' | 'note'> & { note?: string }) {
  const catalog = await loadStoreCatalog(env.db, storeId);
  return acceptBooking(deps, catalog!, { note: '', storeId, ...request });
}

/** What the relay does: take every intent reserve.lua appended to the stores' streams, and acknowledge it. */
async function drain(): Promise<BookingIntent[]> {
  const stores = [salon.storeId, studio.storeId];
  await ensureRelayGroups(env.redis, env.keys, stores);
  const entries = await readIntents(env.redis, env.keys, stores, 'test-relay', { count: 10_000, blockMs: 0 });
  await ackIntents(env.redis, env.keys, entries);
  return entries.map((e) => e.intent);
}

beforeAll(async () => {
  env = await createTestEnv('pipeline');
  salon = await createSalon(env.db, env.clock.now());
  studio = await createClassStudio(env.db, env.clock.now(), { capacity: 5, perCustomerDailyLimit: 1 });
  deps = {
    ...env,
    newBookingId: bookingIdFactory(env.clock),
    requestRebuild: async () => {},
  };
  await materializeStore(env, salon.storeId);
  await materializeStore(env, studio.storeId);
});

afterAll(async () => {
  await env?.cleanup();
});

describe('accept → persist', () => {
  it('when a slot is free, then the booking is accepted as PENDING and persisted as CONFIRMED with MySQL capacity taken', async () => {
    const start = tomorrowAt('10:00');
    const accepted = await accept(salon.storeId, { customerId: 1, serviceId: salon.haircutId, startMs: start, partySize: 1, idempotencyKey: 'k-first-0001' });
    expect(accepted).toMatchObject({ status: 'PENDING', outcome: 'reserved' });
    const intents = await drain();
    expect(intents).toHaveLength(1);
    expect(intents[0]!.cells).toHaveLength(5); // 60 min + 15 min clean-up in 15-minute cells

    const [outcome] = await persistIntents(env, intents);
    expect(outcome).toMatchObject({ bookingId: accepted.bookingId, status: 'CONFIRMED', duplicate: false });
    const row = await findBooking(env.db, accepted.bookingId);
    expect(row?.status).toBe('CONFIRMED');
    expect(await cellBooked(intents[0]!.resourceId!, start)).toBe(1);
    expect((await readHold(env.redis, env.keys, salon.storeId, accepted.bookingId))?.state).toBe('persisted');
  });

  it('when the same job is persisted twice, also concurrently, then one row exists and capacity is taken once', async () => {
    const start = tomorrowAt('14:00');
    await accept(salon.storeId, { customerId: 2, serviceId: salon.haircutId, startMs: start, partySize: 1, idempotencyKey: 'k-replay-0001' });
    const [intent] = await drain();
    const results = await Promise.all([persistIntents(env, [intent!]), persistIntents(env, [intent!]), persistIntents(env, [intent!])]);
    const flat = results.flat();
    expect(flat.filter((o) => !o.duplicate)).toHaveLength(1);
    expect(flat.every((o) => o.status === 'CONFIRMED')).toBe(true);
    const again = await persistIntents(env, [intent!]);
    expect(again[0]).toMatchObject({ status: 'CONFIRMED', duplicate: true });
    expect(await cellBooked(intent!.resourceId!, start)).toBe(1);
  });

  it('when a retry reuses the idempotency key, then it gets the first booking back; with another body it is refused', async () => {
    const start = tomorrowAt('15:00');
    const request = { customerId: 3, serviceId: salon.haircutId, startMs: start, partySize: 1, idempotencyKey: 'k-idem-000001' };
    const first = await accept(salon.storeId, request);
    const second = await accept(salon.storeId, request);
    expect(second).toMatchObject({ bookingId: first.bookingId, outcome: 'replay', status: 'PENDING' });
    await expect(accept(salon.storeId, { ...request, startMs: tomorrowAt('16:00') })).rejects.toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
    // One stream entry for the two requests: the replay queued nothing new.
    const outcomes = await persistIntents(env, await drain());
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.status).toBe('CONFIRMED');
  });
});

describe('no overbooking', () => {
  it('when 30 customers race for 5 class spots, then exactly 5 are accepted and confirmed and the rest are sold out', async () => {
    const start = tomorrowAt('19:00');
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        accept(studio.storeId, { customerId: 1000 + i, serviceId: studio.classId, startMs: start, partySize: 1, idempotencyKey: `k-race-${String(i).padStart(6, '0')}` }),
      ),
    );
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(accepted).toHaveLength(5);
    expect(refused.map((r) => (r.reason as AppError).code)).toEqual(Array(25).fill('SLOT_SOLD_OUT'));
    const outcomes = await persistIntents(env, await drain());
    expect(outcomes.filter((o) => o.status === 'CONFIRMED')).toHaveLength(5);
    for (let m = 0; m < 60; m += 15) expect(await cellBooked(studio.studioId, start + m * 60_000)).toBe(5);
  });

  it('when Redis wrongly shows free capacity, then MySQL refuses the extra booking and it ends REJECTED', async () => {
    const start = tomorrowAt('19:00');
    const inventory = env.keys.store(studio.storeId).booked('2026-12-02');
    const fields = [0, 15, 30, 45].map((m) => `${studio.studioId}:${(start + m * 60_000) / 60_000}`);
    for (const field of fields) await env.redis.hset(inventory, field, 0); // Redis "forgets" the 5 bookings
    const accepted = await accept(studio.storeId, { customerId: 2000, serviceId: studio.classId, startMs: start, partySize: 1, idempotencyKey: 'k-drift-00001' });
    const [outcome] = await persistIntents(env, await drain());
    expect(outcome).toMatchObject({ bookingId: accepted.bookingId, status: 'REJECTED' });
    expect(await cellBooked(studio.studioId, start)).toBe(5);
    expect((await readHold(env.redis, env.keys, studio.storeId, accepted.bookingId))?.state).toBe('released');
    // The reconciler puts the truth back into Redis.
    const report = await reconcileStore(env, studio.storeId);
    expect(report.cellsChanged).toBeGreaterThanOrEqual(4);
    expect(await env.redis.hget(inventory, fields[0]!)).toBe('5');
  });

  it('when a batch mixes a fitting booking with an overflowing one, then each gets its own outcome', async () => {
    const start = tomorrowAt('20:00');
    const intents: BookingIntent[] = [];
    for (let i = 0; i < 5; i++) {
      await accept(studio.storeId, { customerId: 3000 + i, serviceId: studio.classId, startMs: start, partySize: 1, idempotencyKey: `k-batch-${i}0000` });
    }
    intents.push(...(await drain()));
    // A sixth intent that Redis never approved (as if Redis had been wrong): same cells, new id.
    const rogue: BookingIntent = { ...intents[0]!, bookingId: deps.newBookingId(studio.storeId), customerId: 3999, idempotencyKey: 'k-rogue-00001' };
    const outcomes = await persistIntents(env, [...intents, rogue]);
    expect(outcomes.filter((o) => o.status === 'CONFIRMED')).toHaveLength(5);
    expect(outcomes.find((o) => o.bookingId === rogue.bookingId)?.status).toBe('REJECTED');
    expect(await cellBooked(studio.studioId, start)).toBe(5);
  });
});

describe('expiry and cancellation', () => {
  it('when a hold passes its deadline unpersisted, then it ends EXPIRED, frees its cells, and a late persist changes nothing', async () => {
    const start = tomorrowAt('17:00');
    const accepted = await accept(salon.storeId, { customerId: 4, serviceId: salon.permId, startMs: start, partySize: 1, idempotencyKey: 'k-expire-0001' });
    const [intent] = await drain();
    env.clock.advance(16 * 60_000);
    const report = await expireDueHolds(env, salon.storeId, { leaseMs: 30_000, limit: 100 });
    expect(report.expired).toBe(1);
    expect((await findBooking(env.db, accepted.bookingId))?.status).toBe('EXPIRED');
    const late = await persistIntents(env, [intent!]);
    expect(late[0]).toMatchObject({ status: 'EXPIRED', duplicate: true });
    expect(await cellBooked(intent!.resourceId!, start)).toBe(0);
    const inventory = env.keys.store(salon.storeId).booked('2026-12-02');
    expect(await env.redis.hget(inventory, `${intent!.resourceId}:${start / 60_000}`)).toBe('0');
    env.clock.set(Date.parse('2026-12-01T00:00:00Z'));
  });

  it('when a pending booking is cancelled, then it ends CANCELLED and the persist worker cannot revive it', async () => {
    const start = tomorrowAt('12:00');
    const accepted = await accept(salon.storeId, { customerId: 5, serviceId: salon.haircutId, startMs: start, partySize: 1, idempotencyKey: 'k-cancel-0001' });
    const [intent] = await drain();
    const cancelled = await cancelBooking(env, { kind: 'customer', customerId: 5 }, accepted.bookingId, 'CUSTOMER_REQUEST');
    expect(cancelled.status).toBe('CANCELLED');
    const late = await persistIntents(env, [intent!]);
    expect(late[0]).toMatchObject({ status: 'CANCELLED', duplicate: true });
    expect(await cellBooked(intent!.resourceId!, start)).toBe(0);
  });

  it('when a confirmed booking is cancelled, then MySQL and Redis both get the capacity back, once', async () => {
    const start = tomorrowAt('13:00');
    const accepted = await accept(salon.storeId, { customerId: 6, serviceId: salon.haircutId, startMs: start, partySize: 1, idempotencyKey: 'k-cancel-0002' });
    const [intent] = await drain();
    await persistIntents(env, [intent!]);
    expect(await cellBooked(intent!.resourceId!, start)).toBe(1);
    await expect(cancelBooking(env, { kind: 'customer', customerId: 999 }, accepted.bookingId, 'X')).rejects.toMatchObject({ code: 'BOOKING_NOT_FOUND' });
    const results = await Promise.all([
      cancelBooking(env, { kind: 'customer', customerId: 6 }, accepted.bookingId, 'CUSTOMER_REQUEST'),
      cancelBooking(env, { kind: 'customer', customerId: 6 }, accepted.bookingId, 'CUSTOMER_REQUEST'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(await cellBooked(intent!.resourceId!, start)).toBe(0);
    const inventory = env.keys.store(salon.storeId).booked('2026-12-02');
    expect(await env.redis.hget(inventory, `${intent!.resourceId}:${start / 60_000}`)).toBe('0');
  });
});

describe('Redis data loss', () => {
  it('when the store keys are wiped, then reservations wait for a rebuild, which restores counts from MySQL', async () => {
    const start = tomorrowAt('19:00'); // 5 of 5 spots confirmed above
    await deleteKeysWithPrefix(env.redis, env.prefix);
    expect(await hasEpoch(env.redis, env.keys, studio.storeId)).toBe(false);
    await expect(accept(studio.storeId, { customerId: 5000, serviceId: studio.classId, startMs: start, partySize: 1, idempotencyKey: 'k-lost-00001' })).rejects.toMatchObject({
      code: 'INVENTORY_REBUILDING',
    });
    const report = await rebuildStore(env, studio.storeId);
    expect(report.rebuilt).toBe(true);
    await expect(accept(studio.storeId, { customerId: 5000, serviceId: studio.classId, startMs: start, partySize: 1, idempotencyKey: 'k-lost-00002' })).rejects.toMatchObject({
      code: 'SLOT_SOLD_OUT',
    });
    const free = tomorrowAt('09:00');
    await accept(studio.storeId, { customerId: 5000, serviceId: studio.classId, startMs: free, partySize: 1, idempotencyKey: 'k-lost-00003' });
    expect((await persistIntents(env, await drain()))[0]!.status).toBe('CONFIRMED');
  });
});

describe('reserve and enqueue do not come apart', () => {
  it('when a booking is accepted, then its intent is in the stream in the same step; refused requests leave nothing there', async () => {
    await rebuildStore(env, salon.storeId); // the data-loss test above wiped this store's inventory too
    await drain();
    const start = tomorrowAt('09:00');
    const accepted = await accept(salon.storeId, { customerId: 7, serviceId: salon.haircutId, startMs: start, partySize: 1, idempotencyKey: 'k-stream-0001' });
    await expect(accept(salon.storeId, { customerId: 8, serviceId: salon.haircutId, startMs: start + 10 * 60_000, partySize: 1, idempotencyKey: 'k-stream-0002' })).rejects.toMatchObject({
      code: 'SLOT_MISALIGNED',
    });
    const intents = await drain();
    expect(intents.map((i) => i.bookingId)).toEqual([accepted.bookingId]);
    expect(intents[0]!.cells.length).toBeGreaterThan(0);
  });

  it('when a relay reads intents and dies before acknowledging them, then another relay claims them and each booking is persisted once', async () => {
    const start = tomorrowAt('18:00');
    const first = await accept(salon.storeId, { customerId: 9, serviceId: salon.haircutId, startMs: start, partySize: 1, idempotencyKey: 'k-claim-0001' });
    const stores = [salon.storeId];
    await ensureRelayGroups(env.redis, env.keys, stores);
    const readByDeadRelay = await readIntents(env.redis, env.keys, stores, 'relay-that-dies', { count: 100, blockMs: 0 });
    expect(readByDeadRelay.map((e) => e.intent.bookingId)).toEqual([first.bookingId]);
    // Not acknowledged: a new read by another relay does not see it …
    expect(await readIntents(env.redis, env.keys, stores, 'relay-2', { count: 100, blockMs: 0 })).toEqual([]);
    // … until it claims entries idle for long enough.
    const claimed = await claimStaleIntents(env.redis, env.keys, salon.storeId, 'relay-2', 0, 100);
    expect(claimed.map((e) => e.intent.bookingId)).toEqual([first.bookingId]);
    const outcomes = await persistIntents(env, [...readByDeadRelay, ...claimed].map((e) => e.intent));
    expect(outcomes).toEqual([{ bookingId: first.bookingId, status: 'CONFIRMED', duplicate: false }]);
    await ackIntents(env.redis, env.keys, claimed);
    expect(await env.redis.xlen(env.keys.store(salon.storeId).intents)).toBe(0);
  });
});
