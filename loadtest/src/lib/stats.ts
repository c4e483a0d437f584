/** Latency and throughput figures computed from every response, not from a tool's pre-binned samples. */

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentile of ascending values; 0 for no values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: sorted[0] ?? 0,
    mean: sorted.length ? sum / sorted.length : 0,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

export interface TimelineBucket {
  /** Bucket start, seconds after the load started. */
  t: number;
  /** Responses per second in this bucket. */
  rps: number;
  /** Of which 2xx, per second. */
  okRps: number;
  /** null when no response arrived in this bucket. */
  p50: number | null;
  p99: number | null;
}

/**
 * Every response of a run: when it arrived (ms after start), its latency and
 * status. A few hundred thousand entries at most, so plain arrays are fine.
 */
export class ResponseLog {
  readonly at: number[] = [];
  readonly latency: number[] = [];
  readonly status: number[] = [];
  readonly #start: number;

  constructor(startMs = performance.now()) {
    this.#start = startMs;
  }

  record(status: number, latencyMs: number): void {
    this.at.push(performance.now() - this.#start);
    this.latency.push(latencyMs);
    this.status.push(status);
  }

  get count(): number {
    return this.at.length;
  }

  /** Wall time from the start to the last response, in seconds. */
  get elapsedSeconds(): number {
    return (this.at[this.at.length - 1] ?? 0) / 1000;
  }

  /** Buckets sized so a short burst and a long steady run both give a readable chart (about 20–60 points). */
  timeline(): { bucketMs: number; buckets: TimelineBucket[] } {
    const span = this.at[this.at.length - 1] ?? 0;
    const bucketMs = [50, 100, 250, 500, 1000, 2000, 5000, 10_000].find((b) => span / b <= 60) ?? 10_000;
    const groups: number[][] = [];
    const ok: number[] = [];
    for (let i = 0; i < this.at.length; i++) {
      const b = Math.floor(this.at[i]! / bucketMs);
      (groups[b] ??= []).push(this.latency[i]!);
      ok[b] = (ok[b] ?? 0) + (this.status[i]! >= 200 && this.status[i]! < 300 ? 1 : 0);
    }
    const buckets: TimelineBucket[] = [];
    for (let b = 0; b < groups.length; b++) {
      const values = Float64Array.from(groups[b] ?? []).sort();
      buckets.push({
        t: (b * bucketMs) / 1000,
        rps: (values.length * 1000) / bucketMs,
        okRps: ((ok[b] ?? 0) * 1000) / bucketMs,
        p50: values.length ? percentile(values, 50) : null,
        p99: values.length ? percentile(values, 99) : null,
      });
    }
    return { bucketMs, buckets };
  }
}

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
