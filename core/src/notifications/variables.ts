import type { TemplateVariable } from './kinds.ts';
import { TemplateVariables } from './kinds.ts';

/**
 * The facts a notification is rendered from, fixed when it is planned (so a
 * reminder names the time it was planned for; a moved booking gets a new
 * one). Ids, names, times and amounts only: never a phone number.
 */
export interface NotificationFacts {
  storeName: string;
  serviceName: string;
  /** Appointment start, epoch ms, and the store's zone to show it in. */
  startMs: number | null;
  timezone: string;
  amountFen: number | null;
  checkinCode: string | null;
  customerLabel: string;
  count: number | null;
  /** A local date the notice is about (digests). */
  date: string | null;
  /** Until when the customer can act, epoch ms (a waitlist offer's window); absent on older rows. */
  deadlineMs?: number | null | undefined;
}

const yuan = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' });

/** "12月02日 10:00" in the store's zone. */
export function formatStart(startMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('zh-CN', { timeZone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(startMs);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('month')}月${get('day')}日 ${get('hour')}:${get('minute')}`;
}

export function formatFen(fen: number): string {
  return yuan.format(fen / 100);
}

export function variableValues(facts: NotificationFacts): Record<TemplateVariable, string> {
  return {
    storeName: facts.storeName,
    serviceName: facts.serviceName,
    startTime: facts.startMs === null ? '' : formatStart(facts.startMs, facts.timezone),
    amount: facts.amountFen === null ? '' : formatFen(facts.amountFen),
    checkinCode: facts.checkinCode ?? '',
    customerLabel: facts.customerLabel,
    count: facts.count === null ? '' : String(facts.count),
    date: facts.date ?? '',
    deadline: facts.deadlineMs == null ? '' : formatStart(facts.deadlineMs, facts.timezone),
  };
}

const placeholder = /\{(\w+)\}/g;

/** Placeholders in a merchant's text that are not template variables (the preview and the save refuse them). */
export function unknownVariables(text: string): string[] {
  return [...text.matchAll(placeholder)].map((m) => m[1]!).filter((name) => !(TemplateVariables as readonly string[]).includes(name));
}

export function render(text: string, facts: NotificationFacts): string {
  const values = variableValues(facts);
  return text.replace(placeholder, (whole, name: string) => (Object.hasOwn(values, name) ? values[name as TemplateVariable] : whole));
}
