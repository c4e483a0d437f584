/**
 * Delivers delivery-status callbacks the way Tencent Cloud SMS does: a JSON
 * array of reports POSTed to the configured URL, unsigned. An answer counts
 * as received only if it is HTTP 200 with `result: 0`; anything else is
 * retried along a schedule (Tencent does not document its own; tests
 * compress it).
 */
import type { Clock } from '../../../core/src/clock.ts';

/** A guess at Tencent's cadence; undocumented. */
export const DEFAULT_CALLBACK_RETRY_SCHEDULE_MS = [5_000, 30_000, 120_000];
const ATTEMPT_TIMEOUT_MS = 5_000;

/** One report exactly as Tencent sends it (reference §5.4). */
export interface StatusReportWire {
  user_receive_time: string;
  nationcode: string;
  mobile: string;
  report_status: 'SUCCESS' | 'FAIL';
  errmsg: string;
  description: string;
  sid: string;
}

export interface CallbackAttempt {
  atMs: number;
  /** null when the connection failed or timed out. */
  status: number | null;
  /** `result` of the JSON answer, null when there was none. */
  result: number | null;
  error?: string;
}

export interface CallbackDelivery {
  deliveryId: number;
  url: string;
  serialNos: string[];
  reports: StatusReportWire[];
  attempts: CallbackAttempt[];
  /** Answered 200 with result 0. */
  received: boolean;
  /** No attempt is pending any more. */
  finished: boolean;
}

export class CallbackSender {
  private readonly deliveries: CallbackDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private nextId = 1;
  private readonly clock: Clock;
  private readonly retryScheduleMs: readonly number[];

  constructor(options: { clock: Clock; retryScheduleMs: readonly number[] }) {
    this.clock = options.clock;
    this.retryScheduleMs = options.retryScheduleMs;
  }

  log(): CallbackDelivery[] {
    return this.deliveries.map((d) => ({ ...d, serialNos: [...d.serialNos], reports: [...d.reports], attempts: [...d.attempts] }));
  }

  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** `build` runs when the first attempt fires, so a delayed report carries the time it "arrived". */
  send(url: string, serialNos: string[], build: () => StatusReportWire[], delayMs: number): CallbackDelivery {
    const delivery: CallbackDelivery = { deliveryId: this.nextId++, url, serialNos, reports: [], attempts: [], received: false, finished: false };
    this.deliveries.push(delivery);
    this.pending += 1;
    this.schedule(delayMs, async () => {
      delivery.reports = build();
      await this.attempt(delivery, JSON.stringify(delivery.reports), 0);
    });
    return delivery;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending = 0;
    this.flushIdle();
  }

  private async attempt(delivery: CallbackDelivery, body: string, retriesDone: number): Promise<void> {
    if (this.stopped) return;
    const attempt: CallbackAttempt = { atMs: this.clock.now(), status: null, result: null };
    delivery.attempts.push(attempt);
    try {
      const response = await fetch(delivery.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
      attempt.status = response.status;
      const answer = (await response.json().catch(() => null)) as { result?: unknown } | null;
      attempt.result = typeof answer?.result === 'number' ? answer.result : null;
    } catch (error) {
      attempt.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (this.stopped) return;
    if (attempt.status === 200 && attempt.result === 0) {
      delivery.received = true;
      return this.finish(delivery);
    }
    const wait = this.retryScheduleMs[retriesDone];
    if (wait === undefined) return this.finish(delivery);
    this.schedule(wait, () => this.attempt(delivery, body, retriesDone + 1));
  }

  private schedule(delayMs: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    this.timers.add(timer);
  }

  private finish(delivery: CallbackDelivery): void {
    delivery.finished = true;
    this.pending -= 1;
    if (this.pending === 0) this.flushIdle();
  }

  private flushIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
