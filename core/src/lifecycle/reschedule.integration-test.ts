import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingCellsOf, eventsOf, findBooking } from '../../../db/src/repositories/booking.repository.ts';
import { loadStoreCatalog } from '../../../db/src/repositories/catalog.repository.ts';
import { createClassStudio, createSalon, type ClassFixture, type SalonFixture } from '../../../db/testing/fixtures.ts';
import { createTestEnv, type TestEnv } from '../../../db/testing/test-env.ts';
import { readHold } from '../../../db/redis/holds.ts';
import { beginMove, settleMove } from '../../../db/redis/move.ts';
import { planBooking } from '../inventory/plan.ts';
import { reconcileStore } from './reconcile.ts';
import { ackIntents, ensureRelayGroups, readIntents } from '../../../db/redis/intents.ts';
import type { AppError } from '../errors.ts';
import { bookingIdFactory } from '../ids.ts';
import { zonedToInstant } from '../time/zoned.ts';
import { type AcceptDeps, type AcceptRequest, acceptBooking } from './accept.ts';
import { cancelBooking } from './cancel.ts';
import type { Actor } from './deps.ts';
import { materializeStore } from './materialize.ts';
import { persistIntents } from './persist.ts';
import { MAX_RESCHEDULES, type RescheduleDeps, rescheduleBooking } from './reschedule.ts';

/**
 * Reschedule on the real MariaDB and Redis: every test compares the two
 * stores of capacity cell by cell, because the point of the feature is that
 * the old cells are released exactly where the new ones were taken, in both.
 */
let env: TestEnv;
let salon: SalonFixture;
let studio: ClassFixture;
let acceptDeps: AcceptDeps;
let deps: RescheduleDeps;

const MINUTE = 60_000;
const TOMORROW = '2026-12-02';
const LATER = '2026-12-03';
const at = (day: string, hhmm: string) => zonedToInstant(day, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)), 'Asia/Shanghai');
const customer = (customerId: number): Actor => ({ kind: 'customer', customerId });
let keySeq = 0;

async function drain(): Promise<void> {
  const stores = [salon.storeId, studio.storeId];
  await ensureRelayGroups(env.redis, env.keys, stores);
  const entries = await readIntents(env.redis, env.keys, stores, 'test-relay', { count: 10_000, blockMs: 0 });
  await ackIntents(env.redis, env.keys, entries);
  if (entries.length > 0) await persistIntents(env, entries.map((e) => e.intent));
}

async function accept(storeId: number, request: Omit<AcceptRequest, 'storeId' | 'note' | 'idempotencyKey' | 'partySize'> & { partySize?: number }) {
  const catalog = await loadStoreCatalog(env.db, storeId);
  return acceptBooking(acceptDeps, catalog!, { note: '', storeId, partySize: 1, idempotencyKey: `resched-${String(++keySeq).padStart(6, '0')}`, ...request });
}

/** Accepted and persisted: a CONFIRMED row (no payment policy in these stores). */
async function book(storeId: number, request: Parameters<typeof accept>[1]): Promise<string> {
  const { bookingId } = await accept(storeId, request);
  await drain();
  expect((await findBooking(env.db, bookingId))?.status).toBe('CONFIRMED');
  return bookingId;
}

/** Every cell of the store's days: MySQL booked must equal the Redis counter (missing = 0). */
async function expectInSync(storeId: number, days: string[]): Promise<void> {
  for (const day of days) {
    const mysql = await env.db.selectFrom('inventory_cells').select(['resource_id', 'starts_at', 'booked', 'capacity']).where('store_id', '=', storeId).where('local_date', '=', day).execute();
    const redis = await env.redis.hgetall(env.keys.store(storeId).booked(day));
    for (const cell of mysql) {
      const field = `${cell.resource_id}:${cell.starts_at.getTime() / MINUTE}`;
      expect(cell.booked, field).toBeLessThanOrEqual(cell.capacity);
      expect(Number(redis[field] ?? 0), `${day} ${field}`).toBe(cell.booked);
    }
  }
}

async function mysqlBooked(resourceId: number, startMs: number): Promise<number> {
  const row = await env.db.selectFrom('inventory_cells').select('booked').where('resource_id', '=', resourceId).where('starts_at', '=', new Date(startMs)).executeTakeFirstOrThrow();
  return row.booked;
}

