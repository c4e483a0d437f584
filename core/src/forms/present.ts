import { format, type Locale, messagesFor } from '../i18n/index.ts';
import { maskPhone } from '../pii/phone.ts';
import type { AnswerValue, AnswerValues, FormField } from './definition.ts';

export interface AnswerView {
  key: string;
  label: string;
  type: FormField['type'];
  value: AnswerValue;
  /** The answer as a person reads it: option labels, 已同意, masked phone for staff. */
  display: string;
}

/**
 * Answers in the order and with the labels of the form version they were
 * given against; answers to fields that version does not have are dropped.
 * Staff see phone numbers masked, as everywhere else.
 */
export function presentAnswers(fields: readonly FormField[], values: AnswerValues, options: { maskPhones: boolean; locale: Locale }): AnswerView[] {
  const m = messagesFor(options.locale).forms;
  const out: AnswerView[] = [];
  for (const field of fields) {
    if (!Object.hasOwn(values, field.key)) continue;
    let value = values[field.key]!;
    let display: string;
    switch (field.type) {
      case 'phone':
        if (options.maskPhones && typeof value === 'string') value = maskPhone(value);
        display = String(value);
        break;
      case 'choice': {
        const labels = new Map(field.options.map((o) => [o.key, o.label]));
        const keys = Array.isArray(value) ? value : [String(value)];
        display = keys.map((k) => labels.get(k) ?? k).join('、');
        break;
      }
      case 'consent':
        display = m.consentGiven;
        break;
      case 'file':
        display = format(m.fileCount, { count: Array.isArray(value) ? value.length : 1 });
        break;
      default:
        display = String(value);
    }
    out.push({ key: field.key, label: field.label, type: field.type, value, display });
  }
  return out;
}
