import { bookingAnswers, formVersion } from '../../../db/src/repositories/booking-form.repository.ts';
import { readPendingAnswers } from '../../../db/redis/answers.ts';
import { type AnswerView, presentAnswers } from '../forms/present.ts';
import { openAnswers } from '../forms/seal.ts';
import type { Locale } from '../i18n/index.ts';
import type { PhoneKeys } from '../pii/phone.ts';
import type { LifecycleDeps } from './deps.ts';
import type { FoundBooking } from './find.ts';

/**
 * A visible booking's form answers with the labels of the version they were
 * given against: from MySQL once persisted, else from the sealed copy waiting
 * next to the hold. Callers pass a booking already checked by findVisibleBooking.
 */
export async function answersOfBooking(
  deps: LifecycleDeps & { phoneKeys: PhoneKeys },
  found: FoundBooking,
  options: { maskPhones: boolean; locale: Locale },
): Promise<AnswerView[]> {
  let stored: { serviceId: number; version: number; sealed: string } | null = null;
  if (found.kind === 'pending') {
    const { intent } = found.hold;
    if (intent.formVersion === undefined) return [];
    const sealed = await readPendingAnswers(deps.redis, deps.keys, intent.storeId, intent.bookingId);
    // Persisted meanwhile: the Redis copy is dropped after the MySQL commit.
    const row = sealed === null ? await bookingAnswers(deps.db, intent.bookingId) : null;
    if (sealed !== null) stored = { serviceId: intent.serviceId, version: intent.formVersion, sealed };
    else if (row) stored = { serviceId: row.service_id, version: row.form_version, sealed: row.sealed };
  } else {
    const row = await bookingAnswers(deps.db, found.row.id);
    if (row) stored = { serviceId: row.service_id, version: row.form_version, sealed: row.sealed };
  }
  if (!stored) return [];
  const form = await formVersion(deps.db, stored.serviceId, stored.version);
  if (!form) return [];
  return presentAnswers(form.fields, openAnswers(stored.sealed, deps.phoneKeys), options);
}
