import { type Job, UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import type { BookingIntent } from '../../../core/src/booking/intent.ts';
import type { LifecycleDeps } from '../../../core/src/lifecycle/deps.ts';
import { type PersistOutcome, persistIntents } from '../../../core/src/lifecycle/persist.ts';
import type { Logger } from '../../../core/src/logging.ts';
import { MicroBatcher } from '../runtime/micro-batcher.ts';
import type { WorkerMetrics } from '../runtime/metrics.ts';
import type { PersistBookingPayload } from './contracts.ts';

const cell = z.object({ resourceId: z.number().int(), startMinute: z.number().int(), localDate: z.string(), quantity: z.number().int().positive() });

/** Job data is validated like any other input: a malformed job fails for good instead of retrying forever. */
const intentSchema = z.object({
  bookingId: z.string().min(20).max(40),
  merchantId: z.number().int(),
  storeId: z.number().int(),
  serviceId: z.number().int(),
  customerId: z.number().int(),
  resourceId: z.number().int().nullable(),
  startMs: z.number().int(),
  endMs: z.number().int(),
  localDate: z.string(),
  partySize: z.number().int().positive(),
  priceFen: z.number().int().nonnegative(),
  idempotencyKey: z.string(),
  note: z.string(),
  acceptedAt: z.number().int(),
  deadlineMs: z.number().int(),
  cells: z.array(cell).min(1),
});

export interface PersistHandlerOptions {
  maxBatch: number;
  maxWaitMs: number;
  maxInFlight: number;
}

/**
 * The persist:booking handler. Jobs run concurrently and meet in a
 * micro-batcher, so a burst of bookings becomes a few MySQL transactions.
 */
export function createPersistHandler(deps: LifecycleDeps, metrics: WorkerMetrics, log: Logger, options: PersistHandlerOptions) {
  const batcher = new MicroBatcher<BookingIntent, PersistOutcome>(
    async (intents) => {
      metrics.batchSize.observe(intents.length);
      return persistIntents(deps, intents, { onRetry: () => metrics.transactionRetries.inc() });
    },
    { maxSize: options.maxBatch, maxWaitMs: options.maxWaitMs, maxInFlight: options.maxInFlight },
  );

  async function handle(job: Job<PersistBookingPayload>): Promise<string> {
    const parsed = intentSchema.safeParse(job.data);
    if (!parsed.success) {
      log.error({ jobId: job.id, issues: parsed.error.issues }, 'invalid persist job');
      throw new UnrecoverableError('invalid persist:booking payload');
    }
    if (job.processedOn) metrics.queueLag.observe({ queue: 'persist' }, Math.max(0, job.processedOn - job.timestamp) / 1000);
    const outcome = await batcher.submit(parsed.data);
    metrics.persistOutcomes.inc({ status: outcome.status, duplicate: String(outcome.duplicate) });
    if (!outcome.duplicate) metrics.persistLatency.observe(Math.max(0, deps.clock.now() - parsed.data.acceptedAt) / 1000);
    return outcome.status;
  }

  return { handle, drain: () => batcher.drain() };
}
