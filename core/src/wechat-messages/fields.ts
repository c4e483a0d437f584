/**
 * Subscribe-message field values, fitted to what WeChat accepts per keyword
 * kind before we send them, so a long service name becomes "…" instead of a
 * 47003 and a lost reminder.
 *
 * The rules are those of wechat-and-libraries.md §4.1 ("Value rules by keyword
 * prefix", from the official sendMessage page):
 *   thing ≤ 20 chars · number ≤ 32 digits, decimals ok · letter ≤ 32 letters ·
 *   symbol ≤ 5 symbols · character_string ≤ 32 digits/letters/symbols ·
 *   time: 24-hour time, optional date, ranges joined by `~` · date: date,
 *   optional time · amount: 1 currency symbol + ≤ 10 digits, optional
 *   decimals, optional trailing 元 · phone_number ≤ 17 digits/symbols ·
 *   car_number ≤ 8 chars · name ≤ 10 Chinese chars or ≤ 20 letters ·
 *   phrase ≤ 5 Chinese chars · enum: only configured values.
 * Where the reference is silent, the choice made here is marked "silent:".
 * Lengths count Unicode code points, as the reference says for `thing`.
 */
import { localDateOf, localTimeOf } from '../time/zoned.ts';

export const FIELD_KINDS = [
  'thing',
  'number',
  'letter',
  'symbol',
  'character_string',
  'time',
  'date',
  'amount',
  'phone_number',
  'car_number',
  'name',
  'phrase',
  'enum',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export type FieldErrorCode = 'EMPTY' | 'TOO_LONG' | 'INVALID_CHARACTERS' | 'INVALID_FORMAT';

export interface FieldError {
  kind: FieldKind;
  code: FieldErrorCode;
  message: string;
  /** For TOO_LONG: the limit and the value's length, in code points (digits for amount). */
  limit?: number;
  length?: number;
}

export type FitResult = { ok: true; value: string; truncated: boolean } | { ok: false; error: FieldError };

export const ELLIPSIS = '…';

/** Limits in code points, from §4.1. */
export const FIELD_LIMITS = {
  thing: 20,
  number: 32,
  letter: 32,
  symbol: 5,
  character_string: 32,
  amountDigits: 10,
  phone_number: 17,
  car_number: 8,
  nameChinese: 10,
  nameLetters: 20,
  phrase: 5,
} as const;

// silent: which "symbols" count. We take printable ASCII punctuation; full-width
// punctuation (，（）) and spaces are refused in the symbol-only kinds.
const ASCII_SYMBOLS = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
const isDigit = (c: string) => c >= '0' && c <= '9';
// silent: whether non-ASCII letters (é, ß) are "letters". We take ASCII only.
const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isSymbol = (c: string) => ASCII_SYMBOLS.has(c);
const isHan = (c: string) => /^\p{Script=Han}$/u.test(c);

const codePoints = (value: string): string[] => Array.from(value);
const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/** Whitespace runs (newlines included) become one space; control characters go. */
function cleanText(value: string): string {
  return value.replace(/\s+/gu, ' ').replace(/\p{Cc}/gu, '').trim();
}

/**
 * At most `limit` code points, ending in "…" when cut. Cuts between grapheme
 * clusters, so an emoji sequence or a base letter with its accent stays whole
 * (the result may then be a little shorter than the limit).
 */
export function truncateCodePoints(value: string, limit: number): { value: string; truncated: boolean } {
  if (codePoints(value).length <= limit) return { value, truncated: false };
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(value)) {
    const size = codePoints(segment).length;
    if (used + size > limit - 1) break;
    kept += segment;
    used += size;
  }
  return { value: kept.trimEnd() + ELLIPSIS, truncated: true };
}

const ok = (value: string, truncated = false): FitResult => ({ ok: true, value, truncated });
const fail = (kind: FieldKind, code: FieldErrorCode, message: string, extra: { limit?: number; length?: number } = {}): FitResult => ({
  ok: false,
  error: { kind, code, message, ...extra },
});

