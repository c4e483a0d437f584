import { barChart, escapeHtml, lineChart, PAGE_STYLE, table } from '../lib/report.ts';

/** What `npm run bench` records (its JSON report), as far as the HTML page shows it. */
export interface BenchReport {
  startedAt: string;
  finishedAt?: string;
  node: string;
  tool: string;
  connections: number;
  durationS: number;
  cpus: number;
  loadAverageAtStart: number[];
  innodbFlushLogAtTrxCommit?: number;
  phases: {
    helloWorld?: PhaseFigures & CpuFigures;
    helloWorldAfterAccept?: PhaseFigures & CpuFigures;
    acceptPath?: PhaseFigures & CpuFigures & { ratioToHelloWorld: number };
    drain?: { backlog: number; seconds: number; persistedPerSecondFromFirstRow: number };
    pipeline?: PhaseFigures & {
      acceptedPerSecond: number;
      persistedPerSecond: number;
      maxQueueLagS: number;
      queueSamples: { t: number; lagS: number; waiting: number }[];
      cpuMicrosPerBooking: CpuCost;
      worker: { meanBatchSize: number };
    };
  };
  invariants?: { ok: boolean; cellsChecked: number; acceptedByGateway: number; rows: number; checkSeconds?: number };
  targets?: { target: string; reached: string; met: boolean }[];
}

interface PhaseFigures {
  rps: number;
  latencyMs: { p50: number; p99: number };
}

export interface CpuCost {
  /** µs of CPU per item, by process */
  parts: Record<string, number>;
  total: number;
}

interface CpuFigures {
  cpuMicrosPerRequest: CpuCost;
}

