import { randomBytes } from 'node:crypto';
import type { Customer } from './api.ts';
import { errorCodeOf } from './api.ts';
import { type AutocannonResult, startAutocannon } from './autocannon.ts';
import { Progress } from './progress.ts';
import { type LatencySummary, ResponseLog, summarize } from './stats.ts';

/** POST /v1/bookings under autocannon, keeping every accepted booking id and every outcome. */

export interface BookingBody {
  storeId: number;
  serviceId: number;
  startAt: string;
  partySize?: number;
}

export interface BookingLoadOptions {
  baseUrl: string;
  connections: number;
  /** Either a fixed number of requests (burst)… */
  amount?: number;
  /** …or a duration in seconds at `overallRate` requests per second. */
  durationS?: number;
  overallRate?: number;
  timeoutS: number;
  /** What the i-th request books, and for whom. */
  pick(index: number): { customer: Customer; body: BookingBody };
  label: string;
}

export interface BookingLoadResult {
  /** Every bookingId answered with 202, in arrival order. */
  acceptedIds: string[];
  /** Ids that came back for more than one request (must not happen: every request has its own key). */
  duplicateIds: string[];
  /** `202`, `409 SLOT_SOLD_OUT`, `error <message>`… */
  statuses: Record<string, number>;
  log: ResponseLog;
  requestsBuilt: number;
  transportErrors: number;
  timeouts: number;
  errorSamples: string[];
  /** Latency of each connection's first request (it includes the TCP connect) versus all later ones. */
  firstOnConnection: LatencySummary;
  laterOnConnection: LatencySummary;
  autocannon: Pick<AutocannonResult, 'errors' | 'timeouts' | 'non2xx' | 'duration'> & { p99: number; p50: number };
}

/** A short random tag, so idempotency keys never repeat across runs. */
export const runTag = () => randomBytes(5).toString('hex');

export async function runBookingLoad(options: BookingLoadOptions): Promise<BookingLoadResult> {
  const tag = runTag();
  const statuses: Record<string, number> = {};
  const acceptedIds: string[] = [];
  const seen = new Set<string>();
  const duplicateIds: string[] = [];
  const errorSamples: string[] = [];
  let built = 0;
  let transportErrors = 0;
  const bump = (key: string) => (statuses[key] = (statuses[key] ?? 0) + 1);

  const expected = options.amount ?? Math.round((options.durationS ?? 0) * (options.overallRate ?? 0));
  const progress = new Progress(options.label, expected);
  const log = new ResponseLog();
  const run = startAutocannon({
    url: options.baseUrl,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationS, overallRate: options.overallRate }),
    timeout: options.timeoutS,
    requests: [
      {
        method: 'POST',
        path: '/v1/bookings',
        // Called once per request sent (a connection builds its first one up front): each gets its own customer and key.
        setupRequest: (request) => {
          const index = built++;
          const { customer, body } = options.pick(index);
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${customer.token}`,
              'idempotency-key': `${tag}-${index}`,
            },
            body: JSON.stringify(body),
          };
        },
        onResponse: (status, body) => {
          if (status === 202) {
            bump('202');
            const match = /"bookingId"\s*:\s*"([^"]+)"/.exec(body);
            if (!match) return void bump('202 without bookingId');
            const id = match[1]!;
            if (seen.has(id)) duplicateIds.push(id);
            seen.add(id);
            acceptedIds.push(id);
          } else {
            bump(`${status} ${errorCodeOf(body) ?? ''}`.trim());
            if (status >= 500 && errorSamples.length < 20) errorSamples.push(`${status} ${body.slice(0, 200)}`);
          }
        },
      },
    ],
  });
  const answered = new WeakSet<object>();
  const first: number[] = [];
  const later: number[] = [];
  run.instance.on('response', (client: object, status: number, _bytes: number, ms: number) => {
    log.record(status, ms);
    if (answered.has(client)) later.push(ms);
    else {
      answered.add(client);
      first.push(ms);
    }
    progress.update(log.count);
  });
  run.instance.on('reqError', (error: Error) => {
    transportErrors++;
    bump(`error ${error.message}`);
    if (errorSamples.length < 20) errorSamples.push(error.message);
  });
  const result = await run.result;
  progress.done(`${log.count} responses`);
  return {
    acceptedIds,
    duplicateIds,
    statuses,
    log,
    requestsBuilt: built,
    transportErrors,
    timeouts: result.timeouts,
    errorSamples,
    firstOnConnection: summarize(first),
    laterOnConnection: summarize(later),
    autocannon: { errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, duration: result.duration, p50: result.latency.p50, p99: result.latency.p99 },
  };
}

/** Errors in the sense of the summary line: transport failures, 5xx and any answer the scenario does not expect. */
export function countErrors(statuses: Record<string, number>, expected: readonly string[]): number {
  return Object.entries(statuses)
    .filter(([key]) => !expected.includes(key))
    .reduce((sum, [, n]) => sum + n, 0);
}
