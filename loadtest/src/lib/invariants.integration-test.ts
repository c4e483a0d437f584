import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bookingIdFactory } from '../../../core/src/ids.ts';
import { acceptBooking } from '../../../core/src/lifecycle/accept.ts';
import { materializeStore } from '../../../core/src/lifecycle/materialize.ts';
import { persistIntents } from '../../../core/src/lifecycle/persist.ts';
import { zonedToInstant } from '../../../core/src/time/zoned.ts';
import { ackIntents, ensureRelayGroups, readIntents } from '../../../db/redis/intents.ts';
import { bookingCellsOf, findBooking } from '../../../db/src/repositories/booking.repository.ts';
import { loadStoreCatalog } from '../../../db/src/repositories/catalog.repository.ts';
import { createSalon, type SalonFixture } from '../../../db/testing/fixtures.ts';
import { createTestEnv, type TestEnv } from '../../../db/testing/test-env.ts';
import { checkCells } from './invariants.ts';

/**
 * The invariant check the load tests and the bench end with, on booking cells stored as runs: it must see
 * every cell of a run, and report a cell whose booked count or inventory row went missing.
 */
let env: TestEnv;
let salon: SalonFixture;
let bookingId: string;
const MINUTE = 60_000;

beforeAll(async () => {
  env = await createTestEnv('invariants');
  salon = await createSalon(env.db, env.clock.now(), { stylists: 1 });
  await materializeStore(env, salon.storeId);
  const catalog = (await loadStoreCatalog(env.db, salon.storeId))!;
  const startMs = zonedToInstant('2026-12-02', 10 * 60, 'Asia/Shanghai');
  const accepted = await acceptBooking({ ...env, newBookingId: bookingIdFactory(env.clock), requestRebuild: async () => {} }, catalog, {
    customerId: 1,
    storeId: salon.storeId,
    serviceId: salon.haircutId,
    startMs,
    partySize: 1,
    note: '',
    idempotencyKey: 'invariants-1',
  });
  bookingId = accepted.bookingId;
  await ensureRelayGroups(env.redis, env.keys, [salon.storeId]);
  const entries = await readIntents(env.redis, env.keys, [salon.storeId], 'test-relay', { count: 100, blockMs: 0 });
  await persistIntents(env, entries.map((e) => e.intent));
  await ackIntents(env.redis, env.keys, entries);
});

afterAll(async () => {
  await env?.cleanup();
});

describe('checkCells over booking cell runs', () => {
  it('stores the 75-minute booking (haircut + clean-up) as one run and sees each of its five cells held', async () => {
    expect((await findBooking(env.db, bookingId))?.status).toBe('CONFIRMED');
    const runs = await env.db.selectFrom('booking_cells').selectAll().where('booking_id', '=', bookingId).execute();
    expect(runs).toHaveLength(1);
    expect((runs[0]!.ends_at.getTime() - runs[0]!.starts_at.getTime()) / MINUTE).toBe(75);
    const cells = await bookingCellsOf(env.db, bookingId);
    expect(cells.map((c) => c.startMinute - cells[0]!.startMinute)).toEqual([0, 15, 30, 45, 60]);
    const check = await checkCells(env.db, [salon.storeId]);
    expect(check).toMatchObject({ overCapacity: [], mismatched: [], orphanCells: 0 });
    expect(check.cellsChecked).toBeGreaterThan(5);
  });

  it('reports a cell in the middle of a run whose booked count went missing', async () => {
    const [, , third] = await bookingCellsOf(env.db, bookingId);
    const at = new Date(third!.startMinute * MINUTE);
    await sql`UPDATE inventory_cells SET booked = 0 WHERE resource_id = ${third!.resourceId} AND starts_at = ${at}`.execute(env.db);
    try {
      const check = await checkCells(env.db, [salon.storeId]);
      expect(check.mismatched).toEqual([{ resourceId: third!.resourceId, startsAt: at.toISOString(), capacity: 1, booked: 0, held: 1 }]);
    } finally {
      await sql`UPDATE inventory_cells SET booked = 1 WHERE resource_id = ${third!.resourceId} AND starts_at = ${at}`.execute(env.db);
    }
  });

  it('counts a run cell with no inventory row as an orphan', async () => {
    const [, second] = await bookingCellsOf(env.db, bookingId);
    await sql`DELETE FROM inventory_cells WHERE resource_id = ${second!.resourceId} AND starts_at = ${new Date(second!.startMinute * MINUTE)}`.execute(env.db);
    const check = await checkCells(env.db, [salon.storeId]);
    expect(check.orphanCells).toBe(1);
    expect(await bookingCellsOf(env.db, bookingId)).toHaveLength(4);
  });
});
