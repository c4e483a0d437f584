import { timingSafeEqual } from 'node:crypto';
import { appendEvents, bookingsByCheckinCode, lockBooking, transitionBooking } from '../../../db/src/repositories/booking.repository.ts';
import { lockOrder, orderOfBooking } from '../../../db/src/repositories/payment.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import type { BookingStatus } from '../booking/state-machine.ts';
import { AppError } from '../errors.ts';
import { isCheckinCode } from '../payments/checkin-code.ts';
import { noShowMoney } from '../payments/policy.ts';
import { policyOfService, recordMoneyBack, refundableFen } from './booking-money.ts';
import { type Actor, actorLabel, type LifecycleDeps } from './deps.ts';
import { transitionEvent } from './events.ts';
import { findVisibleBooking } from './find.ts';

type StaffActor = Actor & { kind: 'merchant' };

export interface AttendanceResult {
  bookingId: string;
  status: BookingStatus;
  refundIds: number[];
}

/**
 * Check-in (核销) with the customer's one-time code. The code is single use
 * because CONFIRMED → CHECKED_IN happens once; a wrong code changes nothing.
 */
export async function checkIn(deps: LifecycleDeps, actor: StaffActor, bookingId: string, code: string): Promise<AttendanceResult> {
  const row = await persistedRow(deps, actor, bookingId);
  if (row.status === 'CHECKED_IN') return { bookingId, status: row.status, refundIds: [] };
  if (!isCheckinCode(code) || !row.checkin_code || !timingSafeEqual(Buffer.from(code), Buffer.from(row.checkin_code))) {
    throw new AppError('CHECKIN_CODE_INVALID', `wrong check-in code for ${bookingId}`);
  }
  await move(deps, actor, row, 'CONFIRMED', 'CHECKED_IN');
  return { bookingId, status: 'CHECKED_IN', refundIds: [] };
}

/** Check-in from the code alone (the counter scans or types it): searched in the staff member's stores today. */
export async function checkInByCode(deps: LifecycleDeps, actor: StaffActor, storeIds: readonly number[], localDate: string, code: string): Promise<AttendanceResult> {
  if (!isCheckinCode(code)) throw new AppError('CHECKIN_CODE_INVALID', 'check-in codes are six digits');
  const rows = await bookingsByCheckinCode(deps.db, storeIds, localDate, code);
  if (rows.length === 0) throw new AppError('CHECKIN_CODE_INVALID', 'no confirmed booking today has this code');
  if (rows.length > 1) throw new AppError('CHECKIN_CODE_AMBIGUOUS', 'several bookings today share this code');
  return checkIn(deps, actor, rows[0]!.id, code);
}

export async function completeBooking(deps: LifecycleDeps, actor: StaffActor, bookingId: string): Promise<AttendanceResult> {
  const row = await persistedRow(deps, actor, bookingId);
  if (row.status === 'COMPLETED') return { bookingId, status: row.status, refundIds: [] };
  await move(deps, actor, row, 'CHECKED_IN', 'COMPLETED');
  return { bookingId, status: 'COMPLETED', refundIds: [] };
}

/**
 * Marks a confirmed booking whose start has passed as a no-show. A paid
 * deposit or prepayment is forfeited by the service's no-show share; any
 * remainder is refunded. The cells stay booked: the time is gone either way.
 */
export async function markNoShow(deps: LifecycleDeps, actor: StaffActor, bookingId: string): Promise<AttendanceResult> {
  const row = await persistedRow(deps, actor, bookingId);
  if (row.status === 'NO_SHOW') return { bookingId, status: row.status, refundIds: [] };
  const now = deps.clock.now();
  if (now < row.starts_at.getTime()) throw new AppError('BOOKING_NOT_STARTED', `booking ${bookingId} starts later`);
  const order = row.amount_due_fen > 0 ? await orderOfBooking(deps.db, row.id) : undefined;
  const policy = order ? await policyOfService(deps.db, row.service_id) : undefined;
  const refundIds = await inTransaction(deps.db, async (trx) => {
    const lockedOrder = order ? await lockOrder(trx, order.out_trade_no) : undefined;
    const locked = await lockBooking(trx, bookingId);
    if (!locked || !(await transitionBooking(trx, bookingId, ['CONFIRMED'], 'NO_SHOW', 'NO_SHOW', now))) {
      throw new AppError('INVALID_TRANSITION', `cannot mark a ${locked?.status ?? 'missing'} booking as no-show`);
    }
    await appendEvents(trx, [transitionEvent({ bookingId, merchantId: locked.merchant_id }, 'CONFIRMED', 'NO_SHOW', actorLabel(actor), now)]);
    if (!lockedOrder || !policy || refundableFen(lockedOrder) === 0) return [];
    const refundId = await recordMoneyBack(trx, locked, lockedOrder, noShowMoney(policy, refundableFen(lockedOrder)), 'NOSHOW', actorLabel(actor), now);
    return refundId === null ? [] : [refundId];
  });
  return { bookingId, status: 'NO_SHOW', refundIds };
}

async function persistedRow(deps: LifecycleDeps, actor: StaffActor, bookingId: string): Promise<BookingRow> {
  const found = await findVisibleBooking(deps, actor, bookingId);
  if (found.kind === 'pending') throw new AppError('INVALID_TRANSITION', 'booking is still being processed');
  return found.row;
}

async function move(deps: LifecycleDeps, actor: StaffActor, row: BookingRow, from: BookingStatus, to: BookingStatus): Promise<void> {
  const now = deps.clock.now();
  const moved = await inTransaction(deps.db, async (trx) => {
    if (!(await transitionBooking(trx, row.id, [from], to, null, now))) return false;
    await appendEvents(trx, [transitionEvent({ bookingId: row.id, merchantId: row.merchant_id }, from, to, actorLabel(actor), now)]);
    return true;
  });
  if (!moved) throw new AppError('INVALID_TRANSITION', `cannot move a ${row.status} booking to ${to}`);
}
