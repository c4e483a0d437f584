/**
 * `npm run bench:allocation`: figures, not a test. Simulates a week of "any
 * staff" demand for one store (8 stylists, 09:00–21:00, 15-minute cells) and
 * runs the same seeded request stream through every allocation strategy of
 * core/src/allocation, each followed by a faithful in-memory model of
 * reserve.lua (per requirement group the first candidate, in the given order,
 * whose cells all fit and whose daily cap has room; all or nothing). Prints a
 * table per strategy and writes JSON + an HTML report with a chart into
 * loadtest/reports/.
 *
 * Env: ALLOC_SEED (default 20261130), ALLOC_DEMAND (requests per weekday, default 90),
 * ALLOC_STAFF (default 8).
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  ALLOCATION_STRATEGIES,
  type AllocationCandidate,
  type AllocationConfig,
  type AllocationStrategy,
  type DayLoad,
  type ResourceAllocation,
  orderCandidates,
} from '../../core/src/allocation/strategy.ts';
import { parseEnv } from '../../core/src/config/env.ts';
import { fileStamp, writeJson } from './lib/report.ts';

const env = parseEnv({
  ALLOC_SEED: z.coerce.number().int().default(20261130),
  ALLOC_DEMAND: z.coerce.number().int().min(1).default(90),
  ALLOC_STAFF: z.coerce.number().int().min(2).max(50).default(8),
  BENCH_REPORT_DIR: z.string().default(path.resolve(import.meta.dirname, '../reports')),
}, process.env);

const CELL = 15;
const OPEN = 9 * 60;
const CLOSE = 21 * 60;
const DAYS = 7;
/** Monday .. Sunday: Friday evening and the weekend are the peaks. */
const DAY_FACTOR = [0.85, 0.85, 0.9, 0.95, 1.15, 1.4, 1.3];
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/** Haircut 30 (+15 clean-up), cut & wash 60 (+15), colour 90, perm 120: duration and share. */
const SERVICES = [
  { minutes: 30, bufferAfter: 15, share: 0.35 },
  { minutes: 60, bufferAfter: 15, share: 0.35 },
  { minutes: 90, bufferAfter: 0, share: 0.2 },
  { minutes: 120, bufferAfter: 0, share: 0.1 },
];
/** Alternatives a customer accepts when the wanted start is refused (minutes from it). */
const FLEX = [0, 30, -30, 60];
const RETURNING_SHARE = 0.45;
const CUSTOMER_POOL = 300;

/** mulberry32: a small seeded PRNG, so every strategy sees the same stream. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Request {
  day: number;
  start: number;
  service: (typeof SERVICES)[number];
  customer: number;
}

/** Demand over the day: a lunch peak (11–13) and an evening peak (17–20). */
function hourWeight(minute: number): number {
  const h = minute / 60;
  if (h >= 17 && h < 20) return 2.6;
  if (h >= 11 && h < 13) return 2;
  if (h >= 20) return 1.2;
  return 1;
}

function demandStream(): Request[] {
  const random = prng(env.ALLOC_SEED);
  const pick = <T extends { share: number }>(items: readonly T[]): T => {
    let r = random();
    for (const item of items) if ((r -= item.share) < 0) return item;
    return items[items.length - 1]!;
  };
  const out: Request[] = [];
  for (let day = 0; day < DAYS; day++) {
    const count = Math.round(env.ALLOC_DEMAND * DAY_FACTOR[day]! * (env.ALLOC_STAFF / 8));
    const dayRequests: Request[] = [];
    for (let n = 0; n < count; n++) {
      const service = pick(SERVICES);
      const starts: { start: number; share: number }[] = [];
      for (let m = OPEN; m + service.minutes + service.bufferAfter <= CLOSE; m += 30) starts.push({ start: m, share: hourWeight(m) });
      const total = starts.reduce((s, x) => s + x.share, 0);
      const start = pick(starts.map((s) => ({ ...s, share: s.share / total }))).start;
      const customer = random() < RETURNING_SHARE ? Math.floor(random() * CUSTOMER_POOL) : CUSTOMER_POOL + out.length + n;
      dayRequests.push({ day, start, service, customer });
    }
    // Requests for a day arrive in random order (people book ahead, not in slot order).
    for (let i = dayRequests.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [dayRequests[i], dayRequests[j]] = [dayRequests[j]!, dayRequests[i]!];
    }
    out.push(...dayRequests);
  }
  return out;
}

