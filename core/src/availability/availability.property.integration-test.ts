import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBooking } from '../../../db/src/repositories/booking.repository.ts';
import { addScheduleException, createMerchant, createResource, createService, createStore, setWeeklyHours } from '../../../db/src/repositories/catalog-admin.repository.ts';
import { loadStoreCatalog } from '../../../db/src/repositories/catalog.repository.ts';
import { ackIntents, ensureRelayGroups, readIntents } from '../../../db/redis/intents.ts';
import { readInventory } from '../../../db/redis/inventory.ts';
import { createTestEnv, type TestEnv } from '../../../db/testing/test-env.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { bookingIdFactory } from '../ids.ts';
import { type AcceptDeps, acceptBooking } from '../lifecycle/accept.ts';
import { materializeStore } from '../lifecycle/materialize.ts';
import { persistIntents } from '../lifecycle/persist.ts';
import { type StoreSpec, type Window, storeSpecArb } from '../testing/random-store.ts';
import { addDays } from '../time/zoned.ts';
import { computeSlots, datesTouched, plannedSlots, type Slot } from './slots.ts';

/**
 * Properties on the real MariaDB and Redis: random stores (fast-check) written through the
 * catalog-admin repository and materialized, then random concurrent booking streams through
 * acceptBooking (reserve.lua) and persistIntents. Availability is read exactly as the gateway
 * reads it: plannedSlots → readInventory → computeSlots.
 */

let env: TestEnv;
let deps: AcceptDeps;
let storeCount = 0;
let customerSeq = 1;

beforeAll(async () => {
  env = await createTestEnv('availprop');
  deps = { ...env, newBookingId: bookingIdFactory(env.clock), requestRebuild: async () => {} };
});

afterAll(async () => {
  await env?.cleanup();
});

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

async function createRandomStore(spec: StoreSpec): Promise<StoreCatalog> {
  const now = spec.nowMs;
  storeCount++;
  const merchantId = await createMerchant(env.db, { name: `随机商户${storeCount}`, industry: 'test', timezone: spec.timezone }, now);
  const storeId = await createStore(
    env.db,
    { merchantId, name: `随机门店${storeCount}`, industry: 'test', timezone: spec.timezone, address: '上海', lat: 31, lng: 121, cellMinutes: spec.cellMinutes, horizonDays: spec.horizonDays, perCustomerDailyLimit: 0 },
    now,
  );
  const resourceIds: number[] = [];
  for (const [i, r] of spec.resources.entries()) {
    resourceIds.push(await createResource(env.db, { merchantId, storeId, kind: r.kind, name: `r${i}`, capacity: r.capacity, skills: r.skills }, now));
  }
  const week = (hours: Window[][]) => hours.flatMap((ws, d) => ws.map(([o, c]) => [d + 1, hhmm(o), hhmm(c)] as [number, string, string]));
  const storeWeek = week(spec.storeHours);
  if (storeWeek.length > 0) await setWeeklyHours(env.db, { merchantId, storeId, resourceId: null }, storeWeek);
  for (const [i, r] of spec.resources.entries()) {
    const own = r.hours ? week(r.hours) : [];
    if (own.length > 0) await setWeeklyHours(env.db, { merchantId, storeId, resourceId: resourceIds[i]! }, own);
  }
  for (const e of spec.exceptions) {
    const resourceId = e.resource === null ? null : resourceIds[e.resource]!;
    if (e.closed) await addScheduleException(env.db, { merchantId, storeId, resourceId, localDate: e.localDate, closed: true });
    else for (const [openMinute, closeMinute] of e.windows) await addScheduleException(env.db, { merchantId, storeId, resourceId, localDate: e.localDate, closed: false, openMinute, closeMinute });
  }
  for (const [i, s] of spec.services.entries()) await createService(env.db, { merchantId, storeId, name: `s${i}`, category: 'test', priceFen: 100, ...s }, now);
  env.clock.set(now);
  await materializeStore(env, storeId);
  return (await loadStoreCatalog(env.db, storeId))!;
}

/** The gateway's availability computation, in process. */
async function availability(catalog: StoreCatalog, serviceId: number, localDate: string): Promise<Slot[]> {
  const query = { catalog, service: catalog.services.get(serviceId)!, localDate, nowMs: env.clock.now() };
  const planned = plannedSlots(query);
  const snapshot = await readInventory(env.redis, env.keys, catalog.store.id, datesTouched(planned));
  expect(snapshot.epochPresent).toBe(true);
  return computeSlots(query, planned, (date, field) => snapshot.days.get(date)?.get(field));
}

async function drainAndPersist(storeId: number): Promise<void> {
  await ensureRelayGroups(env.redis, env.keys, [storeId]);
  for (;;) {
    const entries = await readIntents(env.redis, env.keys, [storeId], 'prop-relay', { count: 10_000, blockMs: 0 });
    if (entries.length === 0) return;
    const intents = entries.map((e) => e.intent);
    // Two persist calls at once over halves of the batch, as two workers would.
    const half = Math.ceil(intents.length / 2);
    await Promise.all([persistIntents(env, intents.slice(0, half)), persistIntents(env, intents.slice(half))]);
    await ackIntents(env.redis, env.keys, entries);
  }
}