async function redisBooked(storeId: number, day: string, resourceId: number, startMs: number): Promise<number> {
  return Number((await env.redis.hget(env.keys.store(storeId).booked(day), `${resourceId}:${startMs / MINUTE}`)) ?? 0);
}

/** Everything a refused reschedule must leave alone. */
async function snapshot(storeId: number, bookingId: string, days: string[]) {
  const counters: Record<string, Record<string, string>> = {};
  for (const day of days) counters[day] = await env.redis.hgetall(env.keys.store(storeId).booked(day));
  const mysql = await env.db.selectFrom('inventory_cells').select(['resource_id', 'starts_at', 'booked']).where('store_id', '=', storeId).where('local_date', 'in', days).orderBy('resource_id').orderBy('starts_at').execute();
  return {
    row: await findBooking(env.db, bookingId),
    cells: await bookingCellsOf(env.db, bookingId),
    events: (await eventsOf(env.db, bookingId)).length,
    hold: await env.redis.hgetall(env.keys.store(storeId).hold(bookingId)),
    counters,
    mysql,
  };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  env = await createTestEnv('reschedule');
  salon = await createSalon(env.db, env.clock.now(), { stylists: 2, perCustomerDailyLimit: 20 });
  studio = await createClassStudio(env.db, env.clock.now(), { capacity: 3, perCustomerDailyLimit: 20 });
  acceptDeps = { ...env, newBookingId: bookingIdFactory(env.clock), requestRebuild: async () => {} };
  deps = { ...env, loadCatalog: async (storeId) => (await loadStoreCatalog(env.db, storeId))!, requestRebuild: async () => {} };
  await materializeStore(env, salon.storeId);
  await materializeStore(env, studio.storeId);
});

afterAll(async () => {
  await env?.cleanup();
});

