import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bookingIdFactory } from '../../core/src/ids.ts';
import { createSalon, type SalonFixture } from '../testing/fixtures.ts';
import { createTestEnv, type TestEnv } from '../testing/test-env.ts';
import { migrateToLatest, migrator } from './migrate.ts';
import { bookingRowFromIntent, insertBookingIfAbsent } from './repositories/booking.repository.ts';

/**
 * The migrations that turned booking_cells into runs, on a database that has rows of the old shape
 * (one per cell): each becomes a one-cell run, and the way back works too.
 */
const BEFORE_RUNS = '2026_11_30_011000_create_service_resource_durations';
const MINUTE = 60_000;

let env: TestEnv;
let salon: SalonFixture;
const startMs = Date.parse('2026-12-02T02:00:00Z');

beforeAll(async () => {
  env = await createTestEnv('cellruns');
  salon = await createSalon(env.db, env.clock.now(), { stylists: 1 });
});

afterAll(async () => {
  await env?.cleanup();
});

describe('booking_cells as runs: the migrations', () => {
  it('fill ends_at of one-cell rows with the store’s cell length (one minute when the booking is gone), then require it', async () => {
    const down = await migrator(env.db).migrateTo(BEFORE_RUNS);
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ['2026_11_30_011400_check_booking_cells_run', 'Down', 'Success'],
      ['2026_11_30_011300_require_booking_cells_ends_at', 'Down', 'Success'],
      ['2026_11_30_011200_fill_booking_cells_ends_at', 'Down', 'Success'],
      ['2026_11_30_011100_add_booking_cells_ends_at', 'Down', 'Success'],
    ]);

    const bookingId = bookingIdFactory(env.clock)(salon.storeId);
    const intent = {
      bookingId,
      merchantId: salon.merchantId,
      storeId: salon.storeId,
      serviceId: salon.haircutId,
      customerId: 1,
      resourceId: salon.stylistIds[0]!,
      startMs,
      endMs: startMs + 60 * MINUTE,
      localDate: '2026-12-02',
      partySize: 1,
      priceFen: 8800,
      idempotencyKey: 'old-shape',
      note: '',
      acceptedAt: startMs - 3600 * 1000,
      deadlineMs: startMs,
      cells: [],
    };
    await insertBookingIfAbsent(env.db, bookingRowFromIntent(intent, 'CONFIRMED', null, env.clock.now()));
    const stylist = salon.stylistIds[0]!;
    for (const minutes of [0, 15, 30, 45]) {
      await sql`INSERT INTO booking_cells (booking_id, resource_id, starts_at, quantity) VALUES (${bookingId}, ${stylist}, ${new Date(startMs + minutes * MINUTE)}, 1)`.execute(env.db);
    }
    await sql`INSERT INTO booking_cells (booking_id, resource_id, starts_at, quantity) VALUES ('gone', ${stylist}, ${new Date(startMs)}, 1)`.execute(env.db);

    const up = await migrateToLatest(env.db);
    expect(up.error).toBeUndefined();
    const rows = await env.db.selectFrom('booking_cells').select(['booking_id', 'starts_at', 'ends_at']).orderBy('booking_id').orderBy('starts_at').execute();
    const lengths = rows.map((r) => [r.booking_id === bookingId ? 'booking' : r.booking_id, (r.ends_at.getTime() - r.starts_at.getTime()) / MINUTE]);
    expect(lengths).toEqual([['booking', 15], ['booking', 15], ['booking', 15], ['booking', 15], ['gone', 1]]);

    // NOT NULL and the check hold from now on.
    await expect(sql`INSERT INTO booking_cells (booking_id, resource_id, starts_at, quantity) VALUES ('x', 1, NOW(), 1)`.execute(env.db)).rejects.toThrow();
    await expect(sql`INSERT INTO booking_cells (booking_id, resource_id, starts_at, ends_at, quantity) VALUES ('x', 1, ${new Date(startMs)}, ${new Date(startMs)}, 1)`.execute(env.db)).rejects.toThrow(/booking_cells_run_chk/);
  });
});
