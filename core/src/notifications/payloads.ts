import type { NotificationKind } from './kinds.ts';
import { formatAmountFen, formatTimeValue, truncateCodePoints } from '../wechat-messages/fields.ts';
import { type NotificationFacts, variableValues } from './variables.ts';

/**
 * The parameters of each kind's approved SMS template, in order. Tencent
 * checks the count and the format; values stay short (a store name is cut
 * at 12 characters, Tencent's limit for a variable is 6–35 depending on
 * the template type).
 */
export function smsParams(kind: NotificationKind, facts: NotificationFacts): string[] {
  const v = variableValues(facts);
  const cut = (s: string) => [...s].slice(0, 12).join('');
  switch (kind) {
    case 'REMINDER':
    case 'BOOKING_CONFIRMED':
    case 'BOOKING_CHANGED':
    case 'BOOKING_CANCELLED':
    case 'WAITLIST_OFFER':
      return [cut(v.storeName), cut(v.serviceName), v.startTime];
    case 'REFUND_ISSUED':
      // "您在{1}的退款{2}元已原路退回，预计{3}到账。"
      return [cut(v.storeName), yuanText(facts.amountFen ?? 0), '1-3个工作日'];
    case 'REVIEW_REQUEST':
      return [cut(v.storeName), cut(v.serviceName)];
    default:
      return [cut(v.storeName)];
  }
}

/**
 * The fields of each kind's subscribe template: `thing` ≤ 20 characters,
 * `time` a date-time, as WeChat's keyword types require. The remark is the
 * merchant's own wording (already rendered), cut to fit.
 */
export function subscribeData(kind: NotificationKind, facts: NotificationFacts, remark: string): Record<string, string> {
  const v = variableValues(facts);
  const thing = (s: string) => truncateCodePoints(s, 20).value;
  const base: Record<string, string> = { thing1: thing(v.serviceName), thing2: thing(v.storeName), thing4: thing(remark) };
  if (kind === 'REFUND_ISSUED') return { ...base, amount3: formatAmountFen(facts.amountFen ?? 0) };
  return { ...base, time3: facts.startMs === null ? '' : formatTimeValue(facts.startMs, facts.timezone) };
}

/** 8800 → "88.00" with integer arithmetic only. */
function yuanText(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
