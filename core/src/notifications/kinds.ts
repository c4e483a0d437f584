/**
 * What Zhiyue tells whom. Customer kinds go out as a "push" (a WeChat
 * subscribe message while the customer has a one-time consent left, else an
 * SMS) plus an in-app notice; merchant kinds are in-app notices in the
 * merchant console. The SMS parameters and subscribe fields of each kind are
 * fixed here because both are approved templates at the provider: merchants
 * change wording (in-app text, the subscribe remark), never the template.
 */
export const CustomerKinds = [
  'BOOKING_CONFIRMED',
  'BOOKING_CHANGED',
  'BOOKING_CANCELLED',
  'PAYMENT_RECEIVED',
  'REFUND_ISSUED',
  'PAYMENT_EXPIRED',
  'WAITLIST_OFFER',
  'REMINDER',
  'REVIEW_REQUEST',
] as const;
export const MerchantKinds = ['NEW_BOOKING', 'BOOKING_CANCELLED_BY_CUSTOMER', 'DAILY_DIGEST', 'WEEKLY_REPORT'] as const;

export type CustomerKind = (typeof CustomerKinds)[number];
export type MerchantKind = (typeof MerchantKinds)[number];
export type NotificationKind = CustomerKind | MerchantKind;

export const NotificationKinds: readonly NotificationKind[] = [...CustomerKinds, ...MerchantKinds];

export function isCustomerKind(kind: string): kind is CustomerKind {
  return (CustomerKinds as readonly string[]).includes(kind);
}

export function isNotificationKind(kind: string): kind is NotificationKind {
  return (NotificationKinds as readonly string[]).includes(kind);
}

/** Kinds that also go out as a push (subscribe message / SMS); the rest are in-app only. */
const pushed: ReadonlySet<NotificationKind> = new Set<NotificationKind>([
  'BOOKING_CONFIRMED',
  'BOOKING_CHANGED',
  'BOOKING_CANCELLED',
  'REFUND_ISSUED',
  'WAITLIST_OFFER',
  'REMINDER',
  'REVIEW_REQUEST',
]);

export function isPushed(kind: NotificationKind): boolean {
  return pushed.has(kind);
}

/** Template variables a merchant may use in their own wording. */
export const TemplateVariables = ['storeName', 'serviceName', 'startTime', 'amount', 'checkinCode', 'customerLabel', 'count', 'date', 'deadline'] as const;
export type TemplateVariable = (typeof TemplateVariables)[number];