/** The store: staff 1..N; the first two are senior (weight 2, cap 9), the others weight 1, cap 7, for round_robin. */
function configFor(strategy: AllocationStrategy): AllocationConfig {
  const resources = new Map<number, ResourceAllocation>();
  if (strategy === 'round_robin') {
    for (let r = 1; r <= env.ALLOC_STAFF; r++) resources.set(r, r <= 2 ? { weight: 2, dailyCap: 9 } : { weight: 1, dailyCap: 7 });
  }
  return { strategy, resources };
}

interface Booking {
  staff: number;
  start: number;
  end: number;
}

interface StrategyResult {
  strategy: AllocationStrategy;
  accepted: number;
  refused: number;
  attempts: number;
  utilisationPct: number;
  idleGapTotalMin: number;
  idleGapMeanPerStaffDayMin: number;
  loadMaxH: number;
  loadMinH: number;
  loadSpreadH: number;
  orderMicros: number;
  perStaffHours: number[];
  perDayAccepted: number[];
}

function simulate(strategy: AllocationStrategy, stream: Request[]): StrategyResult {
  const config = configFor(strategy);
  const staff = Array.from({ length: env.ALLOC_STAFF }, (_, i) => i + 1);
  // booked[day][staff] = minute → units (every open cell present, 0 when free): the Redis hashes of the day.
  const days: DayLoad[] = [];
  const counters: Map<number, number>[] = [];
  // The same maps, writable: the model of reserve.lua writes what the strategies read.
  const cellMaps: Map<number, Map<number, number>>[] = [];
  for (let d = 0; d < DAYS; d++) {
    const resources = new Map<number, { booked: Map<number, number> }>();
    for (const r of staff) {
      const booked = new Map<number, number>();
      for (let m = OPEN; m < CLOSE; m += CELL) booked.set(m, 0);
      resources.set(r, { booked });
    }
    const bookings = new Map<number, number>();
    counters.push(bookings);
    cellMaps.push(new Map([...resources].map(([r, day]) => [r, day.booked])));
    days.push({ resources, bookings });
  }
  const lastStaff = new Map<number, number>();
  const bookings: Booking[][] = Array.from({ length: DAYS }, () => []);
  let accepted = 0;
  let refused = 0;
  let attempts = 0;
  let orderNs = 0n;
  let orderCalls = 0;
  for (const request of stream) {
    const load = days[request.day]!;
    let taken = false;
    for (const shift of FLEX) {
      const start = request.start + shift;
      const end = start + request.service.minutes + request.service.bufferAfter;
      if (start < OPEN || end > CLOSE) continue;
      attempts++;
      const cells: { startMinute: number }[] = [];
      for (let m = start; m < end; m += CELL) cells.push({ startMinute: m });
      const candidates: AllocationCandidate[] = staff.map((resourceId) => ({ resourceId, cells }));
      const t0 = process.hrtime.bigint();
      const ordered = orderCandidates(candidates, { config, load, cellMinutes: CELL, preferredResourceId: lastStaff.get(request.customer) ?? null });
      orderNs += process.hrtime.bigint() - t0;
      orderCalls++;
      // reserve.lua: the first candidate whose cells all fit and whose cap has room.
      const chosen = ordered.find((c) => {
        const cap = config.resources.get(c.resourceId)?.dailyCap ?? null;
        if (cap !== null && (load.bookings.get(c.resourceId) ?? 0) >= cap) return false;
        const booked = load.resources.get(c.resourceId)!.booked;
        return c.cells.every((cell) => booked.get(cell.startMinute) === 0);
      });
      if (!chosen) continue;
      const booked = cellMaps[request.day]!.get(chosen.resourceId)!;
      for (const cell of chosen.cells) booked.set(cell.startMinute, 1);
      if (config.resources.get(chosen.resourceId)?.dailyCap != null) counters[request.day]!.set(chosen.resourceId, (counters[request.day]!.get(chosen.resourceId) ?? 0) + 1);
      bookings[request.day]!.push({ staff: chosen.resourceId, start, end });
      lastStaff.set(request.customer, chosen.resourceId);
      taken = true;
      break;
    }
    if (taken) accepted++;
    else refused++;
  }
  const perStaffMinutes = new Map<number, number>(staff.map((r) => [r, 0]));
  let idleTotal = 0;
  for (let d = 0; d < DAYS; d++) {
    for (const r of staff) {
      const mine = bookings[d]!.filter((b) => b.staff === r).sort((a, b) => a.start - b.start);
      for (let i = 0; i < mine.length; i++) {
        perStaffMinutes.set(r, perStaffMinutes.get(r)! + mine[i]!.end - mine[i]!.start);
        if (i > 0) idleTotal += mine[i]!.start - mine[i - 1]!.end;
      }
    }
  }
  const hours = staff.map((r) => perStaffMinutes.get(r)! / 60);
  const bookedMinutes = [...perStaffMinutes.values()].reduce((a, b) => a + b, 0);
  return {
    strategy,
    accepted,
    refused,
    attempts,
    utilisationPct: (100 * bookedMinutes) / (env.ALLOC_STAFF * DAYS * (CLOSE - OPEN)),
    idleGapTotalMin: idleTotal,
    idleGapMeanPerStaffDayMin: idleTotal / (env.ALLOC_STAFF * DAYS),
    loadMaxH: Math.max(...hours),
    loadMinH: Math.min(...hours),
    loadSpreadH: Math.max(...hours) - Math.min(...hours),
    orderMicros: Number(orderNs) / 1000 / Math.max(1, orderCalls),
    perStaffHours: hours,
    perDayAccepted: bookings.map((b) => b.length),
  };
}

