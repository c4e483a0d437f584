import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InvariantResult } from './invariants.ts';
import type { LatencySummary, TimelineBucket } from './stats.ts';

/** JSON and self-contained HTML reports: the HTML draws its charts as inline SVG, no scripts or libraries. */

export interface ScenarioReport {
  scenario: string;
  pass: boolean;
  summary: string;
  startedAt: string;
  finishedAt: string;
  environment: Record<string, string | number>;
  settings: Record<string, string | number>;
  figures: Record<string, string | number>;
  /** Responses by status, e.g. `202`, `409 SLOT_SOLD_OUT`, `error ECONNRESET`. */
  statuses: Record<string, number>;
  latencyMs: LatencySummary;
  timeline: { bucketMs: number; buckets: TimelineBucket[] };
  invariants: InvariantResult[];
  /** Anything else worth keeping (problem cells, error samples, bookings per status). */
  details: Record<string, unknown>;
}

export function fileStamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

export async function writeReports(dir: string, report: ScenarioReport): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `${report.scenario}-${fileStamp(new Date(report.startedAt))}`);
  const json = `${base}.json`;
  const html = `${base}.html`;
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(html, renderHtml(report));
  return { json, html };
}

export async function writeJson(dir: string, name: string, data: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** What every report page shares: body, tables (a failed row in red), figures, side-by-side columns. */
export const PAGE_STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:980px;color:#222;padding:0 12px}
table{border-collapse:collapse;margin:8px 0 20px}th,td{border:1px solid #ddd;padding:3px 10px;text-align:left}th{background:#f6f6f6;font-weight:600}
td{font-variant-numeric:tabular-nums}tr.bad td,tr.bad th{background:#fdecea}figure{margin:8px 0 20px}figcaption{font-weight:600;margin-bottom:4px}
.cols{display:flex;gap:24px;flex-wrap:wrap}`;

export const escapeHtml = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function table(rows: [string, unknown][], headers?: [string, string]): string {
  const head = headers ? `<thead><tr><th>${escapeHtml(headers[0])}</th><th>${escapeHtml(headers[1])}</th></tr></thead>` : '';
  return `<table>${head}<tbody>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`;
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `value`: readable axis maxima. */
function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 2.5, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

function fmt(value: number): string {
  const text = value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

interface Series {
  name: string;
  color: string;
  /** null = no data: the line has a gap there. */
  values: (number | null)[];
}

const W = 760;
const H = 260;
const M = { left: 60, right: 16, top: 30, bottom: 38 };

function frame(title: string, yMax: number, yUnit: string, xLabels: { at: number; text: string }[], body: string, legend: Series[]): string {
  const plotH = H - M.top - M.bottom;
  const grid: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = M.top + plotH - (plotH * i) / 4;
    grid.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" class="grid"/><text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${fmt((yMax * i) / 4)}</text>`);
  }
  const xs = xLabels.map((l) => `<text x="${l.at}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeHtml(l.text)}</text>`).join('');
  const keys = legend
    .map((s, i) => `<rect x="${M.left + 10 + i * 130}" y="${M.top - 22}" width="12" height="12" fill="${s.color}"/><text x="${M.left + 26 + i * 130}" y="${M.top - 12}">${escapeHtml(s.name)}</text>`)
    .join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">
<style>text{font:11px sans-serif;fill:#444}.grid{stroke:#e4e4e4}.axis{stroke:#888}</style>
${grid.join('')}<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" class="axis"/><line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" class="axis"/>
<text x="14" y="${M.top + plotH / 2}" transform="rotate(-90 14 ${M.top + plotH / 2})" text-anchor="middle">${escapeHtml(yUnit)}</text>
${xs}${keys}${body}</svg></figure>`;
}

/** Lines over time; `xs` are bucket starts in seconds. */
export function lineChart(title: string, yUnit: string, xs: number[], series: Series[]): string {
  if (xs.length === 0) return `<p>${escapeHtml(title)}: no data</p>`;
  const yMax = niceCeil(Math.max(...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const xMax = Math.max(xs[xs.length - 1]!, 1e-9);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (t: number) => M.left + (plotW * t) / xMax;
  const y = (v: number) => M.top + plotH - (plotH * v) / yMax;
  const lines = series
    .map((s) => {
      // Consecutive points with data form one polyline; a lone point still shows as a dot.
      const runs: string[][] = [[]];
      s.values.forEach((v, i) => {
        if (v === null) runs.push([]);
        else runs[runs.length - 1]!.push(`${x(xs[i]!).toFixed(1)},${y(v).toFixed(1)}`);
      });
      return runs
        .filter((run) => run.length > 0)
        .map((run) =>
          run.length === 1
            ? `<circle cx="${run[0]!.split(',')[0]}" cy="${run[0]!.split(',')[1]}" r="2.5" fill="${s.color}"/>`
            : `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${run.join(' ')}"/>`,
        )
        .join('');
    })
    .join('');
  const labels = Array.from({ length: 6 }, (_, i) => ({ at: x((xMax * i) / 5), text: `${fmt((xMax * i) / 5)} s` }));
  return frame(title, yMax, yUnit, labels, lines, series);
}