function tooLong(kind: FieldKind, length: number, limit: number, unit = 'characters'): FitResult {
  return fail(kind, 'TOO_LONG', `${kind} allows at most ${limit} ${unit}, got ${length}`, { limit, length });
}

/** Every character passes `allowed` and there are at most `limit`. */
function checkCharacters(kind: FieldKind, value: string, limit: number, allowed: (c: string) => boolean, what: string): FitResult {
  const chars = codePoints(value);
  const bad = chars.find((c) => !allowed(c));
  if (bad !== undefined) return fail(kind, 'INVALID_CHARACTERS', `${kind} allows only ${what}, got ${JSON.stringify(bad)}`);
  if (chars.length > limit) return tooLong(kind, chars.length, limit);
  return ok(value);
}

// ---- time and date -------------------------------------------------------------------------------

// §4.1 shows `2019年10月1日 15:01`. silent: other date spellings. We also accept
// ISO `2026-12-02` (widely used with this API) and nothing else; no seconds.
const DATE = String.raw`(?:(\d{4})年(\d{1,2})月(\d{1,2})日|(\d{4})-(\d{2})-(\d{2}))`;
const TIME = String.raw`(?:([01]?\d|2[0-3]):([0-5]\d))`;
const TIME_POINT = new RegExp(`^(?:${DATE} ?)?${TIME}$`, 'u');
const DATE_POINT = new RegExp(`^${DATE}(?: ?${TIME})?$`, 'u');