const round = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/** A page a person can read after a bench run: targets, the phases, CPU per booking by process, queue lag over time. */
export function renderBenchHtml(r: BenchReport): string {
  const { helloWorld, helloWorldAfterAccept, acceptPath, drain, pipeline } = r.phases;
  const targets = (r.targets ?? [])
    .map((t) => `<tr class="${t.met ? 'ok' : 'bad'}"><td>${t.met ? '✓ met' : '✗ NOT met'}</td><th>${escapeHtml(t.target)}</th><td>${escapeHtml(t.reached)}</td></tr>`)
    .join('');
  const phaseRows: string[] = [];
  const phaseRow = (name: string, rps: string, p50: string, p99: string, notes: string) =>
    phaseRows.push(`<tr><th>${escapeHtml(name)}</th><td>${rps}</td><td>${p50}</td><td>${p99}</td><td>${escapeHtml(notes)}</td></tr>`);
  if (helloWorld) phaseRow('a. hello world', round(helloWorld.rps), round(helloWorld.latencyMs.p50, 2), round(helloWorld.latencyMs.p99, 2), `${round(helloWorld.cpuMicrosPerRequest.total)} µs CPU per request (server + load tool)`);
  if (acceptPath) phaseRow('b. accept path', round(acceptPath.rps), round(acceptPath.latencyMs.p50, 2), round(acceptPath.latencyMs.p99, 2), `${round(acceptPath.ratioToHelloWorld, 2)}× hello world`);
  if (helloWorldAfterAccept) phaseRow("a'. hello world again", round(helloWorldAfterAccept.rps), round(helloWorldAfterAccept.latencyMs.p50, 2), round(helloWorldAfterAccept.latencyMs.p99, 2), '');
  if (drain) phaseRow('drain backlog', '', '', '', `${drain.backlog} bookings, ${round(drain.persistedPerSecondFromFirstRow)}/s from the first row`);
  if (pipeline)
    phaseRow(
      'c. whole pipeline',
      round(pipeline.rps),
      round(pipeline.latencyMs.p50, 2),
      round(pipeline.latencyMs.p99, 2),
      `accepted ${round(pipeline.acceptedPerSecond)}/s, persisted ${round(pipeline.persistedPerSecond)}/s, max queue lag ${round(pipeline.maxQueueLagS, 2)} s, mean batch ${round(pipeline.worker.meanBatchSize)}`,
    );

  const throughput = [
    helloWorld && { name: 'hello world', value: helloWorld.rps },
    acceptPath && { name: 'accept path', value: acceptPath.rps },
    helloWorldAfterAccept && { name: 'hello again', value: helloWorldAfterAccept.rps },
    pipeline && { name: 'pipeline accepted', value: pipeline.acceptedPerSecond },
    pipeline && { name: 'pipeline persisted', value: pipeline.persistedPerSecond },
  ].filter((bar): bar is { name: string; value: number } => Boolean(bar));
  const costBars = (cost: CpuCost) => Object.entries(cost.parts).map(([name, value]) => ({ name, value: Number.isFinite(value) ? value : 0 }));
  const samples = pipeline?.queueSamples ?? [];
  const invariants = r.invariants
    ? `<p class="${r.invariants.ok ? 'ok' : 'bad'}">Invariants ${r.invariants.ok ? 'OK' : 'FAILED'}: ${r.invariants.cellsChecked} cells checked${r.invariants.checkSeconds === undefined ? '' : ` in ${r.invariants.checkSeconds.toFixed(1)} s`}; ${r.invariants.acceptedByGateway} bookings accepted by the gateway, ${r.invariants.rows} rows in MySQL.</p>`
    : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zhiyue bench ${escapeHtml(r.startedAt)}</title>
<style>
${PAGE_STYLE}
tr.ok td:first-child,p.ok{color:#2e7d32}p.bad{color:#c62828;font-weight:600}
</style></head><body>
<h1>Zhiyue bench</h1>
<p>${escapeHtml(r.startedAt)} → ${escapeHtml(r.finishedAt ?? '')}; Node ${escapeHtml(r.node)}, load tool ${escapeHtml(r.tool)}, ${r.connections} connections, ${r.durationS} s per phase, ${r.cpus} CPUs, load average at start ${escapeHtml(r.loadAverageAtStart.join(' '))}${
    r.innodbFlushLogAtTrxCommit === undefined ? '' : `, MariaDB innodb_flush_log_at_trx_commit=${r.innodbFlushLogAtTrxCommit}`
  }.
Gateway, workers, Redis, MariaDB and the load tool share the machine; the VM's speed drifts between minutes, so compare figures of one run.</p>
<h2>Targets</h2><table><tbody>${targets}</tbody></table>
${invariants}
<h2>Phases</h2>
<table><thead><tr><th>phase</th><th>req/s</th><th>p50 ms</th><th>p99 ms</th><th>notes</th></tr></thead><tbody>${phaseRows.join('')}</tbody></table>
${throughput.length > 0 ? barChart('Throughput', 'per second', throughput) : ''}
<div class="cols">
${acceptPath ? `<div>${barChart('Accept path: CPU per request by process', 'µs', costBars(acceptPath.cpuMicrosPerRequest), '#f28e2b')}</div>` : ''}
${pipeline ? `<div>${barChart('Whole pipeline: CPU per booking by process (load start to last row)', 'µs', costBars(pipeline.cpuMicrosPerBooking), '#76b7b2')}</div>` : ''}
</div>
${
  samples.length > 0
    ? lineChart(
        'Whole pipeline: age of the oldest waiting persist job',
        's',
        samples.map((s) => s.t),
        [{ name: 'queue lag', color: '#e15759', values: samples.map((s) => s.lagS) }],
      ) +
      lineChart(
        'Whole pipeline: persist jobs waiting',
        'jobs',
        samples.map((s) => s.t),
        [{ name: 'waiting', color: '#4e79a7', values: samples.map((s) => s.waiting) }],
      )
    : ''
}
${pipeline ? table(Object.entries(pipeline.cpuMicrosPerBooking.parts).map(([name, us]) => [name, `${round(us)} µs`]), ['process', 'CPU per booking']) : ''}
</body></html>
`;
}
