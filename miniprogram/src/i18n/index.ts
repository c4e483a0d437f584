import { zhCN, type MessageKey } from './zh-CN';

export type { MessageKey };

type Vars = Record<string, string | number>;

const catalogs: Record<string, Record<MessageKey, string>> = { 'zh-CN': zhCN };
// Only Simplified Chinese ships today; the lookup goes through the locale so another can be added.
const locale = 'zh-CN';

export function t(key: MessageKey, vars?: Vars): string {
  const template = catalogs[locale]?.[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