/** MySQL cells vs the bookings holding them, and Redis counters vs MySQL, for the whole store. */
async function checkInventory(storeId: number): Promise<void> {
  const over = await sql<{ resource_id: number; starts_at: Date; capacity: number; booked: number; held: number | null }>`
    SELECT c.resource_id, c.starts_at, c.capacity, c.booked,
           (SELECT SUM(bc.quantity) FROM booking_cells bc JOIN bookings b ON b.id = bc.booking_id
             WHERE bc.resource_id = c.resource_id AND c.starts_at >= bc.starts_at AND c.starts_at < bc.ends_at
               AND b.status IN ('PENDING','AWAITING_PAYMENT','CONFIRMED','CHECKED_IN','COMPLETED')) AS held
      FROM inventory_cells c WHERE c.store_id = ${storeId}`.execute(env.db);
  // Redis mirrors cells from a day before now on (reconcile.ts): older ones cannot be booked any more.
  const mirroredFrom = env.clock.now() - 86_400_000;
  const dates = new Set<string>();
  const mysqlCells = new Map<string, number>();
  for (const row of over.rows) {
    const held = Number(row.held ?? 0);
    expect(held, `cell ${row.resource_id}@${row.starts_at.toISOString()}`).toBeLessThanOrEqual(row.capacity);
    expect(Number(row.booked), `booked column of ${row.resource_id}@${row.starts_at.toISOString()}`).toBe(held);
    if (row.starts_at.getTime() >= mirroredFrom) mysqlCells.set(`${row.resource_id}:${row.starts_at.getTime() / 60_000}`, Number(row.booked));
  }
  const dateRows = await env.db.selectFrom('inventory_cells').select('local_date').distinct().where('store_id', '=', storeId).execute();
  for (const r of dateRows) dates.add(String(r.local_date));
  const snapshot = await readInventory(env.redis, env.keys, storeId, [...dates]);
  let redisCells = 0;
  for (const cells of snapshot.days.values()) {
    for (const [field, state] of cells) {
      if (Number(field.split(':')[1]) * 60_000 < mirroredFrom) continue;
      redisCells++;
      expect(state.booked, `redis ${field}`).toBe(mysqlCells.get(field));
    }
  }
  expect(redisCells).toBe(mysqlCells.size);
}

const streamArb = fc.array(fc.record({ service: fc.nat(), slot: fc.nat(), party: fc.integer({ min: 1, max: 3 }), resource: fc.option(fc.nat(), { nil: undefined }), dup: fc.nat({ max: 3 }) }), {
  minLength: 5,
  maxLength: 30,
});

describe('random concurrent booking streams on MariaDB + Redis', () => {
  it('no cell is held beyond capacity in MySQL, Redis equals MySQL, and every accepted booking reaches an outcome', async () => {
    await fc.assert(
      fc.asyncProperty(storeSpecArb({ maxResources: 4 }), streamArb, async (spec, stream) => {
        const catalog = await createRandomStore(spec);
        const services = [...catalog.services.values()];
        const requests = [];
        for (const r of stream) {
          const service = services[r.service % services.length]!;
          const offered = await availability(catalog, service.id, spec.date);
          if (offered.length === 0) continue;
          const slot = offered[r.slot % offered.length]!;
          const resourceId = r.resource === undefined ? undefined : catalog.resources[r.resource % catalog.resources.length]!.id;
          // Several customers fire the same request at once (1 + dup racers).
          for (let k = 0; k <= r.dup; k++) {
            requests.push({ customerId: customerSeq++, storeId: catalog.store.id, serviceId: service.id, startMs: slot.startMs, partySize: Math.min(r.party, service.maxPartySize), resourceId, note: '', idempotencyKey: `prop-${customerSeq}` });
          }
        }
        const results = await Promise.allSettled(requests.map((request) => acceptBooking(deps, catalog, request)));
        for (const r of results) {
          if (r.status === 'rejected') expect(['SLOT_SOLD_OUT', 'SLOT_UNAVAILABLE', 'RESOURCE_NOT_FOUND', 'PARTY_TOO_LARGE']).toContain((r.reason as { code?: string }).code);
        }
        await drainAndPersist(catalog.store.id);
        for (const r of results) {
          if (r.status !== 'fulfilled') continue;
          const row = await findBooking(env.db, r.value.bookingId);
          expect(row?.status, r.value.bookingId).toBeDefined();
          expect(['CONFIRMED', 'REJECTED', 'AWAITING_PAYMENT']).toContain(row!.status);
        }
        await checkInventory(catalog.store.id);
      }),
      { numRuns: 12 },
    );
  });

  it('every slot the availability computation returns with remaining ≥ 1 can be booked', async () => {
    await fc.assert(
      fc.asyncProperty(storeSpecArb({ maxResources: 4 }), fc.nat(), async (spec, pick) => {
        const catalog = await createRandomStore(spec);
        for (const service of catalog.services.values()) {
          for (const date of [spec.date, addDays(spec.date, 1)]) {
            const first = await availability(catalog, service.id, date);
            // A sample of the day's slots, each re-checked right before booking (earlier bookings may overlap it).
            const sample = first.filter((_, i) => (i + pick) % Math.max(1, Math.ceil(first.length / 8)) === 0);
            for (const slot of sample) {
              const now = (await availability(catalog, service.id, date)).find((s) => s.startMs === slot.startMs);
              if (!now || now.remaining < 1) continue;
              const result = await acceptBooking(deps, catalog, {
                customerId: customerSeq++,
                storeId: catalog.store.id,
                serviceId: service.id,
                startMs: slot.startMs,
                partySize: 1,
                note: '',
                idempotencyKey: `book-${customerSeq}`,
              });
              expect(result.outcome).toBe('reserved');
            }
          }
        }
        await drainAndPersist(catalog.store.id);
        await checkInventory(catalog.store.id);
      }),
      { numRuns: 10 },
    );
  });
});
