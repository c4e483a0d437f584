/**
 * `npm run bench:availability`: figures, not a test. Builds a store with 50 staff and 5 rooms
 * (and a 5-staff, 1-room baseline store measured in the same run) in its own MariaDB database
 * (zy_availbench_<random>) and Redis key prefix, materializes a 30-day horizon, books a few
 * hundred existing bookings through the real accept + persist path, then measures the
 * availability query for (service, date) exactly as the gateway computes it
 * (plannedSlots → fieldsTouched → readInventoryFields → computeSlots), in process:
 *
 *   cold   the first query of each (service, date) on a freshly loaded catalog (empty plan memo)
 *   warm   the same query repeated right after (plan memo warm, JIT warm)
 *
 * Prints p50/p99/max per service and store, the cold/warm ratio, queries/s, the Node version and
 * the ratio to the baseline store, and whether the target (p99 ≤ 20 ms warm) is met. Writes JSON
 * and an HTML report with a chart into loadtest/reports/. Everything it created is removed.
 *
 * Env: AVAIL_WARM_REPEATS (default 5), AVAIL_BOOKINGS (default 400), BENCH_KEEP=true keeps the data.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { computeSlots, datesTouched, fieldsTouched, plannedSlots } from '../../core/src/availability/slots.ts';
import type { Requirement, StoreCatalog } from '../../core/src/catalog/types.ts';
import { manualClock } from '../../core/src/clock.ts';
import { mysqlEnv, parseEnv, redisEnv } from '../../core/src/config/env.ts';
import { bookingIdFactory } from '../../core/src/ids.ts';
import { type AcceptDeps, acceptBooking } from '../../core/src/lifecycle/accept.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { persistIntents } from '../../core/src/lifecycle/persist.ts';
import { addDays, localDateOf } from '../../core/src/time/zoned.ts';
import { dropDatabase, ensureDatabase } from '../../db/src/admin.ts';
import { createDb, type MysqlSettings } from '../../db/src/connection.ts';
import type { Database } from '../../db/src/database.ts';
import { migrateToLatest } from '../../db/src/migrate.ts';
import { createMerchant, createResource, createService, createStore, setWeeklyHours } from '../../db/src/repositories/catalog-admin.repository.ts';
import { loadStoreCatalog } from '../../db/src/repositories/catalog.repository.ts';
import { createRedis, whenReady } from '../../db/redis/connection.ts';
import { ackIntents, ensureRelayGroups, readIntents } from '../../db/redis/intents.ts';
import { readInventory, readInventoryFields } from '../../db/redis/inventory.ts';
import { redisKeys } from '../../db/redis/keys.ts';
import { deleteKeysWithPrefix } from '../../db/testing/test-env.ts';

const env = parseEnv(
  {
    ...mysqlEnv,
    ...redisEnv,
    AVAIL_WARM_REPEATS: z.coerce.number().int().min(1).default(5),
    AVAIL_BOOKINGS: z.coerce.number().int().min(0).default(400),
    AVAIL_HORIZON_DAYS: z.coerce.number().int().min(1).max(60).default(30),
    BENCH_KEEP: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    BENCH_REPORT_DIR: z.string().default(path.resolve(import.meta.dirname, '../reports')),
  },
  process.env,
);

const TARGET_P99_MS = 20;
const TIME_ZONE = 'Asia/Shanghai';
const runId = randomBytes(4).toString('hex');
const mysql: MysqlSettings = { host: env.MYSQL_HOST, port: env.MYSQL_PORT, user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: `zy_availbench_${runId}`, poolSize: 4 };
const prefix = `zy-availbench-${runId}`;

const staff = (skill: string | null): Requirement => ({ kind: 'staff', skill, quantity: 1, perPerson: false });
const room: Requirement = { kind: 'room', skill: null, quantity: 1, perPerson: false };
const SERVICES = [
  { name: '剪发 (staff, 30 min, every 15)', durationMinutes: 30, bufferAfterMinutes: 10, slotIntervalMinutes: 15, requirements: [staff('cut')] },
  { name: '烫染 (staff with skill, 120 min)', durationMinutes: 120, bufferAfterMinutes: 0, slotIntervalMinutes: 30, requirements: [staff('colour')] },
  { name: '理疗 (staff + room, 60 min)', durationMinutes: 60, bufferAfterMinutes: 15, slotIntervalMinutes: 30, requirements: [staff('massage'), room] },
  { name: '水疗 (staff + room, 90 min)', durationMinutes: 90, bufferAfterMinutes: 15, slotIntervalMinutes: 30, requirements: [staff(null), room] },
];

interface Store {
  label: string;
  storeId: number;
  serviceIds: number[];
  cells: number;
}

async function createBenchStore(db: Kysely<Database>, label: string, staffCount: number, rooms: number, nowMs: number): Promise<Store> {
  const merchantId = await createMerchant(db, { name: `bench ${label}`, industry: 'bench' }, nowMs);
  const storeId = await createStore(
    db,
    { merchantId, name: `bench ${label}`, industry: 'bench', address: 'bench', lat: 31.23, lng: 121.47, perCustomerDailyLimit: 0, horizonDays: env.AVAIL_HORIZON_DAYS, timezone: TIME_ZONE },
    nowMs,
  );
  for (let i = 0; i < staffCount; i++) {
    const skills = ['cut', ...(i % 3 === 0 ? ['colour'] : []), ...(i % 2 === 0 ? ['massage'] : [])];
    const id = await createResource(db, { merchantId, storeId, kind: 'staff', name: `staff ${i + 1}`, skills }, nowMs);
    // Staff work five days a week in two shifts with a lunch break; the store is open 09:00–21:00.
    const days = [1, 2, 3, 4, 5, 6, 7].filter((d) => (d + i) % 7 !== 0 && (d + i) % 7 !== 1);
    await setWeeklyHours(db, { merchantId, storeId, resourceId: id }, days.flatMap((d) => [[d, '09:00', '12:30'], [d, '13:30', '21:00']] as [number, string, string][]));
  }
  for (let i = 0; i < rooms; i++) await createResource(db, { merchantId, storeId, kind: 'room', name: `room ${i + 1}` }, nowMs);
  await setWeeklyHours(db, { merchantId, storeId, resourceId: null }, [1, 2, 3, 4, 5, 6, 7].map((d) => [d, '09:00', '21:00']));
  const serviceIds: number[] = [];
  for (const s of SERVICES) serviceIds.push(await createService(db, { merchantId, storeId, category: 'bench', priceFen: 100, minNoticeMinutes: 0, ...s }, nowMs));
  return { label, storeId, serviceIds, cells: 0 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0, mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length) };
}

interface Measured {
  store: string;
  service: string;
  cold: Summary;
  warm: Summary;
  slotsPerQuery: number;
}

async function main(): Promise<void> {
  const nowMs = Date.now();
  const clock = manualClock(nowMs);
  await ensureDatabase(mysql);
  const db = createDb(mysql);
  const redis = createRedis({ url: env.REDIS_URL, failFast: false, name: `availbench-${runId}` });
  try {
    const { error } = await migrateToLatest(db);
    if (error) throw error;
    await whenReady(redis);
    const keys = redisKeys(prefix);
    const deps = { db, redis, keys, clock };
    console.log(`Zhiyue availability bench: Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, horizon ${env.AVAIL_HORIZON_DAYS} days, zone ${TIME_ZONE}`);

    const big = await createBenchStore(db, '50 staff + 5 rooms', 50, 5, nowMs);
    const small = await createBenchStore(db, 'baseline 5 staff + 1 room', 5, 1, nowMs);
    for (const store of [big, small]) {
      const t = performance.now();
      await materializeStore(deps, store.storeId);
      const row = await db.selectFrom('inventory_cells').select((eb) => eb.fn.countAll<number>().as('n')).where('store_id', '=', store.storeId).executeTakeFirstOrThrow();
      store.cells = Number(row.n);
      console.log(`materialized ${store.label}: ${store.cells} cells in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }

    // Existing bookings through the real accept + persist path (a tenth of them on the small store).
    const acceptDeps: AcceptDeps = { ...deps, newBookingId: bookingIdFactory(clock), requestRebuild: async () => {} };
    const today = localDateOf(nowMs, TIME_ZONE);
    let accepted = 0;
    let seed = 20261130;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (const [store, count] of [[big, env.AVAIL_BOOKINGS], [small, Math.ceil(env.AVAIL_BOOKINGS / 10)]] as const) {
      const catalog = (await loadStoreCatalog(db, store.storeId))!;
      const jobs: Promise<unknown>[] = [];
      for (let i = 0; i < count; i++) {
        const serviceId = store.serviceIds[Math.floor(rand() * store.serviceIds.length)]!;
        const date = addDays(today, 1 + Math.floor(rand() * (env.AVAIL_HORIZON_DAYS - 2)));
        const planned = plannedSlots({ catalog, service: catalog.services.get(serviceId)!, localDate: date, nowMs });
        if (planned.length === 0) continue;
        const startMs = planned[Math.floor(rand() * planned.length)]!.startMs;
        jobs.push(
          acceptBooking(acceptDeps, catalog, { customerId: 1 + i, storeId: store.storeId, serviceId, startMs, partySize: 1, note: '', idempotencyKey: `bench-${store.storeId}-${i}` }).then(
            () => accepted++,
            () => {},
          ),
        );
      }
      await Promise.all(jobs);
    }
    await ensureRelayGroups(redis, keys, [big.storeId, small.storeId]);
    let persisted = 0;
    for (;;) {
      const entries = await readIntents(redis, keys, [big.storeId, small.storeId], 'bench-relay', { count: 5_000, blockMs: 0 });
      if (entries.length === 0) break;
      persisted += (await persistIntents(deps, entries.map((e) => e.intent))).filter((o) => o.status === 'CONFIRMED').length;
      await ackIntents(redis, keys, entries);
    }
    console.log(`existing bookings: ${accepted} accepted, ${persisted} confirmed in MySQL`);

    const results: Measured[] = [];
    const warmAll = new Map<string, number[]>();
    let warmQueries = 0;
    let warmTime = 0;
    for (const store of [big, small]) {
      // A fresh catalog object = an empty plan memo: the cold queries plan every slot from scratch.
      const catalog: StoreCatalog = (await loadStoreCatalog(db, store.storeId))!;
      const query = async (serviceId: number, date: string) => {
        const q = { catalog, service: catalog.services.get(serviceId)!, localDate: date, nowMs: clock.now() };
        const planned = plannedSlots(q);
        const snapshot = await readInventoryFields(redis, keys, store.storeId, fieldsTouched(planned));
        return computeSlots(q, planned, (d, field) => snapshot.days.get(d)?.get(field)).length;
      };
      // Not timed: the touched-fields read must answer exactly as the whole-day read (HGETALL) does.
      const sameAsWholeDay = async (serviceId: number, date: string) => {
        const q = { catalog, service: catalog.services.get(serviceId)!, localDate: date, nowMs: clock.now() };
        const planned = plannedSlots(q);
        const [some, all] = await Promise.all([readInventoryFields(redis, keys, store.storeId, fieldsTouched(planned)), readInventory(redis, keys, store.storeId, datesTouched(planned))]);
        const a = JSON.stringify(computeSlots(q, planned, (d, field) => some.days.get(d)?.get(field)));
        const b = JSON.stringify(computeSlots(q, planned, (d, field) => all.days.get(d)?.get(field)));
        if (a !== b) throw new Error(`touched-field read differs from whole-day read: store ${store.label}, service ${serviceId}, ${date}`);
      };
      warmAll.set(store.label, []);
      for (const [index, serviceId] of store.serviceIds.entries()) {
        const cold: number[] = [];
        const warm: number[] = [];
        let slots = 0;
        for (let day = 0; day < env.AVAIL_HORIZON_DAYS; day++) {
          const date = addDays(today, day);
          let t = performance.now();
          slots += await query(serviceId, date);
          cold.push(performance.now() - t);
          await sameAsWholeDay(serviceId, date);
          for (let k = 0; k < env.AVAIL_WARM_REPEATS; k++) {
            t = performance.now();
            await query(serviceId, date);
            const ms = performance.now() - t;
            warm.push(ms);
            warmTime += ms;
            warmQueries++;
          }
        }
        warmAll.get(store.label)!.push(...warm);
        results.push({ store: store.label, service: SERVICES[index]!.name, cold: summarize(cold), warm: summarize(warm), slotsPerQuery: slots / env.AVAIL_HORIZON_DAYS });
      }
    }

    const f = (v: number) => v.toFixed(2);
    console.log('');
    console.log(`${'store'.padEnd(27)} ${'service'.padEnd(34)} ${'slots'.padStart(5)}  ${'cold p50/p99/max ms'.padEnd(22)} ${'warm p50/p99/max ms'.padEnd(22)} cold/warm p50`);
    for (const r of results) {
      console.log(
        `${r.store.padEnd(27)} ${r.service.padEnd(34)} ${r.slotsPerQuery.toFixed(0).padStart(5)}  ${`${f(r.cold.p50)} / ${f(r.cold.p99)} / ${f(r.cold.max)}`.padEnd(22)} ${`${f(r.warm.p50)} / ${f(r.warm.p99)} / ${f(r.warm.max)}`.padEnd(22)} ${(r.cold.p50 / r.warm.p50).toFixed(1)}×`,
      );
    }
    const bigWarm = summarize(warmAll.get(big.label)!);
    const smallWarm = summarize(warmAll.get(small.label)!);
    const bigCold = summarize(results.filter((r) => r.store === big.label).flatMap((r) => Array(r.cold.n).fill(r.cold.p50)));
    console.log('');
    console.log(`all warm queries, ${big.label}: p50 ${f(bigWarm.p50)} ms, p99 ${f(bigWarm.p99)} ms, max ${f(bigWarm.max)} ms (${bigWarm.n} queries)`);
    console.log(`all warm queries, ${small.label}: p50 ${f(smallWarm.p50)} ms, p99 ${f(smallWarm.p99)} ms, max ${f(smallWarm.max)} ms (${smallWarm.n} queries)`);
    console.log(`ratio to baseline (same run): warm p50 ${(bigWarm.p50 / smallWarm.p50).toFixed(1)}×, warm p99 ${(bigWarm.p99 / smallWarm.p99).toFixed(1)}× for ${(big.cells / small.cells).toFixed(1)}× the cells`);
    console.log(`cold/warm ratio (${big.label}, p50 of p50s): ${(bigCold.p50 / bigWarm.p50).toFixed(1)}×`);
    console.log(`warm queries/s, one connection, sequential: ${((warmQueries / warmTime) * 1000).toFixed(0)}`);
    const met = bigWarm.p99 <= TARGET_P99_MS;
    console.log(`target p99 ≤ ${TARGET_P99_MS} ms warm (${big.label}): ${met ? 'MET' : 'NOT MET'} (p99 ${f(bigWarm.p99)} ms)`);

    const report = {
      startedAt: new Date(nowMs).toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      horizonDays: env.AVAIL_HORIZON_DAYS,
      warmRepeats: env.AVAIL_WARM_REPEATS,
      bookings: { accepted, persisted },
      stores: [big, small].map((s) => ({ label: s.label, cells: s.cells })),
      results,
      overall: { big: bigWarm, baseline: smallWarm, targetP99Ms: TARGET_P99_MS, met },
    };
    await mkdir(env.BENCH_REPORT_DIR, { recursive: true });
    const stamp = new Date(nowMs).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
    const json = path.join(env.BENCH_REPORT_DIR, `availability-${stamp}.json`);
    const html = path.join(env.BENCH_REPORT_DIR, `availability-${stamp}.html`);
    await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(html, htmlReport(results, report));
    console.log(`report: ${path.relative(process.cwd(), html)} (${path.relative(process.cwd(), json)})`);
  } finally {
    if (!env.BENCH_KEEP) {
      await deleteKeysWithPrefix(redis, prefix);
      await db.destroy();
      await dropDatabase(mysql);
    } else {
      await db.destroy();
      console.log(`kept database ${mysql.database} and Redis prefix ${prefix}`);
    }
    redis.disconnect();
  }
}

const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Grouped bars (cold p50, cold p99, warm p50, warm p99) per store and service, with the 20 ms target line; inline SVG. */
function htmlReport(results: Measured[], report: { node: string; horizonDays: number; overall: { met: boolean } }): string {
  const bars: [string, (r: Measured) => number, string][] = [
    ['cold p50', (r) => r.cold.p50, '#9ecae1'],
    ['cold p99', (r) => r.cold.p99, '#3182bd'],
    ['warm p50', (r) => r.warm.p50, '#a1d99b'],
    ['warm p99', (r) => r.warm.p99, '#31a354'],
  ];
  const yMax = Math.max(TARGET_P99_MS * 1.1, ...results.flatMap((r) => bars.map(([, v]) => v(r))));
  const W = 900;
  const H = 320;
  const left = 50;
  const bottom = 90;
  const plotH = H - bottom - 20;
  const groupW = (W - left - 10) / results.length;
  const barW = groupW / (bars.length + 1);
  const y = (v: number) => 20 + plotH - (plotH * v) / yMax;
  const rects = results
    .map((r, g) => {
      const x0 = left + g * groupW;
      const own = bars.map(([name, v, color], b) => `<rect x="${(x0 + b * barW).toFixed(1)}" y="${y(v(r)).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(20 + plotH - y(v(r))).toFixed(1)}" fill="${color}"><title>${escapeHtml(`${r.store} · ${r.service} · ${name}: ${v(r).toFixed(2)} ms`)}</title></rect>`).join('');
      const label = `<text x="${(x0 + groupW / 2).toFixed(1)}" y="${H - bottom + 14}" font-size="9" text-anchor="end" transform="rotate(-30 ${(x0 + groupW / 2).toFixed(1)} ${H - bottom + 14})">${escapeHtml(`${r.store.startsWith('baseline') ? 'base' : '50+5'} ${r.service.split(' ')[0]}`)}</text>`;
      return own + label;
    })
    .join('');
  const target = `<line x1="${left}" x2="${W - 10}" y1="${y(TARGET_P99_MS)}" y2="${y(TARGET_P99_MS)}" stroke="#d62728" stroke-dasharray="4 3"/><text x="${W - 12}" y="${y(TARGET_P99_MS) - 4}" text-anchor="end" font-size="11" fill="#d62728">target p99 ${TARGET_P99_MS} ms</text>`;
  const axis = [0, 0.25, 0.5, 0.75, 1].map((k) => `<text x="${left - 6}" y="${y(yMax * k) + 4}" text-anchor="end" font-size="10">${(yMax * k).toFixed(1)}</text>`).join('');
  const legend = bars.map(([name, , color], i) => `<rect x="${left + i * 100}" y="2" width="10" height="10" fill="${color}"/><text x="${left + 14 + i * 100}" y="11" font-size="11">${name}</text>`).join('');
  const rows = results
    .map((r) => `<tr><td>${escapeHtml(r.store)}</td><td>${escapeHtml(r.service)}</td><td>${r.slotsPerQuery.toFixed(0)}</td><td>${r.cold.p50.toFixed(2)} / ${r.cold.p99.toFixed(2)} / ${r.cold.max.toFixed(2)}</td><td>${r.warm.p50.toFixed(2)} / ${r.warm.p99.toFixed(2)} / ${r.warm.max.toFixed(2)}</td><td>${(r.cold.p50 / r.warm.p50).toFixed(1)}×</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zhiyue availability benchmark</title>
<style>body{font:14px sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}</style></head><body>
<h1>Availability query (plannedSlots → fieldsTouched → readInventoryFields → computeSlots)</h1>
<p>Node ${escapeHtml(report.node)}, horizon ${report.horizonDays} days. Target p99 ≤ ${TARGET_P99_MS} ms warm: <strong>${report.overall.met ? 'met' : 'not met'}</strong>.</p>
<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="latency per query type">${legend}${axis}${rects}${target}<text x="12" y="${20 + plotH / 2}" transform="rotate(-90 12 ${20 + plotH / 2})" font-size="11" text-anchor="middle">ms</text></svg>
<table><thead><tr><th>store</th><th>service</th><th>slots/query</th><th>cold p50/p99/max ms</th><th>warm p50/p99/max ms</th><th>cold/warm p50</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>
`;
}

await main();