describe('moving a booking', () => {
  it('when the new slot is free, then the old cells are free and the new ones taken in Redis and MySQL, cells replaced and the move recorded', async () => {
    const [stylist] = salon.stylistIds;
    const id = await book(salon.storeId, { customerId: 1, serviceId: salon.haircutId, startMs: at(TOMORROW, '10:00'), resourceId: stylist });
    const before = await findBooking(env.db, id);

    const result = await rescheduleBooking(deps, customer(1), id, { startMs: at(TOMORROW, '14:00') });
    expect(result).toEqual({ bookingId: id, status: 'CONFIRMED', outcome: 'moved' });

    const row = (await findBooking(env.db, id))!;
    expect(row.starts_at.getTime()).toBe(at(TOMORROW, '14:00'));
    expect(row.ends_at.getTime()).toBe(at(TOMORROW, '15:00'));
    // Omitted resourceId keeps the stylist when they are free; id, price and status stay.
    expect([row.resource_id, row.price_fen, row.status, row.version]).toEqual([stylist, before!.price_fen, 'CONFIRMED', before!.version + 1]);
    const cells = await bookingCellsOf(env.db, id);
    expect(cells.map((c) => c.startMinute * MINUTE).sort()).toEqual([0, 15, 30, 45, 60].map((m) => at(TOMORROW, '14:00') + m * MINUTE));
    for (const m of [0, 15, 30, 45, 60]) {
      expect(await mysqlBooked(stylist!, at(TOMORROW, '10:00') + m * MINUTE)).toBe(0);
      expect(await redisBooked(salon.storeId, TOMORROW, stylist!, at(TOMORROW, '10:00') + m * MINUTE)).toBe(0);
      expect(await mysqlBooked(stylist!, at(TOMORROW, '14:00') + m * MINUTE)).toBe(1);
      expect(await redisBooked(salon.storeId, TOMORROW, stylist!, at(TOMORROW, '14:00') + m * MINUTE)).toBe(1);
    }
    await expectInSync(salon.storeId, [TOMORROW]);

    const events = (await eventsOf(env.db, id)).filter((e) => e.type === 'RESCHEDULED');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload)).toMatchObject({
      from: { startAt: new Date(at(TOMORROW, '10:00')).toISOString(), resourceId: stylist },
      to: { startAt: new Date(at(TOMORROW, '14:00')).toISOString(), resourceId: stylist },
      count: 1,
    });
    expect(events[0]!.actor).toBe('customer:1');

    // The hold now lists the new cells, so a cancel releases exactly those.
    const hold = await readHold(env.redis, env.keys, salon.storeId, id);
    expect(hold?.state).toBe('persisted');
    expect(hold?.intent.cells.map((c) => c.startMinute).sort()).toEqual(cells.map((c) => c.startMinute).sort());
    await cancelBooking(env, customer(1), id, 'CUSTOMER_REQUEST');
    for (const m of [0, 15, 30, 45, 60]) expect(await redisBooked(salon.storeId, TOMORROW, stylist!, at(TOMORROW, '14:00') + m * MINUTE)).toBe(0);
    await expectInSync(salon.storeId, [TOMORROW]);
  });

  it('when the move overlaps the booking itself, to another day, or to another stylist, then each fits and stays in sync', async () => {
    const [first, second] = salon.stylistIds;
    const id = await book(salon.storeId, { customerId: 2, serviceId: salon.haircutId, startMs: at(TOMORROW, '16:00'), resourceId: first });
    // 16:00 → 16:30 on a stylist who can serve one at a time: it shares four of its own cells.
    await rescheduleBooking(deps, customer(2), id, { startMs: at(TOMORROW, '16:30'), resourceId: first });
    expect(await mysqlBooked(first!, at(TOMORROW, '16:00'))).toBe(0);
    expect(await mysqlBooked(first!, at(TOMORROW, '17:30'))).toBe(1);
    await expectInSync(salon.storeId, [TOMORROW]);

    await rescheduleBooking(deps, customer(2), id, { startMs: at(LATER, '09:00'), resourceId: second });
    const row = (await findBooking(env.db, id))!;
    expect([row.local_date, row.resource_id]).toEqual([LATER, second]);
    expect(await mysqlBooked(first!, at(TOMORROW, '17:30'))).toBe(0);
    await expectInSync(salon.storeId, [TOMORROW, LATER]);
    const hold = await readHold(env.redis, env.keys, salon.storeId, id);
    expect(hold?.days).toEqual([LATER]);
  });

  it('when the new slot is full, then 409 SLOT_SOLD_OUT and nothing changed in MySQL or Redis', async () => {
    // Perm needs the one stylist who perms: one booking fills a slot.
    const mine = await book(salon.storeId, { customerId: 3, serviceId: salon.permId, startMs: at(LATER, '11:00') });
    await book(salon.storeId, { customerId: 4, serviceId: salon.permId, startMs: at(LATER, '15:00') });
    const before = await snapshot(salon.storeId, mine, [LATER]);
    const error = await refusal(rescheduleBooking(deps, customer(3), mine, { startMs: at(LATER, '14:00') }));
    expect(error.code).toBe('SLOT_SOLD_OUT');
    expect(await snapshot(salon.storeId, mine, [LATER])).toEqual(before);
    await expectInSync(salon.storeId, [LATER]);
  });

  it('when MySQL disagrees with Redis about the new slot, then MySQL refuses, 409, and Redis is moved back', async () => {
    const [stylist] = salon.stylistIds;
    const id = await book(salon.storeId, { customerId: 5, serviceId: salon.haircutId, startMs: at(TOMORROW, '18:00'), resourceId: stylist });
    const target = at(TOMORROW, '19:00');
    // MySQL believes someone holds 19:30 that Redis never saw (a drifted mirror).
    await env.db.updateTable('inventory_cells').set({ booked: 1 }).where('resource_id', '=', stylist!).where('starts_at', '=', new Date(target + 30 * MINUTE)).execute();
    const before = await snapshot(salon.storeId, id, [TOMORROW]);

    const error = await refusal(rescheduleBooking(deps, customer(5), id, { startMs: target, resourceId: stylist }));
    expect(error.code).toBe('SLOT_SOLD_OUT');
    const after = await snapshot(salon.storeId, id, [TOMORROW]);
    expect(after.row).toEqual(before.row);
    expect(after.cells).toEqual(before.cells);
    expect(after.mysql).toEqual(before.mysql);
    expect(after.counters).toEqual(before.counters);
    expect(after.hold.cells).toBe(before.hold.cells);
    expect(after.hold.days).toBe(before.hold.days);
    expect(after.hold.mv).toBeUndefined();
    expect(after.events).toBe(before.events);

    await env.db.updateTable('inventory_cells').set({ booked: 0 }).where('resource_id', '=', stylist!).where('starts_at', '=', new Date(target + 30 * MINUTE)).execute();
    await expectInSync(salon.storeId, [TOMORROW]);
  });

  it('when two customers race to move into the last free spot while a third books it fresh, then capacity is never exceeded', async () => {
    for (const [round, hour] of ['08:00', '10:00', '12:00', '14:00', '16:00'].entries()) {
      const slot = at(LATER, hour);
      const base = 100 + round * 10;
      // Two of three mats taken; the two movers hold the next class.
      await book(studio.storeId, { customerId: base, serviceId: studio.classId, startMs: slot });
      await book(studio.storeId, { customerId: base + 1, serviceId: studio.classId, startMs: slot });
      const moverA = await book(studio.storeId, { customerId: base + 2, serviceId: studio.classId, startMs: slot + 60 * MINUTE });
      const moverB = await book(studio.storeId, { customerId: base + 3, serviceId: studio.classId, startMs: slot + 60 * MINUTE });

      const results = await Promise.allSettled([
        rescheduleBooking(deps, customer(base + 2), moverA, { startMs: slot }),
        rescheduleBooking(deps, customer(base + 3), moverB, { startMs: slot }),
        accept(studio.storeId, { customerId: base + 4, serviceId: studio.classId, startMs: slot }),
      ]);
      await drain();
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => (r.reason as AppError).code)).toEqual(['SLOT_SOLD_OUT', 'SLOT_SOLD_OUT']);
      for (const m of [0, 15, 30, 45]) {
        expect(await mysqlBooked(studio.studioId, slot + m * MINUTE)).toBe(3);
        // The next class lost exactly the mover that won (if a mover won).
        expect(await mysqlBooked(studio.studioId, slot + (60 + m) * MINUTE)).toBe(won[0] === results[2] ? 2 : 1);
      }
      await expectInSync(studio.storeId, [LATER]);
    }
  });
});

