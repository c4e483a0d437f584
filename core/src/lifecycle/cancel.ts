import { appendEvents, bookingCellsOf, lockBooking, transitionBooking } from '../../../db/src/repositories/booking.repository.ts';
import { giveBackCells } from '../../../db/src/repositories/inventory.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { holdOwnerOfRow, releaseBookingHold } from './converge.ts';
import { type BookingStatus, canTransition, statusesLeadingTo } from '../booking/state-machine.ts';
import { AppError } from '../errors.ts';
import { type Actor, actorLabel, type LifecycleDeps } from './deps.ts';
import { transitionEvent } from './events.ts';
import { findVisibleBooking } from './find.ts';
import { settleUnpersistedHold } from './settle-hold.ts';
import { lockOrder, orderOfBooking } from '../../../db/src/repositories/payment.repository.ts';
import { cancellationMoney, type MoneyBack } from '../payments/policy.ts';
import { HOUR_MS } from '../time/zoned.ts';
import { policyOfService, recordMoneyBack, refundableFen } from './booking-money.ts';

export interface CancelResult {
  bookingId: string;
  status: BookingStatus;
  /** Refunds this cancellation decided on; the caller hands them to the settlement workers. */
  refundIds: number[];
}

/**
 * Cancels a booking the actor can see, whether it is still a hold or already a
 * row. Cancelling twice answers the same; a booking that has started, or that
 * ended some other way, cannot be cancelled.
 */
export async function cancelBooking(deps: LifecycleDeps, actor: Actor, bookingId: string, reason: string): Promise<CancelResult> {
  const found = await findVisibleBooking(deps, actor, bookingId);
  if (found.kind === 'pending') {
    const intent = found.hold.intent;
    assertNotStarted(deps, intent.startMs);
    const settled = await settleUnpersistedHold(deps, intent, 'CANCELLED', reason, actorLabel(actor));
    if (settled.kind === 'settled') return { bookingId, status: 'CANCELLED', refundIds: [] };
    return cancelPersisted(deps, actor, settled.booking, reason);
  }
  return cancelPersisted(deps, actor, found.row, reason);
}

function assertNotStarted(deps: LifecycleDeps, startMs: number): void {
  if (deps.clock.now() >= startMs) throw new AppError('BOOKING_ALREADY_STARTED', 'booking has started');
}

async function cancelPersisted(deps: LifecycleDeps, actor: Actor, row: BookingRow, reason: string): Promise<CancelResult> {
  if (row.status === 'CANCELLED') return { bookingId: row.id, status: 'CANCELLED', refundIds: [] };
  if (!canTransition(row.status, 'CANCELLED')) throw new AppError('INVALID_TRANSITION', `cannot cancel a ${row.status} booking`);
  assertNotStarted(deps, row.starts_at.getTime());
  const now = deps.clock.now();
  const order = row.amount_due_fen > 0 ? await orderOfBooking(deps.db, row.id) : undefined;
  const policy = order ? await policyOfService(deps.db, row.service_id) : undefined;
  const outcome = await inTransaction(deps.db, async (trx) => {
    // Order before booking, the lock order of payment settlement: a payment racing this cancel waits, then refunds.
    const lockedOrder = order ? await lockOrder(trx, order.out_trade_no) : undefined;
    const locked = await lockBooking(trx, row.id);
    if (!locked) throw new Error(`booking ${row.id} vanished`);
    if (locked.status === 'CANCELLED') return { changed: false, status: locked.status, cells: [], refundIds: [] };
    if (!(await transitionBooking(trx, row.id, statusesLeadingTo('CANCELLED'), 'CANCELLED', reason, now))) {
      throw new AppError('INVALID_TRANSITION', `cannot cancel a ${locked.status} booking`);
    }
    const cells = await bookingCellsOf(trx, row.id);
    await giveBackCells(trx, cells);
    await appendEvents(trx, [transitionEvent({ bookingId: row.id, merchantId: row.merchant_id }, locked.status, 'CANCELLED', actorLabel(actor), now, { reason })]);
    const refundIds: number[] = [];
    if (lockedOrder && policy && refundableFen(lockedOrder) > 0) {
      const money = cancellationMoney(policy, refundableFen(lockedOrder), { startMs: row.starts_at.getTime(), nowMs: now, byMerchant: actor.kind !== 'customer' });
      const refundId = await recordMoneyBack(trx, locked, lockedOrder, money, 'CANCEL', actorLabel(actor), now);
      if (refundId !== null) refundIds.push(refundId);
    }
    return { changed: true, status: 'CANCELLED' as const, cells, refundIds };
  });
  if (outcome.changed) {
    // After the commit: if this fails, Redis counts the booking a little longer and the reconciler frees it.
    await releaseBookingHold(deps, holdOwnerOfRow(row), outcome.cells, 'CANCELLED', true);
  }
  return { bookingId: row.id, status: outcome.status, refundIds: outcome.refundIds };
}

export interface CancellationQuote {
  bookingId: string;
  cancellable: boolean;
  paidFen: number;
  rule: MoneyBack['rule'] | null;
  feeFen: number;
  refundFen: number;
  /** Until when cancelling is free (ISO), when the booking has something to refund. */
  freeUntil: string | null;
}

/** What cancelling now would give back, computed by the same rule the cancellation will apply. */
export async function quoteCancellation(deps: LifecycleDeps, actor: Actor, bookingId: string): Promise<CancellationQuote> {
  const found = await findVisibleBooking(deps, actor, bookingId);
  const now = deps.clock.now();
  if (found.kind === 'pending') {
    return { bookingId, cancellable: now < found.hold.intent.startMs, paidFen: 0, rule: null, feeFen: 0, refundFen: 0, freeUntil: null };
  }
  const row = found.row;
  const cancellable = canTransition(row.status, 'CANCELLED') && now < row.starts_at.getTime();
  const order = row.amount_due_fen > 0 ? await orderOfBooking(deps.db, row.id) : undefined;
  const paidFen = refundableFen(order);
  if (paidFen === 0) return { bookingId, cancellable, paidFen: 0, rule: null, feeFen: 0, refundFen: 0, freeUntil: null };
  const policy = await policyOfService(deps.db, row.service_id);
  const money = cancellationMoney(policy, paidFen, { startMs: row.starts_at.getTime(), nowMs: now, byMerchant: actor.kind !== 'customer' });
  const freeUntil = new Date(row.starts_at.getTime() - policy.freeCancelHours * HOUR_MS).toISOString();
  return { bookingId, cancellable, paidFen, rule: money.rule, feeFen: money.feeFen, refundFen: money.refundFen, freeUntil };
}
