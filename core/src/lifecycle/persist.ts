import {
  appendEvents,
  bookingRowFromIntent,
  findBooking,
  insertBookingCells,
  insertBookingIfAbsent,
  insertBookings,
} from '../../../db/src/repositories/booking.repository.ts';
import { takeCells } from '../../../db/src/repositories/inventory.repository.ts';
import { insertBookingAnswers } from '../../../db/src/repositories/booking-form.repository.ts';
import { dropPendingAnswersOf, readPendingAnswersOf } from '../../../db/redis/answers.ts';
import { inTransaction, isDuplicateKeyError, type TransactionOptions } from '../../../db/src/transaction.ts';
import { markManyPersisted, markPersisted } from '../../../db/redis/holds.ts';
import type { BookingIntent } from '../booking/intent.ts';
import type { BookingStatus } from '../booking/state-machine.ts';
import { newCheckinCode } from '../payments/checkin-code.ts';
import type { PaymentPlan } from '../payments/policy.ts';
import { convergeHold, holdOwnerOfIntent, releaseBookingHold } from './converge.ts';
import type { LifecycleDeps } from './deps.ts';
import { bookingEvent, pipelineOutcomeEvent } from './events.ts';
import { planPayments } from './payment-plans.ts';

export interface PersistOutcome {
  bookingId: string;
  status: BookingStatus;
  /** The row existed already: a replayed job, a concurrent worker, or the sweeper/cancel got there first. */
  duplicate: boolean;
}

class CapacityConflict extends Error {
  constructor() {
    super('MySQL refused the capacity: Redis and MySQL disagree');
    this.name = 'CapacityConflict';
  }
}

const ACTOR = 'system:persist';

/**
 * Persists accepted bookings. The happy path writes a whole batch in one
 * transaction: multi-row inserts plus one conditional UPDATE over all cells.
 * If any booking of the batch already exists or any cell would overflow, the
 * batch is rolled back and every booking is retried on its own, so one bad
 * booking never blocks the others and each gets its own correct outcome.
 */
export async function persistIntents(deps: LifecycleDeps, intents: readonly BookingIntent[], options: TransactionOptions = {}): Promise<PersistOutcome[]> {
  const unique = [...new Map(intents.map((i) => [i.bookingId, i])).values()];
  if (unique.length === 0) return [];
  const plans = await planPayments(deps, unique, deps.clock.now());
  if (unique.length > 1) {
    try {
      await persistTogether(deps, unique, plans, options);
      await markAllPersisted(deps, unique);
      return unique.map((i) => ({ bookingId: i.bookingId, status: statusFor(i, plans), duplicate: false }));
    } catch (error) {
      if (!(error instanceof CapacityConflict) && !isDuplicateKeyError(error)) throw error;
    }
  }
  const outcomes: PersistOutcome[] = [];
  for (const intent of unique) outcomes.push(await persistOne(deps, intent, plans, options));
  return outcomes;
}

/**
 * A waitlist offer waits for the customer's answer (payment is decided when they accept); a booking that owes an
 * online payment waits for it, holding its cells until the payment deadline.
 */
function statusFor(intent: BookingIntent, plans: Map<string, PaymentPlan>): 'OFFERED' | 'CONFIRMED' | 'AWAITING_PAYMENT' {
  if (intent.offerDeadlineMs !== undefined) return 'OFFERED';
  const plan = plans.get(intent.bookingId);
  return plan && plan.kind !== 'none' ? 'AWAITING_PAYMENT' : 'CONFIRMED';
}

