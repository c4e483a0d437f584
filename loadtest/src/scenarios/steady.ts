import type { Kysely } from 'kysely';
import type { Database } from '../../../db/src/database.ts';
import type { LoadtestConfig } from '../config.ts';
import { availability, type Customer, datesAhead, loginCustomers, type Slot, storeDetail } from '../lib/api.ts';
import { type BookingBody, countErrors, runBookingLoad } from '../lib/booking-load.ts';
import { checkCells, countByStatus, waitForSettled } from '../lib/invariants.ts';
import { note } from '../lib/progress.ts';
import { type ScenarioOutcome, standardInvariants } from './common.ts';

/**
 * Steady: a constant booking rate over several demo stores, random slots
 * from their availability, many customers. Sold-out and daily-limit answers
 * are expected as the slots fill up; the invariants must hold regardless.
 */

const DEFAULT_CUSTOMERS = 1000;
const DEFAULT_CONNECTIONS = 64;

interface Target {
  storeId: number;
  serviceId: number;
  label: string;
  maxPartySize: number;
  slots: Slot[];
}

async function loadTargets(config: LoadtestConfig): Promise<Target[]> {
  const targets: Target[] = [];
  for (const spec of config.LOADTEST_STEADY_TARGETS.split(',')) {
    const [storePart, servicePart] = spec.split(':');
    const store = await storeDetail(config.LOADTEST_BASE_URL, Number(storePart));
    const service = servicePart ? store.services.find((s) => s.id === Number(servicePart)) : store.services[0];
    if (!service) throw new Error(`store ${store.id} (${store.name}) has no service ${servicePart ?? '(none at all)'}`);
    const slots: Slot[] = [];
    for (const date of datesAhead(store.timezone, config.LOADTEST_HORIZON_DAYS)) {
      slots.push(...(await availability(config.LOADTEST_BASE_URL, store.id, service.id, date)).filter((s) => s.remaining > 0 && Date.parse(s.startAt) > Date.now() + 60_000));
    }
    const label = `store ${store.id} ${store.name} / service ${service.id} ${service.name}`;
    note(`steady: ${label}: ${slots.length} open slots`);
    if (slots.length > 0) targets.push({ storeId: store.id, serviceId: service.id, label, maxPartySize: Math.min(service.maxPartySize, 2), slots });
  }
  if (targets.length === 0) throw new Error('no open slot in any target store: nothing to book (reset the demo data?)');
  return targets;
}

export async function steady(config: LoadtestConfig, db: Kysely<Database>): Promise<ScenarioOutcome> {
  const targets = await loadTargets(config);
  const wanted = config.LOADTEST_CUSTOMERS ?? DEFAULT_CUSTOMERS;
  const { customers, failures } = await loginCustomers({
    baseUrl: config.LOADTEST_BASE_URL,
    wechatUrl: config.LOADTEST_WECHAT_URL,
    count: wanted,
    prefix: config.LOADTEST_USER_PREFIX,
    concurrency: config.LOADTEST_LOGIN_CONCURRENCY,
  });
  if (customers.length === 0) throw new Error(`no customer could log in; first failure: ${failures[0]}`);

  const rate = config.LOADTEST_RATE;
  const duration = config.LOADTEST_DURATION_S;
  // autocannon caps connections at the rate; each connection then sends rate/connections per second.
  const connections = Math.min(config.LOADTEST_CONNECTIONS ?? DEFAULT_CONNECTIONS, rate);
  const random = (n: number) => Math.floor(Math.random() * n);
  const load = await runBookingLoad({
    baseUrl: config.LOADTEST_BASE_URL,
    connections,
    durationS: duration,
    overallRate: rate,
    timeoutS: config.LOADTEST_REQUEST_TIMEOUT_S,
    label: `steady: ${rate} req/s for ${duration} s over ${targets.length} stores, ${connections} connections`,
    pick: (i) => {
      const target = targets[i % targets.length]!;
      const slot = target.slots[random(target.slots.length)]!;
      const body: BookingBody = { storeId: target.storeId, serviceId: target.serviceId, startAt: slot.startAt };
      if (target.maxPartySize > 1) body.partySize = 1 + random(target.maxPartySize);
      return { customer: customers[random(customers.length)] as Customer, body };
    },
  });

  const settle = await waitForSettled(db, load.acceptedIds, config.LOADTEST_SETTLE_TIMEOUT_S * 1000);
  const byStatus = countByStatus(settle.rows);
  const cells = await checkCells(db);
  return {
    load,
    settle,
    cells,
    invariants: standardInvariants(load, settle, cells),
    figures: {
      targets: targets.map((t) => `${t.label} (${t.slots.length} slots)`).join('; '),
      customers: customers.length,
      login_failures: failures.length,
      connections,
      target_rate: rate,
      duration_s: duration,
      requests: load.log.count,
      accepted: load.acceptedIds.length,
      confirmed: byStatus.CONFIRMED ?? 0,
      rejected: byStatus.REJECTED ?? 0,
      expired: byStatus.EXPIRED ?? 0,
      cancelled: byStatus.CANCELLED ?? 0,
      sold_out: load.statuses['409 SLOT_SOLD_OUT'] ?? 0,
      limited: load.statuses['429 CUSTOMER_LIMIT_REACHED'] ?? 0,
      errors: countErrors(load.statuses, ['202', '409 SLOT_SOLD_OUT', '429 CUSTOMER_LIMIT_REACHED']),
      settle_seconds: Number(settle.seconds.toFixed(1)),
    },
    settings: {
      customers: wanted,
      connections,
      rate,
      duration_s: duration,
      targets: config.LOADTEST_STEADY_TARGETS,
      user_prefix: config.LOADTEST_USER_PREFIX,
      request_timeout_s: config.LOADTEST_REQUEST_TIMEOUT_S,
    },
  };
}