describe('reconciliation meets an open move', () => {
  it('when a reconcile pass runs between moveHold and the MySQL commit, then Redis keeps counting the new cells (never less cautious than MySQL)', async () => {
    const [, second] = salon.stylistIds;
    const id = await book(salon.storeId, { customerId: 12, serviceId: salon.haircutId, startMs: at(LATER, '12:00'), resourceId: second });
    const catalog = (await loadStoreCatalog(env.db, salon.storeId))!;
    const plan = planBooking(catalog, { serviceId: salon.haircutId, startMs: at(LATER, '19:00'), partySize: 1, resourceId: second }, env.clock.now());
    const begun = await beginMove(env.redis, env.keys, {
      storeId: salon.storeId,
      bookingId: id,
      moveId: 'test-move',
      customerId: 12,
      oldLocalDate: LATER,
      newLocalDate: LATER,
      oldCells: await bookingCellsOf(env.db, id),
      groups: plan.groups,
      customerDailyLimit: 0,
      holdTtlSeconds: 3 * 86_400,
      windowMs: 120_000,
    });
    if (begun.kind !== 'moved') throw new Error(`move refused: ${begun.kind}`);
    await reconcileStore(env, salon.storeId, 'repair', [LATER]);
    // MySQL has not seen the move: old cells are counted by MySQL (and the hold), new ones by the hold alone.
    expect(await redisBooked(salon.storeId, LATER, second!, at(LATER, '19:00'))).toBe(1);
    expect(await redisBooked(salon.storeId, LATER, second!, at(LATER, '12:00'))).toBeGreaterThanOrEqual(1);

    // MySQL refused after all: the new cells go back, and once the move is settled the next pass writes the truth.
    await settleMove(env.redis, env.keys, begun.move, 'old');
    expect(await redisBooked(salon.storeId, LATER, second!, at(LATER, '19:00'))).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await reconcileStore(env, salon.storeId, 'repair', [LATER]);
    await expectInSync(salon.storeId, [LATER]);
  });
});