async function persistTogether(deps: LifecycleDeps, intents: BookingIntent[], plans: Map<string, PaymentPlan>, options: TransactionOptions): Promise<void> {
  const now = deps.clock.now();
  const rows = intents.map((i) => {
    const plan = plans.get(i.bookingId);
    const status = statusFor(i, plans);
    const row = { ...bookingRowFromIntent(i, status, null, now), checkin_code: status === 'CONFIRMED' ? newCheckinCode() : null };
    if (status === 'OFFERED') return { ...row, offer_expires_at: new Date(i.offerDeadlineMs!) };
    return plan && plan.kind !== 'none' ? { ...row, amount_due_fen: plan.amountFen, payment_due_at: new Date(plan.dueMs) } : row;
  });
  // Form answers wait sealed in Redis (never in the job data) and land in the same transaction as their booking.
  const withForms = intents.filter((i) => i.formVersion !== undefined);
  const sealed = await readPendingAnswersOf(deps.redis, deps.keys, withForms);
  await inTransaction(
    deps.db,
    async (trx) => {
      await insertBookings(trx, rows);
      await insertBookingAnswers(
        trx,
        withForms.flatMap((i) => {
          const answers = sealed.get(i.bookingId);
          return answers ? [{ booking_id: i.bookingId, service_id: i.serviceId, form_version: i.formVersion!, sealed: answers, created_at: new Date(now) }] : [];
        }),
      );
      await insertBookingCells(trx, intents.map((i) => ({ bookingId: i.bookingId, cells: i.cells })));
      if (!(await takeCells(trx, intents.flatMap((i) => i.cells)))) throw new CapacityConflict();
      await appendEvents(
        trx,
        intents.flatMap((i, index) => {
          const row = rows[index]!;
          if (row.status === 'OFFERED') {
            // WAITLIST_OFFERED is what the notification planner turns into the customer's offer push and notice.
            const offer = { offerExpiresAt: new Date(i.offerDeadlineMs!).toISOString() };
            return [pipelineOutcomeEvent(i, 'OFFERED', ACTOR, now, offer), bookingEvent(i, 'WAITLIST_OFFERED', ACTOR, now, { ...offer, startMs: i.startMs })];
          }
          const extra = row.status === 'AWAITING_PAYMENT' ? { amountDueFen: row.amount_due_fen, paymentDueAt: row.payment_due_at } : {};
          return [pipelineOutcomeEvent(i, row.status, ACTOR, now, extra)];
        }),
      );
    },
    options,
  );
  // Committed: the Redis copy is no longer needed (its TTL removes it if this fails).
  await dropPendingAnswersOf(deps.redis, deps.keys, withForms).catch(() => undefined);
}

async function markAllPersisted(deps: LifecycleDeps, intents: BookingIntent[]): Promise<void> {
  // One script call per store; a failure here only leaves work for the reconciler.
  const byStore = Map.groupBy(intents, (i) => i.storeId);
  await Promise.all([...byStore].map(([storeId, group]) => markManyPersisted(deps.redis, deps.keys, storeId, group.map((i) => i.bookingId))));
}

async function persistOne(deps: LifecycleDeps, intent: BookingIntent, plans: Map<string, PaymentPlan>, options: TransactionOptions): Promise<PersistOutcome> {
  try {
    await persistTogether(deps, [intent], plans, options);
    await markPersisted(deps.redis, deps.keys, intent.storeId, intent.bookingId);
    return { bookingId: intent.bookingId, status: statusFor(intent, plans), duplicate: false };
  } catch (error) {
    if (isDuplicateKeyError(error)) return existingOutcome(deps, intent);
    if (!(error instanceof CapacityConflict)) throw error;
  }
  return reject(deps, intent);
}

/** MySQL said no although Redis said yes: record REJECTED (if nobody else decided first) and free the hold. */
async function reject(deps: LifecycleDeps, intent: BookingIntent): Promise<PersistOutcome> {
  const now = deps.clock.now();
  const inserted = await inTransaction(deps.db, async (trx) => {
    const created = await insertBookingIfAbsent(trx, bookingRowFromIntent(intent, 'REJECTED', 'SOLD_OUT_IN_DATABASE', now));
    if (created) {
      await appendEvents(trx, [pipelineOutcomeEvent(intent, 'REJECTED', ACTOR, now, { reason: 'SOLD_OUT_IN_DATABASE' })]);
    }
    return created;
  });
  if (!inserted) return existingOutcome(deps, intent);
  await releaseBookingHold(deps, holdOwnerOfIntent(intent), intent.cells, 'REJECTED', false);
  return { bookingId: intent.bookingId, status: 'REJECTED', duplicate: false };
}

async function existingOutcome(deps: LifecycleDeps, intent: BookingIntent): Promise<PersistOutcome> {
  const row = await findBooking(deps.db, intent.bookingId);
  if (!row) throw new Error(`booking ${intent.bookingId} reported duplicate but not found`);
  await convergeHold(deps, row, intent.cells);
  return { bookingId: row.id, status: row.status, duplicate: true };
}