/** One bar per named value (latency percentiles). */
export function barChart(title: string, yUnit: string, bars: { name: string; value: number }[], color = '#4e79a7'): string {
  const yMax = niceCeil(Math.max(...bars.map((b) => b.value)));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const step = plotW / bars.length;
  const body = bars
    .map((b, i) => {
      const h = (plotH * b.value) / yMax;
      const x = M.left + step * i + step * 0.2;
      return `<rect x="${x.toFixed(1)}" y="${(M.top + plotH - h).toFixed(1)}" width="${(step * 0.6).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"/><text x="${(x + step * 0.3).toFixed(1)}" y="${(M.top + plotH - h - 4).toFixed(1)}" text-anchor="middle">${fmt(b.value)}</text>`;
    })
    .join('');
  const labels = bars.map((b, i) => ({ at: M.left + step * i + step / 2, text: b.name }));
  return frame(title, yMax, yUnit, labels, body, []);
}

function renderHtml(r: ScenarioReport): string {
  const xs = r.timeline.buckets.map((b) => b.t);
  const verdict = r.pass ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>';
  const invariants = r.invariants
    .map((i) => `<tr class="${i.ok ? 'ok' : 'bad'}"><td>${i.ok ? '✓' : '✗'}</td><th>${escapeHtml(i.name)}</th><td>${escapeHtml(i.detail)}</td></tr>`)
    .join('');
  const l = r.latencyMs;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zhiyue load test: ${escapeHtml(r.scenario)} ${escapeHtml(r.startedAt)}</title>
<style>
${PAGE_STYLE}
code{background:#f3f3f3;padding:6px 8px;display:block;white-space:pre-wrap;word-break:break-all}
.pass{color:#fff;background:#2e7d32;padding:2px 8px;border-radius:3px}.fail{color:#fff;background:#c62828;padding:2px 8px;border-radius:3px}
</style></head><body>
<h1>${escapeHtml(r.scenario)} ${verdict}</h1>
<p>${escapeHtml(r.startedAt)} → ${escapeHtml(r.finishedAt)}</p>
<code>${escapeHtml(r.summary)}</code>
<div class="cols">
<div><h2>Figures</h2>${table(Object.entries(r.figures))}</div>
<div><h2>Responses</h2>${table(Object.entries(r.statuses).sort(), ['status', 'count'])}
<h2>Latency (ms)</h2>${table([['count', l.count], ['min', l.min.toFixed(1)], ['mean', l.mean.toFixed(1)], ['p50', l.p50.toFixed(1)], ['p90', l.p90.toFixed(1)], ['p99', l.p99.toFixed(1)], ['p99.9', l.p999.toFixed(1)], ['max', l.max.toFixed(1)]])}</div>
</div>
<h2>Invariants</h2><table><tbody>${invariants}</tbody></table>
<h2>Charts</h2>
${lineChart(`Responses per second (${r.timeline.bucketMs} ms buckets)`, 'responses/s', xs, [
  { name: 'all', color: '#4e79a7', values: r.timeline.buckets.map((b) => b.rps) },
  { name: '2xx', color: '#59a14f', values: r.timeline.buckets.map((b) => b.okRps) },
])}
${lineChart('Latency over time', 'ms', xs, [
  { name: 'p50', color: '#4e79a7', values: r.timeline.buckets.map((b) => b.p50) },
  { name: 'p99', color: '#e15759', values: r.timeline.buckets.map((b) => b.p99) },
])}
${barChart('Latency percentiles over the whole run', 'ms', [
  { name: 'p50', value: l.p50 },
  { name: 'p90', value: l.p90 },
  { name: 'p99', value: l.p99 },
  { name: 'p99.9', value: l.p999 },
  { name: 'max', value: l.max },
])}
<div class="cols">
<div><h2>Settings</h2>${table(Object.entries(r.settings))}</div>
<div><h2>Environment</h2>${table(Object.entries(r.environment))}</div>
</div>
</body></html>
`;
}
