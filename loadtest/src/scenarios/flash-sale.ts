import type { Kysely } from 'kysely';
import { capacityHoldingStatuses } from '../../../core/src/booking/state-machine.ts';
import type { Database } from '../../../db/src/database.ts';
import type { LoadtestConfig } from '../config.ts';
import { availability, type Customer, datesAhead, listStores, loginCustomers, type Slot, type StoreDetail, storeDetail } from '../lib/api.ts';
import { countErrors, runBookingLoad } from '../lib/booking-load.ts';
import { checkCells, countByStatus, invariant, waitForSettled } from '../lib/invariants.ts';
import { note } from '../lib/progress.ts';
import { type ScenarioOutcome, standardInvariants } from './common.ts';

/**
 * Flash sale: every customer fires one booking at the same untouched session
 * at the same moment. Exactly `capacity` may win; everybody else must get
 * 409 SLOT_SOLD_OUT, and MySQL must end up with exactly the winners.
 */

const DEFAULT_CUSTOMERS = 5000;
const DEFAULT_CONNECTIONS = 1000;
/** A session starting sooner than this could pass its start while the sale runs. */
const START_MARGIN_MS = 5 * 60_000;

export class NothingToSell extends Error {
  override name = 'NothingToSell';
}

async function findFlashStore(config: LoadtestConfig): Promise<{ store: StoreDetail; serviceId: number }> {
  const base = config.LOADTEST_BASE_URL;
  const candidates = config.LOADTEST_FLASH_STORE ? [config.LOADTEST_FLASH_STORE] : (await listStores(base, 'restaurant')).map((s) => s.id);
  for (const id of candidates) {
    const store = await storeDetail(base, id);
    const service = store.services.find((s) => s.category === 'flash_sale') ?? (config.LOADTEST_FLASH_STORE ? store.services[0] : undefined);
    if (service) return { store, serviceId: service.id };
  }
  throw new NothingToSell('no restaurant store with a flash_sale service (GET /v1/stores?industry=restaurant); run `npm run seed` or pass --store');
}

/** Capacity of a slot: per resource the smallest capacity of the cells it covers, summed over the slot's resources. */
async function slotCapacity(db: Kysely<Database>, storeId: number, slot: Slot): Promise<{ capacity: number; bookedInMysql: number }> {
  const resourceIds = slot.resources.map((r) => r.resourceId);
  if (resourceIds.length === 0) return { capacity: 0, bookedInMysql: 0 };
  const rows = await db
    .selectFrom('inventory_cells')
    .select(['resource_id', (eb) => eb.fn.min('capacity').as('capacity'), (eb) => eb.fn.sum<number>('booked').as('booked')])
    .where('store_id', '=', storeId)
    .where('resource_id', 'in', resourceIds)
    .where('starts_at', '>=', new Date(slot.startAt))
    .where('starts_at', '<', new Date(slot.endAt))
    .groupBy('resource_id')
    .execute();
  return { capacity: rows.reduce((sum, r) => sum + Number(r.capacity), 0), bookedInMysql: rows.reduce((sum, r) => sum + Number(r.booked), 0) };
}

/** The next session nobody has touched yet (Redis says all of it is free and MySQL has nothing booked). */
async function findUntouchedSlot(config: LoadtestConfig, db: Kysely<Database>, store: StoreDetail, serviceId: number) {
  const dates = datesAhead(store.timezone, config.LOADTEST_HORIZON_DAYS);
  const seen: string[] = [];
  for (const date of dates) {
    const slots = await availability(config.LOADTEST_BASE_URL, store.id, serviceId, date);
    for (const slot of slots) {
      if (Date.parse(slot.startAt) < Date.now() + START_MARGIN_MS) continue;
      const { capacity, bookedInMysql } = await slotCapacity(db, store.id, slot);
      seen.push(`${date} ${slot.localTime} ${slot.remaining}/${capacity}`);
      if (capacity > 0 && slot.remaining === capacity && bookedInMysql === 0) return { date, slot, capacity };
    }
  }
  throw new NothingToSell(
    `no untouched session of store ${store.id} (${store.name}) service ${serviceId} in the next ${config.LOADTEST_HORIZON_DAYS} days: ` +
      (seen.length ? `every session already has bookings (remaining/capacity: ${seen.join(', ')})` : 'no bookable session at all (is the inventory materialized?)') +
      '. Reset the demo data (drop the database, npm run migrate && npm run seed, restart the gateway and workers) or wait for the next day to be materialized.',
  );
}

