import type { NotificationKind } from './kinds.ts';

/**
 * The two outside channels as the notification workers see them; adapters in
 * core/src/sms (Tencent Cloud SMS) and core/src/wechat-messages (subscribe
 * messages) map the wire protocols onto these.
 */
export type SmsOutcome = { kind: 'accepted'; serialNo: string } | { kind: 'failed'; code: string; message: string; retryable: boolean };

export interface SmsChannel {
  send(input: { phone: string; templateId: string; params: string[]; sessionContext: string }): Promise<SmsOutcome>;
}

export type SubscribeOutcome =
  | { kind: 'sent'; msgid: string | null }
  | { kind: 'failed'; errcode: number; reason: string; retryable: boolean; noConsent: boolean };

export interface SubscribeChannel {
  send(input: { openid: string; templateId: string; page: string; data: Record<string, string> }): Promise<SubscribeOutcome>;
}

/** Provider template ids per kind (approved at Tencent / chosen in the mini program console). */
export interface ChannelTemplates {
  sms: Partial<Record<NotificationKind, string>>;
  subscribe: Partial<Record<NotificationKind, string>>;
}

/** Tencent's answer when the same number got the same template within 30 s: the earlier send did go out. */
export const SMS_SAME_CONTENT_THROTTLE = 'LimitExceeded.PhoneNumberThirtySecondLimit';
