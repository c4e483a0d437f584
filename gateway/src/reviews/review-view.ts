import type { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';
import { format, type Locale, messagesFor } from '../../../core/src/i18n/index.ts';
import { reviewerTag } from '../../../core/src/reviews/review-input.ts';
import type { ReviewListRow, ReviewPosition } from '../../../db/src/repositories/review.repository.ts';
import type { BookingReviewSchema, ReviewSchema } from '../http/schemas.ts';

/** A review as the public sees it: the reviewer masked, no customer id, phone or booking id. */
export function reviewView(row: ReviewListRow, locale: Locale): z.infer<typeof ReviewSchema> {
  return {
    id: row.id,
    storeId: row.store_id,
    service: { id: row.service_id, name: row.service_name },
    staff: row.resource_id === null ? null : { id: row.resource_id, name: row.staff_name },
    rating: row.rating,
    staffRating: row.staff_rating,
    text: row.text,
    reviewer: format(messagesFor(locale).reviews.reviewer, { tag: reviewerTag(row.customer_id) }),
    createdAt: row.created_at.toISOString(),
  };
}

/** With the booking id: for its author and for the merchant, who can look the visit up. */
export function bookingReviewView(row: ReviewListRow, locale: Locale): z.infer<typeof BookingReviewSchema> {
  return { ...reviewView(row, locale), bookingId: row.booking_id };
}

/** Opaque keyset cursor after the last row of a full page; null when the page was the last. */
export function nextCursor(rows: readonly ReviewListRow[], limit: number): string | null {
  const last = rows.at(-1);
  if (rows.length < limit || !last) return null;
  return Buffer.from(`${last.created_at.getTime()}.${last.id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): ReviewPosition | undefined {
  if (cursor === undefined) return undefined;
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match) throw new AppError('VALIDATION_FAILED', 'malformed review cursor', { issues: [{ path: 'query.cursor', message: 'cursor 无效' }] });
  return { createdAt: new Date(Number(match[1])), id: Number(match[2]) };
}