export async function flashSale(config: LoadtestConfig, db: Kysely<Database>): Promise<ScenarioOutcome> {
  const base = config.LOADTEST_BASE_URL;
  const { store, serviceId } = await findFlashStore(config);
  const { date, slot, capacity } = await findUntouchedSlot(config, db, store, serviceId);
  note(`flash sale: store ${store.id} ${store.name}, service ${serviceId}, session ${date} ${slot.localTime} (${slot.startAt}), capacity ${capacity}`);

  const wanted = config.LOADTEST_CUSTOMERS ?? DEFAULT_CUSTOMERS;
  const { customers, failures } = await loginCustomers({
    baseUrl: base,
    wechatUrl: config.LOADTEST_WECHAT_URL,
    count: wanted,
    prefix: config.LOADTEST_USER_PREFIX,
    concurrency: config.LOADTEST_LOGIN_CONCURRENCY,
  });
  if (customers.length === 0) throw new Error(`no customer could log in; first failure: ${failures[0]}`);
  for (const failure of failures.slice(0, 3)) note(`  login failed: ${failure}`);

  // One request per customer: with the daily limit of 1 a second request would only measure the limit.
  const connections = Math.min(config.LOADTEST_CONNECTIONS ?? DEFAULT_CONNECTIONS, customers.length);
  const body = { storeId: store.id, serviceId, startAt: slot.startAt };
  const load = await runBookingLoad({
    baseUrl: base,
    connections,
    amount: customers.length,
    timeoutS: config.LOADTEST_REQUEST_TIMEOUT_S,
    label: `race: ${customers.length} customers, ${connections} connections, one session`,
    pick: (i) => ({ customer: customers[i % customers.length] as Customer, body }),
  });

  const settle = await waitForSettled(db, load.acceptedIds, config.LOADTEST_SETTLE_TIMEOUT_S * 1000);
  const byStatus = countByStatus(settle.rows);
  const cells = await checkCells(db);
  // Everything MySQL holds for this session, ours or not: the capacity invariant is about the session, not the run.
  const slotRows = await db
    .selectFrom('bookings')
    .select(['id', 'status', 'party_size'])
    .where('store_id', '=', store.id)
    .where('service_id', '=', serviceId)
    .where('starts_at', '=', new Date(slot.startAt))
    .execute();
  const heldPersons = slotRows.filter((r) => capacityHoldingStatuses.includes(r.status)).reduce((sum, r) => sum + r.party_size, 0);
  const ours = new Set(load.acceptedIds);
  const unseen = slotRows.filter((r) => !ours.has(r.id)).length;
  const releasedPersons = [...settle.rows.values()].filter((r) => ['REJECTED', 'EXPIRED', 'CANCELLED'].includes(r.status)).reduce((sum, r) => sum + r.partySize, 0);
  const after = (await availability(base, store.id, serviceId, date)).find((s) => s.startAt === slot.startAt);
  const redisRemaining = after?.remaining ?? 0;

  const soldOut = load.statuses['409 SLOT_SOLD_OUT'] ?? 0;
  const invariants = [
    ...standardInvariants(load, settle, cells),
    invariant('confirmed ≤ capacity', heldPersons <= capacity, `${heldPersons} persons hold the session in MySQL, capacity ${capacity}`),
    invariant(
      'no seat left unsold while customers heard sold out',
      soldOut === 0 || heldPersons + releasedPersons >= capacity,
      soldOut === 0 ? 'nobody heard sold out' : `${soldOut} sold-out answers; ${heldPersons} held + ${releasedPersons} released of ${capacity}`,
    ),
    invariant('Redis agrees with MySQL', redisRemaining === capacity - heldPersons, `availability says ${redisRemaining} remaining, MySQL implies ${capacity - heldPersons}`),
  ];

  return {
    load,
    settle,
    cells,
    invariants,
    figures: {
      store: `${store.id} ${store.name}`,
      session: `${date} ${slot.localTime} (${slot.startAt})`,
      capacity,
      customers: customers.length,
      login_failures: failures.length,
      connections,
      requests: load.log.count,
      accepted: load.acceptedIds.length,
      confirmed: byStatus.CONFIRMED ?? 0,
      rejected: byStatus.REJECTED ?? 0,
      expired: byStatus.EXPIRED ?? 0,
      cancelled: byStatus.CANCELLED ?? 0,
      sold_out: soldOut,
      limited: load.statuses['429 CUSTOMER_LIMIT_REACHED'] ?? 0,
      errors: countErrors(load.statuses, ['202', '409 SLOT_SOLD_OUT', '429 CUSTOMER_LIMIT_REACHED']),
      held_persons_in_mysql: heldPersons,
      redis_remaining_after: redisRemaining,
      bookings_for_session_not_answered_to_us: unseen,
      settle_seconds: Number(settle.seconds.toFixed(1)),
    },
    settings: { customers: wanted, connections, user_prefix: config.LOADTEST_USER_PREFIX, request_timeout_s: config.LOADTEST_REQUEST_TIMEOUT_S },
  };
}
