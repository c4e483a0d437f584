/**
 * The merchant's booking form, checked on the phone before anything is sent so the customer
 * sees every problem at once. The gateway checks again and is the judge (same rules:
 * core/src/forms on the server).
 */
import { t } from '../i18n';

interface Base {
  key: string;
  label: string;
  required: boolean;
  help?: string;
}
export type FormField =
  | (Base & { type: 'text'; minLength?: number; maxLength: number; pattern?: string })
  | (Base & { type: 'phone' })
  | (Base & { type: 'choice'; multiple: boolean; options: { key: string; label: string }[]; minSelections?: number; maxSelections?: number })
  | (Base & { type: 'date'; min?: unknown; max?: unknown })
  | (Base & { type: 'number'; decimals: number; min?: number; max?: number })
  | (Base & { type: 'consent'; text: string })
  | (Base & { type: 'file'; minFiles?: number; maxFiles: number });

export type AnswerValue = string | number | boolean | string[];
export type Answers = Record<string, AnswerValue | undefined>;

const PATTERNS: Record<string, RegExp> = {
  digits: /^\d+$/,
  letters_digits: /^[A-Za-z0-9]+$/,
  chinese_name: /^[\u4e00-\u9fa5·]{2,20}$/,
  email: /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}$/,
  cn_id_card: /^\d{17}[\dXx]$/,
  cn_license_plate: /^[\u4e00-\u9fa5][A-Z][A-HJ-NP-Z0-9]{5,6}$/,
  cn_postal_code: /^\d{6}$/,
};

const isBlank = (v: AnswerValue | undefined) => v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
const chars = (s: string) => Array.from(s).length;

/** One message per field in trouble, keyed by field key; empty when the form can be sent. */
export function validateAnswers(fields: readonly FormField[], answers: Answers): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const value = answers[field.key];
    const label = field.label;
    if (field.type === 'consent') {
      if (value !== true) problems[field.key] = t('form.consentRequired', { label });
      continue;
    }
    if (field.type === 'file') {
      // Uploads happen at the store today; a required file field cannot be met online.
      if (field.required || (field.minFiles ?? 0) > 0) problems[field.key] = t('form.fileUnsupported', { label });
      continue;
    }
    if (isBlank(value)) {
      if (field.required) problems[field.key] = t(field.type === 'choice' ? 'form.requiredChoice' : 'form.required', { label });
      continue;
    }
    const problem = checkValue(field, value as AnswerValue);
    if (problem) problems[field.key] = problem;
  }
  return problems;
}

function checkValue(field: FormField, value: AnswerValue): string | null {
  const label = field.label;
  switch (field.type) {
    case 'text': {
      const text = String(value).trim();
      if (field.minLength !== undefined && chars(text) < field.minLength) return t('form.tooShort', { label, n: field.minLength });
      if (chars(text) > field.maxLength) return t('form.tooLong', { label, n: field.maxLength });
      const pattern = field.pattern ? PATTERNS[field.pattern] : undefined;
      if (pattern && !pattern.test(text)) return t('form.pattern', { label });
      return null;
    }
    case 'phone':
      return /^1[3-9]\d{9}$/.test(String(value).replace(/[\s-]/g, '').replace(/^\+?86/, '')) ? null : t('form.phone');
    case 'number': {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isFinite(n)) return t('form.number', { label });
      if (field.min !== undefined && n < field.min) return t('form.min', { label, n: field.min });
      if (field.max !== undefined && n > field.max) return t('form.max', { label, n: field.max });
      return null;
    }
    case 'choice': {
      const picked = Array.isArray(value) ? value : [String(value)];
      if (field.multiple) {
        if (field.minSelections !== undefined && picked.length < field.minSelections) return t('form.minSelections', { label, n: field.minSelections });
        if (field.maxSelections !== undefined && picked.length > field.maxSelections) return t('form.maxSelections', { label, n: field.maxSelections });
      }
      return null;
    }
    default:
      return null;
  }
}

/** The answers object sent with the booking: blanks dropped, numbers as numbers, single choices as strings. */
export function answersPayload(fields: readonly FormField[], answers: Answers): Record<string, AnswerValue> {
  const out: Record<string, AnswerValue> = {};
  for (const field of fields) {
    const value = answers[field.key];
    if (isBlank(value) || field.type === 'file') continue;
    if (field.type === 'number') out[field.key] = typeof value === 'number' ? value : Number(String(value).trim());
    else if (field.type === 'text' || field.type === 'phone') out[field.key] = String(value).trim();
    else out[field.key] = value as AnswerValue;
  }
  return out;
}
