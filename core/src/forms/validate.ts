import { format, type Locale, messagesFor } from '../i18n/index.ts';
import { addDays, isLocalDate } from '../time/zoned.ts';
import {
  type AnswerValue,
  type AnswerValues,
  type ChoiceField,
  type DateBound,
  type DateField,
  FILE_TOKEN,
  type FileField,
  type FormDefinition,
  type FormField,
  type NumberField,
  TEXT_PATTERNS,
  type TextField,
} from './definition.ts';

export interface FormIssue {
  /** `answers.<fieldKey>` (the gateway prefixes `body.`). */
  path: string;
  message: string;
}

export type FormValidation = { ok: true; values: AnswerValues } | { ok: false; issues: FormIssue[] };

export interface ValidationContext {
  /** The store's local date today, for relative date limits. */
  today: string;
  locale?: Locale;
}

type Messages = ReturnType<typeof messagesFor>['forms'];
type Check = { value: AnswerValue } | { issue: string };

const PHONE = /^(?:\+?86)?(1[3-9]\d{9})$/;

/**
 * Checks a customer's answers against a form definition. Pure: every issue is
 * reported on its field's path with a user-facing message, unknown keys are
 * refused, and the values come back normalised (trimmed text, 11-digit phones,
 * choices in the order the merchant listed them).
 */
export function validateAnswers(definition: Pick<FormDefinition, 'fields'> | null, answers: unknown, context: ValidationContext): FormValidation {
  const m = messagesFor(context.locale ?? 'zh-CN').forms;
  const fields = definition?.fields ?? [];
  const input = answers ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) return { ok: false, issues: [{ path: 'answers', message: m.notAnObject }] };
  const given = input as Record<string, unknown>;
  const known = new Set(fields.map((f) => f.key));
  const issues: FormIssue[] = [];
  for (const key of Object.keys(given)) {
    if (!known.has(key)) issues.push({ path: `answers.${key}`, message: m.unknownField });
  }
  const values: AnswerValues = {};
  for (const field of fields) {
    const raw = Object.hasOwn(given, field.key) ? given[field.key] : undefined;
    if (isEmpty(raw)) {
      if (field.required) issues.push({ path: `answers.${field.key}`, message: field.type === 'consent' ? format(m.consent, { text: field.text }) : m.required });
      continue;
    }
    const result = checkField(field, raw, m, context);
    if ('issue' in result) issues.push({ path: `answers.${field.key}`, message: result.issue });
    else values[field.key] = result.value;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, values };
}

function isEmpty(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '') || (Array.isArray(raw) && raw.length === 0);
}

function checkField(field: FormField, raw: unknown, m: Messages, context: ValidationContext): Check {
  switch (field.type) {
    case 'text':
      return checkText(field, raw, m);
    case 'phone': {
      const match = typeof raw === 'string' ? PHONE.exec(raw.replace(/[\s-]/g, '')) : null;
      return match ? { value: match[1]! } : { issue: m.phone };
    }
    case 'choice':
      return checkChoice(field, raw, m);
    case 'date':
      return checkDate(field, raw, m, context.today);
    case 'number':
      return checkNumber(field, raw, m);
    case 'consent':
      return raw === true ? { value: true } : { issue: format(m.consent, { text: field.text }) };
    case 'file':
      return checkFiles(field, raw, m);
  }
}

function checkText(field: TextField, raw: unknown, m: Messages): Check {
  if (typeof raw !== 'string') return { issue: m.notText };
  const text = raw.trim();
  // Characters as people count them (code points), not UTF-16 units: 𠀀 is one character.
  const length = [...text].length;
  if (field.minLength !== undefined && length < field.minLength) return { issue: format(m.tooShort, { min: field.minLength }) };
  if (length > field.maxLength) return { issue: format(m.tooLong, { max: field.maxLength }) };
  if (field.pattern && !TEXT_PATTERNS[field.pattern].test(text)) return { issue: m.pattern[field.pattern] };
  return { value: text };
}

function checkChoice(field: ChoiceField, raw: unknown, m: Messages): Check {
  const order = new Map(field.options.map((o, i) => [o.key, i]));
  if (!field.multiple) {
    return typeof raw === 'string' && order.has(raw) ? { value: raw } : { issue: m.choiceInvalid };
  }
  if (!Array.isArray(raw) || !raw.every((k): k is string => typeof k === 'string' && order.has(k))) return { issue: m.choiceInvalid };
  if (new Set(raw).size !== raw.length) return { issue: m.choiceDuplicate };
  if (field.minSelections !== undefined && raw.length < field.minSelections) return { issue: format(m.tooFewChoices, { min: field.minSelections }) };
  if (field.maxSelections !== undefined && raw.length > field.maxSelections) return { issue: format(m.tooManyChoices, { max: field.maxSelections }) };
  return { value: [...raw].sort((a, b) => order.get(a)! - order.get(b)!) };
}

export function resolveDateBound(bound: DateBound, today: string): string {
  return 'date' in bound ? bound.date : addDays(today, bound.relativeDays);
}

function checkDate(field: DateField, raw: unknown, m: Messages, today: string): Check {
  if (typeof raw !== 'string' || !isLocalDate(raw)) return { issue: m.date };
  const min = field.min && resolveDateBound(field.min, today);
  const max = field.max && resolveDateBound(field.max, today);
  // YYYY-MM-DD compares correctly as a string.
  if (min !== undefined && raw < min) return { issue: format(m.dateTooEarly, { date: min }) };
  if (max !== undefined && raw > max) return { issue: format(m.dateTooLate, { date: max }) };
  return { value: raw };
}

/** Decimal places of a number as written in JSON (1.50 arrives as 1.5). */
function decimalPlaces(value: number): number {
  const text = String(value);
  if (/e/i.test(text)) return Number.isInteger(value) ? 0 : Number.POSITIVE_INFINITY;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function checkNumber(field: NumberField, raw: unknown, m: Messages): Check {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) return { issue: m.number };
  if (decimalPlaces(raw) > field.decimals) return { issue: field.decimals === 0 ? m.integer : format(m.decimals, { decimals: field.decimals }) };
  if (field.min !== undefined && raw < field.min) return { issue: format(m.numberTooSmall, { min: field.min }) };
  if (field.max !== undefined && raw > field.max) return { issue: format(m.numberTooLarge, { max: field.max }) };
  return { value: raw };
}

function checkFiles(field: FileField, raw: unknown, m: Messages): Check {
  const tokens = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(tokens) || !tokens.every((t): t is string => typeof t === 'string' && FILE_TOKEN.test(t))) return { issue: m.fileInvalid };
  if (new Set(tokens).size !== tokens.length) return { issue: m.fileInvalid };
  if (field.minFiles !== undefined && tokens.length < field.minFiles) return { issue: format(m.tooFewFiles, { min: field.minFiles }) };
  if (tokens.length > field.maxFiles) return { issue: format(m.tooManyFiles, { max: field.maxFiles }) };
  return { value: tokens };
}