const fixed = (n: number, digits = 1) => n.toFixed(digits);
const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1.00' : '∞') : (a / b).toFixed(2));

function printTable(results: StrategyResult[]): void {
  const base = results.find((r) => r.strategy === 'first_fit')!;
  const header = ['strategy', 'accepted', 'refused', 'util %', 'idle total min', 'idle/staff-day min', 'load max h', 'load min h', 'spread h', 'order µs', 'accepted ×ff', 'util ×ff', 'idle ×ff', 'spread ×ff'];
  const rows = results.map((r) => [
    r.strategy,
    String(r.accepted),
    String(r.refused),
    fixed(r.utilisationPct),
    String(r.idleGapTotalMin),
    fixed(r.idleGapMeanPerStaffDayMin),
    fixed(r.loadMaxH),
    fixed(r.loadMinH),
    fixed(r.loadSpreadH),
    fixed(r.orderMicros, 2),
    ratio(r.accepted, base.accepted),
    ratio(r.utilisationPct, base.utilisationPct),
    ratio(r.idleGapTotalMin, base.idleGapTotalMin),
    ratio(r.loadSpreadH, base.loadSpreadH),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

function htmlReport(results: StrategyResult[], settings: Record<string, string | number>): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const chart = (title: string, value: (r: StrategyResult) => number, unit: string) => {
    const max = Math.max(...results.map(value), 1e-9);
    const barH = 26;
    const bars = results
      .map((r, i) => {
        const w = (value(r) / max) * 420;
        const y = 10 + i * (barH + 8);
        return `<text x="0" y="${y + 18}" font-size="13">${esc(r.strategy)}</text><rect x="130" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${r.strategy === 'first_fit' ? '#999' : '#3b7dd8'}"/><text x="${(136 + w).toFixed(1)}" y="${y + 18}" font-size="13">${value(r).toFixed(1)} ${esc(unit)}</text>`;
      })
      .join('');
    return `<h2>${esc(title)}</h2><svg width="680" height="${20 + results.length * (barH + 8)}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
  };
  const staffChart = () => {
    const max = Math.max(...results.flatMap((r) => r.perStaffHours));
    const rows = results
      .map((r) => `<tr><th>${esc(r.strategy)}</th>${r.perStaffHours.map((h) => `<td><div style="background:#3b7dd8;height:12px;width:${((h / max) * 60).toFixed(0)}px"></div>${h.toFixed(1)}</td>`).join('')}</tr>`)
      .join('');
    return `<h2>Booked hours per stylist over the week</h2><table><tr><th></th>${results[0]!.perStaffHours.map((_, i) => `<th>#${i + 1}</th>`).join('')}</tr>${rows}</table>`;
  };
  const table = `<table><tr><th>strategy</th><th>accepted</th><th>refused</th><th>utilisation %</th><th>idle gap total min</th><th>idle / staff-day min</th><th>load max h</th><th>load min h</th><th>spread h</th><th>order µs</th></tr>${results
    .map((r) => `<tr><td>${esc(r.strategy)}</td><td>${r.accepted}</td><td>${r.refused}</td><td>${r.utilisationPct.toFixed(1)}</td><td>${r.idleGapTotalMin}</td><td>${r.idleGapMeanPerStaffDayMin.toFixed(1)}</td><td>${r.loadMaxH.toFixed(1)}</td><td>${r.loadMinH.toFixed(1)}</td><td>${r.loadSpreadH.toFixed(1)}</td><td>${r.orderMicros.toFixed(2)}</td></tr>`)
    .join('')}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zhiyue allocation benchmark</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right;font-size:13px}th:first-child,td:first-child{text-align:left}</style></head><body>
<h1>Allocation strategies on a simulated week</h1>
<p>${esc(Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' · '))}</p>
${table}
${chart('Bookings accepted', (r) => r.accepted, '')}
${chart('Utilisation', (r) => r.utilisationPct, '%')}
${chart('Idle gap between bookings per staff-day', (r) => r.idleGapMeanPerStaffDayMin, 'min')}
${chart('Load spread (max − min booked hours per stylist)', (r) => r.loadSpreadH, 'h')}
${staffChart()}
</body></html>
`;
}

async function main(): Promise<void> {
  const stream = demandStream();
  const settings = {
    seed: env.ALLOC_SEED,
    staff: env.ALLOC_STAFF,
    days: DAYS,
    requests: stream.length,
    hours: '09:00–21:00',
    cellMinutes: CELL,
    flexibility: FLEX.join('/'),
    returningShare: RETURNING_SHARE,
    roundRobin: 'staff 1–2 weight 2 cap 9/day, others weight 1 cap 7/day',
  };
  console.log(`Zhiyue allocation bench: Node ${process.version}, ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  console.log(`requests per day: ${DAY_NAMES.map((d, i) => `${d} ${stream.filter((r) => r.day === i).length}`).join(', ')}`);
  const results = ALLOCATION_STRATEGIES.map((strategy) => simulate(strategy, stream));
  printTable(results);
  const stamp = fileStamp();
  const json = await writeJson(env.BENCH_REPORT_DIR, `allocation-${stamp}.json`, { settings, results });
  const html = path.join(env.BENCH_REPORT_DIR, `allocation-${stamp}.html`);
  await writeFile(html, htmlReport(results, settings));
  console.log(`report: ${path.relative(process.cwd(), html)} (${path.relative(process.cwd(), json)})`);
}

await main();
