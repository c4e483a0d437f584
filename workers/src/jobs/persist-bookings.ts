import type { Job } from 'bullmq';
import { z } from 'zod';
import type { BookingIntent } from '../../../core/src/booking/intent.ts';
import type { LifecycleDeps } from '../../../core/src/lifecycle/deps.ts';
import { persistIntents } from '../../../core/src/lifecycle/persist.ts';
import type { Logger } from '../../../core/src/logging.ts';
import type { WorkerMetrics } from '../runtime/metrics.ts';
import type { PersistBookingsPayload } from './contracts.ts';

const cell = z.object({ resourceId: z.number().int(), startMinute: z.number().int(), localDate: z.string(), quantity: z.number().int().positive() });

/** Job data is validated like any other input. */
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
  /** Booking-form version; the answers themselves wait sealed in Redis (core/src/forms/seal.ts). */
  formVersion: z.number().int().positive().optional(),
  /** Set on a waitlist offer: persisted as OFFERED, open until then. */
  offerDeadlineMs: z.number().int().optional(),
});

/**
 * The persist:bookings handler: writes a relay batch in as few MySQL
 * transactions as possible (see persistIntents). A transient failure throws
 * and BullMQ retries the whole batch, which is safe because every booking is
 * written at most once by its primary key. An intent that fails validation is
 * logged and left out; its hold then expires visibly instead of blocking the
 * batch forever.
 */
export function createPersistHandler(deps: LifecycleDeps, metrics: WorkerMetrics, log: Logger) {
  return async function handle(job: Job<PersistBookingsPayload>): Promise<Record<string, number>> {
    const intents: BookingIntent[] = [];
    for (const candidate of job.data.intents ?? []) {
      const parsed = intentSchema.safeParse(candidate);
      if (parsed.success) intents.push(parsed.data);
      else log.error({ jobId: job.id, issues: parsed.error.issues }, 'invalid intent in persist job: left to expire');
    }
    if (job.processedOn) metrics.queueLag.observe({ queue: 'persist' }, Math.max(0, job.processedOn - job.timestamp) / 1000);
    metrics.batchSize.observe(intents.length);
    const outcomes = await persistIntents(deps, intents, { onRetry: () => metrics.transactionRetries.inc() });
    const now = deps.clock.now();
    const summary: Record<string, number> = {};
    outcomes.forEach((outcome, i) => {
      metrics.persistOutcomes.inc({ status: outcome.status, duplicate: String(outcome.duplicate) });
      if (!outcome.duplicate) metrics.persistLatency.observe(Math.max(0, now - intents[i]!.acceptedAt) / 1000);
      summary[outcome.status] = (summary[outcome.status] ?? 0) + 1;
    });
    return summary;
  };
}
