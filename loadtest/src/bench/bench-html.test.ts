import { describe, expect, it } from 'vitest';
import { type BenchReport, renderBenchHtml } from './bench-html.ts';

const phase = (rps: number) => ({ rps, latencyMs: { p50: 5, p99: 12 } });
const cost = (parts: Record<string, number>) => ({ parts, total: Object.values(parts).reduce((a, b) => a + b, 0) });

const full: BenchReport = {
  startedAt: '2026-11-30T06:00:00.000Z',
  finishedAt: '2026-11-30T06:01:00.000Z',
  node: 'v24.22.3',
  tool: 'wrk',
  connections: 64,
  durationS: 10,
  cpus: 2,
  loadAverageAtStart: [1, 0.5, 0.2],
  phases: {
    helloWorld: { ...phase(27_000), cpuMicrosPerRequest: cost({ hello: 37, wrk: 16 }) },
    acceptPath: { ...phase(11_000), ratioToHelloWorld: 0.41, cpuMicrosPerRequest: cost({ gateway: 90, redis: 40, wrk: 12 }) },
    helloWorldAfterAccept: { ...phase(26_500), cpuMicrosPerRequest: cost({ hello: 38, wrk: 16 }) },
    drain: { backlog: 100_000, seconds: 11, persistedPerSecondFromFirstRow: 9_500 },
    pipeline: {
      ...phase(6_100),
      acceptedPerSecond: 6_100,
      persistedPerSecond: 5_900,
      maxQueueLagS: 0.4,
      queueSamples: [
        { t: 0.5, lagS: 0.1, waiting: 2 },
        { t: 1, lagS: 0.4, waiting: 5 },
      ],
      cpuMicrosPerBooking: cost({ gateway: 100, workers: 60, redis: 50, mysql: 55, wrk: 12 }),
      worker: { meanBatchSize: 240 },
    },
  },
  invariants: { ok: true, cellsChecked: 1440, acceptedByGateway: 200_000, rows: 200_000, checkSeconds: 2.94 },
  targets: [
    { target: 'accept path ≥ 12,000 req/s', reached: '11000', met: false },
    { target: 'accept ÷ hello world ≥ 0.4', reached: '0.41', met: true },
    { target: '<script>alert(1)</script>', reached: '1', met: true },
  ],
};

describe('bench HTML page', () => {
  it('shows each target as met or not, the phases, and charts of throughput, CPU per booking and queue lag', () => {
    const html = renderBenchHtml(full);
    expect(html).toContain('<tr class="bad"><td>✗ NOT met</td><th>accept path ≥ 12,000 req/s</th><td>11000</td></tr>');
    expect(html).toContain('<tr class="ok"><td>✓ met</td><th>accept ÷ hello world ≥ 0.4</th><td>0.41</td></tr>');
    expect(html).toContain('0.41× hello world');
    expect(html).toContain('accepted 6100/s, persisted 5900/s, max queue lag 0.40 s, mean batch 240');
    expect(html).toContain('Invariants OK: 1440 cells checked in 2.9 s;');
    // Throughput, accept CPU, pipeline CPU, queue lag, waiting jobs.
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html).toContain('Whole pipeline: CPU per booking by process');
    expect(html).toContain('<th>mysql</th><td>55 µs</td>');
  });

  it('escapes what it prints', () => {
    const html = renderBenchHtml(full);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('draws only what an accept-only run measured, and a failed invariant stands out', () => {
    const { pipeline: _pipeline, drain: _drain, ...acceptOnly } = full.phases;
    const html = renderBenchHtml({ ...full, phases: acceptOnly, invariants: { ...full.invariants!, ok: false, rows: 199_999 } });
    expect(html).not.toContain('Whole pipeline');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<p class="bad">Invariants FAILED');
  });
});
