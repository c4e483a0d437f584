import os from 'node:os';
import { pipelineOutcomes } from '../../../core/src/booking/state-machine.ts';
import type { LoadtestConfig } from '../config.ts';
import type { BookingLoadResult } from '../lib/booking-load.ts';
import { type CellCheck, type InvariantResult, invariant, type SettleResult } from '../lib/invariants.ts';
import type { ScenarioReport } from '../lib/report.ts';
import { round, summarize } from '../lib/stats.ts';

/** What a scenario hands back: the raw results plus its own figures and invariants. */
export interface ScenarioOutcome {
  load: BookingLoadResult;
  settle: SettleResult;
  cells: CellCheck;
  invariants: InvariantResult[];
  figures: Record<string, string | number>;
  settings: Record<string, string | number>;
}

/** Accepted bookings that did not end in a pipeline outcome row: missing rows, or rows in a state the pipeline never leaves them in. */
export function lostCount(load: BookingLoadResult, settle: SettleResult): number {
  const unique = new Set(load.acceptedIds);
  let settled = 0;
  for (const id of unique) if (pipelineOutcomes.includes(settle.rows.get(id)?.status ?? 'PENDING')) settled++;
  return unique.size - settled;
}

function duplicateCount(load: BookingLoadResult, settle: SettleResult): number {
  return load.duplicateIds.length + [...settle.rows.values()].filter((r) => r.rows > 1).length;
}

/** The checks every booking scenario makes. */
export function standardInvariants(load: BookingLoadResult, settle: SettleResult, cells: CellCheck): InvariantResult[] {
  const accepted = load.acceptedIds.length;
  const lost = lostCount(load, settle);
  const sample = (problems: CellCheck['overCapacity']) =>
    problems
      .slice(0, 3)
      .map((p) => `resource ${p.resourceId} ${p.startsAt}: capacity ${p.capacity} booked ${p.booked} held ${p.held}`)
      .join('; ');
  return [
    invariant('something was accepted', accepted > 0, accepted > 0 ? `${accepted} bookings accepted` : 'no 202 at all: the run proves nothing'),
    invariant(
      'every cell: booked ≤ capacity',
      cells.overCapacity.length === 0,
      cells.overCapacity.length === 0 ? `${cells.cellsChecked} cells checked` : `${cells.overCapacity.length} cells over capacity: ${sample(cells.overCapacity)}`,
    ),
    invariant(
      'every cell: booked = units of capacity-holding bookings',
      cells.mismatched.length === 0 && cells.orphanCells === 0,
      cells.mismatched.length === 0 && cells.orphanCells === 0
        ? `${cells.cellsChecked} cells checked`
        : `${cells.mismatched.length} cells disagree (${sample(cells.mismatched)}); ${cells.orphanCells} booking cells without an inventory cell`,
    ),
    invariant('each accepted booking id exactly once in bookings', duplicateCount(load, settle) === 0 && settle.missing.length === 0, `${settle.rows.size} of ${new Set(load.acceptedIds).size} found, ${duplicateCount(load, settle)} duplicated, ${settle.missing.length} missing`),
    invariant('no lost booking: accepted = confirmed + rejected + expired + cancelled', lost === 0, `${lost} of ${accepted} accepted bookings without an outcome${settle.timedOut ? ' (settle wait timed out)' : ''}`),
  ];
}

/** The one line a run prints on stdout; grep-able key=value pairs. */
export function buildReport(scenario: string, config: LoadtestConfig, outcome: ScenarioOutcome, startedAt: Date, loadAverageAtStart: number[]): ScenarioReport {
  const { load, settle, cells, figures } = outcome;
  const latency = summarize(load.log.latency);
  const elapsed = load.log.elapsedSeconds;
  const rps = elapsed > 0 ? load.log.count / elapsed : 0;
  const pass = outcome.invariants.every((i) => i.ok);
  const lost = lostCount(load, settle);
  const line = {
    accepted: load.acceptedIds.length,
    confirmed: figures.confirmed ?? 0,
    rejected: figures.rejected ?? 0,
    expired: figures.expired ?? 0,
    cancelled: figures.cancelled ?? 0,
    lost,
    overbooked: cells.worstExcess,
    sold_out: figures.sold_out ?? 0,
    limited: figures.limited ?? 0,
    errors: figures.errors ?? 0,
    requests: load.log.count,
    rps: Math.round(rps),
    p50_ms: round(latency.p50),
    p99_ms: round(latency.p99),
    node: process.version,
  };
  const summary = `${scenario} ${pass ? 'PASS' : 'FAIL'} ${Object.entries(line)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
  return {
    scenario,
    pass,
    summary,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: {
      node: process.version,
      host: os.hostname(),
      cpus: os.availableParallelism(),
      gateway: config.LOADTEST_BASE_URL,
      wechat: config.LOADTEST_WECHAT_URL,
      mysql: `${config.MYSQL_HOST}:${config.MYSQL_PORT}/${config.MYSQL_DATABASE}`,
      load_tool: 'autocannon (in process)',
      // Other work on the machine moves every figure; the load average says how much there was.
      load_average_start: loadAverageAtStart.map((v) => v.toFixed(2)).join(' '),
      load_average_end: os.loadavg().map((v) => v.toFixed(2)).join(' '),
    },
    settings: outcome.settings,
    figures: {
      ...figures,
      lost,
      overbooked_worst_cell: cells.worstExcess,
      overbooked_cells: cells.overCapacity.length,
      mismatched_cells: cells.mismatched.length,
      transport_errors: load.transportErrors,
      timeouts: load.timeouts,
      load_seconds: round(elapsed, 2),
      rps: round(rps),
      p50_ms: round(latency.p50),
      p99_ms: round(latency.p99),
      first_request_on_connection_p99_ms: round(load.firstOnConnection.p99),
      later_requests_p99_ms: round(load.laterOnConnection.p99),
    },
    statuses: load.statuses,
    latencyMs: latency,
    timeline: load.log.timeline(),
    invariants: outcome.invariants,
    details: {
      overCapacity: cells.overCapacity.slice(0, 50),
      mismatched: cells.mismatched.slice(0, 50),
      orphanCells: cells.orphanCells,
      missingBookingIds: settle.missing.slice(0, 50),
      duplicateBookingIds: load.duplicateIds.slice(0, 50),
      errorSamples: load.errorSamples,
      autocannon: load.autocannon,
      requestsBuilt: load.requestsBuilt,
    },
  };
}
