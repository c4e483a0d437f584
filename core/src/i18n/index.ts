import { en } from './en.ts';
import { type Messages, zhCN } from './zh-CN.ts';

export type Locale = 'zh-CN' | 'en';
export const defaultLocale: Locale = 'zh-CN';

const catalogs: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

export function messagesFor(locale: Locale): Messages {
  return catalogs[locale];
}

/** Picks a supported locale from an Accept-Language header; Chinese unless English is preferred. */
export function negotiateLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return defaultLocale;
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : defaultLocale;
}

/** Fills `{name}` placeholders; unknown placeholders stay visible so a missing value is noticed. */
export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
