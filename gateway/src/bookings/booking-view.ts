import type { z } from 'zod';
import type { BookingIntent } from '../../../core/src/booking/intent.ts';
import type { BookingStatus } from '../../../core/src/booking/state-machine.ts';
import { messagesFor, type Locale } from '../../../core/src/i18n/index.ts';
import type { FoundBooking } from '../../../core/src/lifecycle/find.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/src/database.ts';
import { orderOfBooking, refundsOfBooking } from '../../../db/src/repositories/payment.repository.ts';
import type { BookingRow } from '../../../db/src/tables/booking.table.ts';
import type { BookingViewSchema } from '../http/schemas.ts';

export type BookingView = z.infer<typeof BookingViewSchema>;

const iso = (ms: number) => new Date(ms).toISOString();

function statusLabel(status: BookingStatus, locale: Locale): string {
  return messagesFor(locale).bookingStatus[status];
}

export function viewFromRow(row: BookingRow, locale: Locale): BookingView {
  return {
    bookingId: row.id,
    status: row.status,
    statusLabel: statusLabel(row.status, locale),
    reason: row.status_reason,
    merchantId: row.merchant_id,
    storeId: row.store_id,
    serviceId: row.service_id,
    resourceId: row.resource_id,
    startAt: row.starts_at.toISOString(),
    endAt: row.ends_at.toISOString(),
    localDate: row.local_date,
    partySize: row.party_size,
    priceFen: row.price_fen,
    note: row.note,
    acceptedAt: row.accepted_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    amountDueFen: row.amount_due_fen,
    paymentDueAt: row.status === 'AWAITING_PAYMENT' && row.payment_due_at ? row.payment_due_at.toISOString() : null,
    checkinCode: row.status === 'CONFIRMED' ? row.checkin_code : null,
    offerExpiresAt: row.status === 'OFFERED' && row.offer_expires_at ? row.offer_expires_at.toISOString() : null,
  };
}

export function viewFromIntent(intent: BookingIntent, locale: Locale): BookingView {
  return {
    bookingId: intent.bookingId,
    status: 'PENDING',
    statusLabel: statusLabel('PENDING', locale),
    reason: null,
    merchantId: intent.merchantId,
    storeId: intent.storeId,
    serviceId: intent.serviceId,
    resourceId: intent.resourceId,
    startAt: iso(intent.startMs),
    endAt: iso(intent.endMs),
    localDate: intent.localDate,
    partySize: intent.partySize,
    priceFen: intent.priceFen,
    note: intent.note,
    acceptedAt: iso(intent.acceptedAt),
    updatedAt: iso(intent.acceptedAt),
    amountDueFen: 0,
    paymentDueAt: null,
    checkinCode: null,
  };
}

export function viewOf(found: FoundBooking, locale: Locale): BookingView {
  return found.kind === 'row' ? viewFromRow(found.row, locale) : viewFromIntent(found.hold.intent, locale);
}

/** The money side of one booking, for single-booking reads (lists leave it out: one query per booking). */
export async function paymentViewOf(db: Kysely<Database>, row: BookingRow): Promise<BookingView['payment']> {
  if (row.amount_due_fen <= 0) return null;
  const [order, refunds] = await Promise.all([orderOfBooking(db, row.id), refundsOfBooking(db, row.id)]);
  return {
    status: order?.status ?? 'UNPAID',
    amountFen: row.amount_due_fen,
    paidAt: order?.paid_at?.toISOString() ?? null,
    refundedFen: order?.refunded_fen ?? 0,
    refunds: refunds.map((r) => ({ amountFen: r.amount_fen, status: r.status, reason: r.reason, createdAt: r.created_at.toISOString() })),
  };
}