describe('what cannot be moved', () => {
  it('when someone else’s booking is moved, then it is not found, for customers and other merchants alike', async () => {
    const id = await book(salon.storeId, { customerId: 6, serviceId: salon.haircutId, startMs: at(TOMORROW, '11:00') });
    expect((await refusal(rescheduleBooking(deps, customer(7), id, { startMs: at(TOMORROW, '12:00') }))).code).toBe('BOOKING_NOT_FOUND');
    const stranger: Actor = { kind: 'merchant', merchantId: studio.merchantId, staffId: 1, storeId: null };
    expect((await refusal(rescheduleBooking(deps, stranger, id, { startMs: at(TOMORROW, '12:00') }))).code).toBe('BOOKING_NOT_FOUND');
    const owner: Actor = { kind: 'merchant', merchantId: salon.merchantId, staffId: 1, storeId: null };
    expect(await rescheduleBooking(deps, owner, id, { startMs: at(TOMORROW, '12:00') })).toMatchObject({ outcome: 'moved' });
    expect((await eventsOf(env.db, id)).at(-1)!.actor).toBe('staff:1');
  });

  it('when the new time is off the grid, too soon, beyond the horizon or closed, then the refusal names why and nothing changed', async () => {
    const id = await book(salon.storeId, { customerId: 8, serviceId: salon.haircutId, startMs: at(TOMORROW, '13:00') });
    const before = await snapshot(salon.storeId, id, [TOMORROW]);
    const cases: [number, string][] = [
      [at(TOMORROW, '13:10'), 'SLOT_MISALIGNED'],
      [env.clock.now() + 30 * MINUTE, 'SLOT_TOO_SOON'],
      [env.clock.now() - 60 * MINUTE, 'SLOT_TOO_SOON'],
      [env.clock.now() + 400 * 24 * 60 * MINUTE, 'SLOT_BEYOND_HORIZON'],
      [at(TOMORROW, '22:00'), 'SLOT_UNAVAILABLE'],
    ];
    for (const [startMs, code] of cases) expect((await refusal(rescheduleBooking(deps, customer(8), id, { startMs }))).code, code).toBe(code);
    expect((await refusal(rescheduleBooking(deps, customer(8), id, { startMs: at(TOMORROW, '15:00'), resourceId: studio.studioId }))).code).toBe('RESOURCE_NOT_FOUND');
    expect(await snapshot(salon.storeId, id, [TOMORROW])).toEqual(before);
  });

  it('when a booking was moved the maximum number of times, then the next move is refused; moving to the same slot is a free no-op', async () => {
    const id = await book(salon.storeId, { customerId: 9, serviceId: salon.haircutId, startMs: at(LATER, '17:00') });
    const starts = ['17:30', '18:00', '18:30'];
    for (const hhmm of starts.slice(0, MAX_RESCHEDULES)) {
      expect((await rescheduleBooking(deps, customer(9), id, { startMs: at(LATER, hhmm) })).outcome).toBe('moved');
    }
    const unchanged = await rescheduleBooking(deps, customer(9), id, { startMs: at(LATER, '18:30') });
    expect(unchanged.outcome).toBe('unchanged');
    const before = await snapshot(salon.storeId, id, [LATER]);
    const error = await refusal(rescheduleBooking(deps, customer(9), id, { startMs: at(LATER, '19:00') }));
    expect([error.code, error.details.params]).toEqual(['RESCHEDULE_LIMIT_REACHED', { max: MAX_RESCHEDULES }]);
    expect(await snapshot(salon.storeId, id, [LATER])).toEqual(before);
    await expectInSync(salon.storeId, [LATER]);
  });

  it('when the booking is still PENDING, cancelled, or has started, then it cannot move', async () => {
    const pending = await accept(salon.storeId, { customerId: 10, serviceId: salon.haircutId, startMs: at(TOMORROW, '19:30') });
    const early = await refusal(rescheduleBooking(deps, customer(10), pending.bookingId, { startMs: at(TOMORROW, '19:00') }));
    expect([early.code, early.details.retryAfterSeconds]).toEqual(['INVALID_TRANSITION', 1]);
    await drain();

    await cancelBooking(env, customer(10), pending.bookingId, 'CUSTOMER_REQUEST');
    expect((await refusal(rescheduleBooking(deps, customer(10), pending.bookingId, { startMs: at(TOMORROW, '19:00') }))).code).toBe('INVALID_TRANSITION');

    const soon = await book(salon.storeId, { customerId: 11, serviceId: salon.haircutId, startMs: env.clock.now() + 2 * 60 * MINUTE });
    const now = env.clock.now();
    env.clock.set(now + 2 * 60 * MINUTE);
    try {
      expect((await refusal(rescheduleBooking(deps, customer(11), soon, { startMs: at(LATER, '20:00') }))).code).toBe('BOOKING_ALREADY_STARTED');
    } finally {
      env.clock.set(now);
    }
  });
});