function isRealDate(match: RegExpExecArray): boolean {
  const year = match[1] ?? match[4];
  if (year === undefined) return true;
  const month = Number(match[2] ?? match[5]);
  const day = Number(match[3] ?? match[6]);
  const date = new Date(Date.UTC(Number(year), month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function checkTimeOrDate(kind: 'time' | 'date', value: string): FitResult {
  const normalised = value.replace(/\s+/gu, ' ').replace(/ ?~ ?/gu, '~');
  const points = normalised.split('~');
  const pattern = kind === 'time' ? TIME_POINT : DATE_POINT;
  const example = kind === 'time' ? '"15:01", "2026年12月02日 15:01" or a range "15:00~16:00"' : '"2026年12月02日", optionally with " 15:01", or a range with "~"';
  if (points.length > 2) return fail(kind, 'INVALID_FORMAT', `${kind}: at most one "~" range, got ${JSON.stringify(value)}`);
  for (const point of points) {
    const match = pattern.exec(point);
    if (!match || !isRealDate(match)) return fail(kind, 'INVALID_FORMAT', `${kind} must look like ${example}, got ${JSON.stringify(value)}`);
  }
  return ok(normalised);
}

// ---- the kinds -----------------------------------------------------------------------------------

// §4.1: "1 currency symbol + ≤ 10 digits, optional decimals, optional trailing 元".
// silent: whether the symbol is required (WeChat's own examples and common use
// include "88.00元" without one; we accept both), which symbols, and whether
// the decimals count toward the 10 digits (we count them, the stricter reading).
const AMOUNT = /^([¥￥$€£])?(\d+)(?:\.(\d+))?(元)?$/u;

function fitName(value: string): FitResult {
  const chars = codePoints(value);
  // Official page (not in §4.1): Chinese mixed with letters counts as a Chinese
  // name. silent: '·' (as in 阿依古丽·买买提) and spaces in Latin names; both allowed.
  if (chars.some(isHan)) {
    const bad = chars.find((c) => !(isHan(c) || isLetter(c) || c === '·' || c === ELLIPSIS));
    if (bad !== undefined) return fail('name', 'INVALID_CHARACTERS', `name allows only Chinese characters and letters, got ${JSON.stringify(bad)}`);
    const cut = truncateCodePoints(value, FIELD_LIMITS.nameChinese);
    return ok(cut.value, cut.truncated);
  }
  const bad = chars.find((c) => !(isLetter(c) || isSymbol(c) || c === ' ' || c === ELLIPSIS));
  if (bad !== undefined) return fail('name', 'INVALID_CHARACTERS', `name allows only letters or symbols, got ${JSON.stringify(bad)}`);
  const cut = truncateCodePoints(value, FIELD_LIMITS.nameLetters);
  return ok(cut.value, cut.truncated);
}

function fitCarNumber(value: string): FitResult {
  const chars = codePoints(value);
  // Composition from the official page (not in §4.1, which gives only "≤ 8 chars"):
  // the first and last may be Chinese (粤A8Z888挂), the rest letters or digits.
  const bad = chars.findIndex((c, i) => !(isLetter(c) || isDigit(c) || (isHan(c) && (i === 0 || i === chars.length - 1))));
  if (bad >= 0) return fail('car_number', 'INVALID_CHARACTERS', `car_number allows Chinese only first and last, else letters and digits; got ${JSON.stringify(chars[bad])}`);
  if (chars.length > FIELD_LIMITS.car_number) return tooLong('car_number', chars.length, FIELD_LIMITS.car_number);
  return ok(value);
}

/**
 * Makes `value` acceptable for a keyword of this kind. Free text (`thing`,
 * `name`) is cut to the limit and ends in "…"; every other kind carries data
 * whose truncation would be a lie (an amount, a time, a booking number), so an
 * unfit value is an error for the caller to handle.
 *
 * @example
 * fitField('thing', '瑜伽私教课（含器械使用与淋浴间）附赠营养咨询一次') // → { ok: true, value: '瑜伽私教课（含器械使用与淋浴间）附赠营…', truncated: true }
 * fitField('amount', '88.00元') // → { ok: true, value: '88.00元', truncated: false }
 * fitField('phrase', '等待商家确认') // → { ok: false, error: { code: 'TOO_LONG', limit: 5, length: 6, … } }
 */
export function fitField(kind: FieldKind, value: string): FitResult {
  // silent: empty values. We refuse them for every kind (they render as a blank line).
  const text = cleanText(value);
  if (text === '') return fail(kind, 'EMPTY', `${kind} must not be empty`);
  switch (kind) {
    case 'thing': {
      // §4.1: "thing ≤ 20 chars (truncate server-side by code points)"; any characters.
      const cut = truncateCodePoints(text, FIELD_LIMITS.thing);
      return ok(cut.value, cut.truncated);
    }
    case 'number': {
      // §4.1: "≤ 32 digits (decimals ok)". silent: signs (refused) and whether the point counts (it does).
      if (!/^\d+(?:\.\d+)?$/u.test(text)) return fail(kind, 'INVALID_FORMAT', `number must be digits with an optional decimal part, got ${JSON.stringify(text)}`);
      return text.length > FIELD_LIMITS.number ? tooLong(kind, text.length, FIELD_LIMITS.number) : ok(text);
    }
    case 'letter':
      return checkCharacters(kind, text, FIELD_LIMITS.letter, isLetter, 'letters');
    case 'symbol':
      return checkCharacters(kind, text, FIELD_LIMITS.symbol, isSymbol, 'symbols');
    case 'character_string':
      return checkCharacters(kind, text, FIELD_LIMITS.character_string, (c) => isDigit(c) || isLetter(c) || isSymbol(c), 'digits, letters and symbols');
    case 'time':
    case 'date':
      // silent: a length limit for time/date; none is applied.
      return checkTimeOrDate(kind, text);
    case 'amount': {
      const match = AMOUNT.exec(text);
      if (!match) return fail(kind, 'INVALID_FORMAT', `amount must look like "88.00元" or "¥88.00", got ${JSON.stringify(text)}`);
      const digits = (match[2] ?? '').length + (match[3] ?? '').length;
      return digits > FIELD_LIMITS.amountDigits ? tooLong(kind, digits, FIELD_LIMITS.amountDigits, 'digits') : ok(text);
    }
    case 'phone_number': {
      // §4.1: "≤ 17 digits/symbols", e.g. +86-0766-66888866.
      const checked = checkCharacters(kind, text, FIELD_LIMITS.phone_number, (c) => isDigit(c) || isSymbol(c), 'digits and symbols');
      if (checked.ok && !/\d/u.test(text)) return fail(kind, 'INVALID_FORMAT', 'phone_number needs at least one digit');
      return checked;
    }
    case 'car_number':
      return fitCarNumber(text);
    case 'name':
      return fitName(text);
    case 'phrase':
      // §4.1: "≤ 5 Chinese chars". A status word (待确认, 已取消): cutting it would change its meaning.
      return checkCharacters(kind, text, FIELD_LIMITS.phrase, isHan, 'Chinese characters');
    case 'enum':
      // §4.1: "only configured values": the template's values are not known here; WeChat checks them.
      return ok(text);
  }
}

/** `thing1` → `thing`, `character_string12` → `character_string`; null for anything else. */
export function keywordKind(key: string): FieldKind | null {
  const match = /^([a-z_]+?)\d+$/u.exec(key);
  const kind = match?.[1];
  return kind !== undefined && (FIELD_KINDS as readonly string[]).includes(kind) ? (kind as FieldKind) : null;
}

export type FitDataResult =
  | { ok: true; data: Record<string, string>; truncated: string[] }
  | { ok: false; errors: Record<string, FieldError> };

/**
 * Fits every value of a template's data by the kind in its keyword id.
 * Keywords of a kind we do not know are passed on unchanged: WeChat may add
 * kinds, and it checks them itself (47003).
 */
export function fitTemplateData(data: Record<string, string>): FitDataResult {
  const fitted: Record<string, string> = {};
  const truncated: string[] = [];
  const errors: Record<string, FieldError> = {};
  for (const [key, value] of Object.entries(data)) {
    const kind = keywordKind(key);
    if (kind === null) {
      fitted[key] = value;
      continue;
    }
    const result = fitField(kind, value);
    if (!result.ok) errors[key] = result.error;
    else {
      fitted[key] = result.value;
      if (result.truncated) truncated.push(key);
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, data: fitted, truncated };
}

// ---- formatting ----------------------------------------------------------------------------------

/** 10 digits including two decimals: 99,999,999.99 yuan. */
const MAX_AMOUNT_FEN = 9_999_999_999;

/**
 * An `amount` value from integer fen, without floating point: 8800 → `88.00元`,
 * or `¥88.00` with `{ symbol: '¥' }`.
 */
export function formatAmountFen(fen: number, options: { symbol?: '¥' | '￥' } = {}): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`amount in fen must be a non-negative integer, got ${fen}`);
  if (fen > MAX_AMOUNT_FEN) throw new RangeError(`amount ${fen} fen has more than the 10 digits WeChat shows`);
  const yuan = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  return options.symbol ? `${options.symbol}${yuan}` : `${yuan}元`;
}

/** `2026-12-02` → `2026年12月02日`. */
export function formatDateValue(localDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(localDate);
  if (!match) throw new RangeError(`expected a local date YYYY-MM-DD, got ${JSON.stringify(localDate)}`);
  return `${match[1]}年${match[2]}月${match[3]}日`;
}

/** A `time` value for an instant: `2026年12月02日 10:00` in the store's time zone. */
export function formatTimeValue(instantMs: number, timeZone: string): string {
  return `${formatDateValue(localDateOf(instantMs, timeZone))} ${localTimeOf(instantMs, timeZone)}`;
}

/**
 * A `time` range for a booking: `2026年12月02日 10:00~11:30`, the end's date
 * repeated only when it falls on another local day.
 */
export function formatTimeRange(startMs: number, endMs: number, timeZone: string): string {
  const sameDay = localDateOf(startMs, timeZone) === localDateOf(endMs, timeZone);
  return `${formatTimeValue(startMs, timeZone)}~${sameDay ? localTimeOf(endMs, timeZone) : formatTimeValue(endMs, timeZone)}`;
}
