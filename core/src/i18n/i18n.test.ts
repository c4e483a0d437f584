import { describe, expect, it } from 'vitest';
import { BookingStatuses } from '../booking/state-machine.ts';
import { ErrorCodes } from '../errors.ts';
import { en } from './en.ts';
import { type Locale, defaultLocale, format, messagesFor, negotiateLocale } from './index.ts';
import { zhCN } from './zh-CN.ts';

const locales: Locale[] = ['zh-CN', 'en'];
const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it.each(locales)('when the %s catalog is read, then every error code has a non-empty message', (locale) => {
    const errors: Record<string, string> = messagesFor(locale).errors;
    for (const code of ErrorCodes) expect({ code, ok: typeof errors[code] === 'string' && errors[code].trim().length > 0 }).toEqual({ code, ok: true });
    expect(Object.keys(errors).sort()).toEqual([...ErrorCodes].sort());
  });

  it.each(locales)('when the %s catalog is read, then every booking status has a label', (locale) => {
    const labels: Record<string, string> = messagesFor(locale).bookingStatus;
    for (const status of BookingStatuses) expect(labels[status]?.trim()).toBeTruthy();
  });

  it('when a message has placeholders, then both languages use the same ones', () => {
    for (const code of ErrorCodes) expect({ code, names: placeholders(en.errors[code]) }).toEqual({ code, names: placeholders(zhCN.errors[code]) });
  });

  it('when the Chinese catalog is read, then its messages are in Chinese, not copied English', () => {
    for (const code of ErrorCodes) {
      expect(zhCN.errors[code]).not.toBe(en.errors[code]);
      expect(zhCN.errors[code]).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('when a locale is looked up, then its own catalog is returned', () => {
    expect(messagesFor('en')).toBe(en);
    expect(messagesFor('zh-CN')).toBe(zhCN);
    expect(defaultLocale).toBe('zh-CN');
  });
});

describe('format', () => {
  it('when a placeholder has a value, then it is filled in', () => {
    expect(format(zhCN.errors.SLOT_TOO_SOON, { minutes: 30 })).toBe('距开始时间太近，需至少提前 30 分钟预约');
    expect(format('At most {max} people per booking', { max: 4 })).toBe('At most 4 people per booking');
  });

  it('when a placeholder appears twice, then both are filled', () => {
    expect(format('{n} of {n}', { n: 'x' })).toBe('x of x');
  });

  it('when several placeholders have values, then each gets its own', () => {
    expect(format('{a}-{b}', { a: 1, b: 'two' })).toBe('1-two');
  });

  it('when a value is missing, then its placeholder stays visible', () => {
    expect(format('Book {minutes} min ahead, {days} days max', { minutes: 60 })).toBe('Book 60 min ahead, {days} days max');
    expect(format('Only the next {days} days')).toBe('Only the next {days} days');
  });

  it('when a placeholder is named like an Object method, then it is not filled from the prototype', () => {
    expect(format('{constructor} {toString} {hasOwnProperty}', {})).toBe('{constructor} {toString} {hasOwnProperty}');
  });

  it('when a value itself looks like a placeholder, then it is not expanded again', () => {
    expect(format('{a}', { a: '{b}', b: 'x' })).toBe('{b}');
  });

  it('when the value is 0 or empty, then it still replaces the placeholder', () => {
    expect(format('[{n}][{s}]', { n: 0, s: '' })).toBe('[0][]');
  });
});

describe('negotiateLocale', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['', 'zh-CN'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['EN-GB', 'en'],
    ['  en-AU , zh;q=0.5', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['fr-FR,en;q=0.5', 'zh-CN'],
    ['*', 'zh-CN'],
  ] as const)('when Accept-Language is %j, then the locale is %s', (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });
});
