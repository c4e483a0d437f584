import { z } from 'zod';
import { isLocalDate } from '../time/zoned.ts';

/**
 * A service's booking form: an ordered list of fields the customer fills in
 * when booking. Definitions are versioned (every edit is a new version) and
 * answers remember the version they were validated against, so old answers
 * keep their labels after the merchant edits the form.
 */

export const FIELD_KEY = /^[a-z][a-z0-9_]{0,31}$/;
export const MAX_FIELDS = 40;
export const MAX_TEXT_LENGTH = 2000;
export const MAX_FILES = 9;
/** Tokens the (future) upload service hands out; answers carry the token, never the file. */
export const FILE_TOKEN = /^file_[0-9A-Za-z]{16,64}$/;

/**
 * Text patterns a merchant may choose from. Merchants never supply a regular
 * expression: an arbitrary pattern could backtrack catastrophically on the
 * booking path (ReDoS). Each of these is linear and anchored.
 */
export const TEXT_PATTERNS = {
  digits: /^\d+$/,
  letters_digits: /^[A-Za-z0-9]+$/,
  chinese_name: /^[\u4e00-\u9fa5·]{2,20}$/,
  email: /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}$/,
  cn_id_card: /^\d{17}[\dXx]$/,
  cn_license_plate: /^[\u4e00-\u9fa5][A-Z][A-HJ-NP-Z0-9]{5,6}$/,
  cn_postal_code: /^\d{6}$/,
} as const;
export type TextPatternName = keyof typeof TEXT_PATTERNS;
export const TEXT_PATTERN_NAMES = Object.keys(TEXT_PATTERNS) as TextPatternName[];

const label = z.string().trim().min(1).max(60);
const help = z.string().trim().max(200).optional();
const key = z.string().regex(FIELD_KEY, '字段键须为小写字母开头的 1–32 位小写字母、数字或下划线');

/** A date limit: days from the booking day's "today" in the store's zone (0 = today), or a fixed local date. */
const DateBoundSchema = z.union([
  z.object({ relativeDays: z.number().int().min(-36500).max(36500) }).strict(),
  z.object({ date: z.string().refine(isLocalDate, '日期格式应为 YYYY-MM-DD') }).strict(),
]);
export type DateBound = z.infer<typeof DateBoundSchema>;

const base = { key, label, required: z.boolean().default(false), help };
const bounded = <T extends { min?: number | undefined; max?: number | undefined }>(v: T) => v.min === undefined || v.max === undefined || v.min <= v.max;

const TextFieldSchema = z
  .object({
    ...base,
    type: z.literal('text'),
    minLength: z.number().int().min(0).max(MAX_TEXT_LENGTH).optional(),
    maxLength: z.number().int().min(1).max(MAX_TEXT_LENGTH).default(200),
    pattern: z.enum(TEXT_PATTERN_NAMES as [TextPatternName, ...TextPatternName[]]).optional(),
  })
  .strict()
  .refine((f) => f.minLength === undefined || f.minLength <= f.maxLength, { message: 'minLength 不能大于 maxLength', path: ['minLength'] });

const PhoneFieldSchema = z.object({ ...base, type: z.literal('phone') }).strict();

const ChoiceFieldSchema = z
  .object({
    ...base,
    type: z.literal('choice'),
    multiple: z.boolean().default(false),
    options: z.array(z.object({ key, label }).strict()).min(1).max(50),
    minSelections: z.number().int().min(0).max(50).optional(),
    maxSelections: z.number().int().min(1).max(50).optional(),
  })
  .strict()
  .refine((f) => new Set(f.options.map((o) => o.key)).size === f.options.length, { message: '选项键不能重复', path: ['options'] })
  .refine((f) => f.multiple || (f.minSelections === undefined && f.maxSelections === undefined), { message: '单选不能设置选择数量', path: ['maxSelections'] })
  .refine((f) => bounded({ min: f.minSelections, max: f.maxSelections }), { message: 'minSelections 不能大于 maxSelections', path: ['minSelections'] })
  .refine((f) => (f.minSelections ?? 0) <= f.options.length, { message: 'minSelections 不能大于选项数', path: ['minSelections'] });

const DateFieldSchema = z.object({ ...base, type: z.literal('date'), min: DateBoundSchema.optional(), max: DateBoundSchema.optional() }).strict();

const NumberFieldSchema = z
  .object({
    ...base,
    type: z.literal('number'),
    decimals: z.number().int().min(0).max(4).default(0),
    min: z.number().min(-1e12).max(1e12).optional(),
    max: z.number().min(-1e12).max(1e12).optional(),
  })
  .strict()
  .refine(bounded, { message: 'min 不能大于 max', path: ['min'] });

// A consent exists to be given: it is always required (an optional one would record nothing).
const ConsentFieldSchema = z
  .object({ ...base, type: z.literal('consent'), required: z.literal(true).default(true), text: z.string().trim().min(1).max(2000) })
  .strict();

const FileFieldSchema = z
  .object({
    ...base,
    type: z.literal('file'),
    minFiles: z.number().int().min(0).max(MAX_FILES).optional(),
    maxFiles: z.number().int().min(1).max(MAX_FILES).default(1),
  })
  .strict()
  .refine((f) => f.minFiles === undefined || f.minFiles <= f.maxFiles, { message: 'minFiles 不能大于 maxFiles', path: ['minFiles'] });

export const FormFieldSchema = z.discriminatedUnion('type', [
  TextFieldSchema,
  PhoneFieldSchema,
  ChoiceFieldSchema,
  DateFieldSchema,
  NumberFieldSchema,
  ConsentFieldSchema,
  FileFieldSchema,
]);

/** What a merchant submits (PUT …/booking-form); an empty list removes the form. */
export const FormFieldsSchema = z
  .array(FormFieldSchema)
  .max(MAX_FIELDS)
  .refine((fields) => new Set(fields.map((f) => f.key)).size === fields.length, { message: '字段键不能重复' });

export type FormField = z.output<typeof FormFieldSchema>;
export type FormFieldInput = z.input<typeof FormFieldSchema>;
export type FieldType = FormField['type'];
export type TextField = Extract<FormField, { type: 'text' }>;
export type ChoiceField = Extract<FormField, { type: 'choice' }>;
export type DateField = Extract<FormField, { type: 'date' }>;
export type NumberField = Extract<FormField, { type: 'number' }>;
export type FileField = Extract<FormField, { type: 'file' }>;

export interface FormDefinition {
  serviceId: number;
  version: number;
  fields: FormField[];
}

/** One validated, normalised answer value (phones as 11 digits, choices in option order). */
export type AnswerValue = string | number | boolean | string[];
export type AnswerValues = Record<string, AnswerValue>;
