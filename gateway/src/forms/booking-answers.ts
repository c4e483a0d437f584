import { validateAnswers } from '../../../core/src/forms/validate.ts';
import { type SealedAnswers, sealAnswers } from '../../../core/src/forms/seal.ts';
import type { StoreCatalog } from '../../../core/src/catalog/types.ts';
import { AppError } from '../../../core/src/errors.ts';
import type { Locale } from '../../../core/src/i18n/index.ts';
import type { PhoneKeys } from '../../../core/src/pii/phone.ts';
import { localDateOf } from '../../../core/src/time/zoned.ts';
import type { FormCache } from './form-cache.ts';

/**
 * Checks a booking request's answers against the service's current form
 * before anything is reserved (400 with one issue per field, nothing written)
 * and seals them for the accept step. Services without a form take no answers.
 * A service the store does not offer is left to acceptBooking's own check.
 */
export async function checkBookingAnswers(
  deps: { forms: FormCache; phoneKeys: PhoneKeys; nowMs: number; locale: Locale },
  catalog: StoreCatalog,
  serviceId: number,
  answers: unknown,
): Promise<SealedAnswers | undefined> {
  if (!catalog.services.has(serviceId)) return undefined;
  const stored = await deps.forms.get(serviceId);
  const form = stored && stored.fields.length > 0 ? stored : null;
  if (!form && (answers === undefined || (typeof answers === 'object' && answers !== null && Object.keys(answers).length === 0))) return undefined;
  const result = validateAnswers(form, answers, { today: localDateOf(deps.nowMs, catalog.store.timezone), locale: deps.locale });
  if (!result.ok) {
    throw new AppError('VALIDATION_FAILED', 'invalid booking form answers', { issues: result.issues.map((i) => ({ path: `body.${i.path}`, message: i.message })) });
  }
  return form ? sealAnswers(form.version, result.values, deps.phoneKeys) : undefined;
}
