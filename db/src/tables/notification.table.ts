import type { Generated, Insertable, Selectable } from 'kysely';

export type NotificationStatus = 'PENDING' | 'QUEUED' | 'SENDING' | 'SENT' | 'DELIVERED' | 'FAILED' | 'SKIPPED';
export type NotificationChannel = 'push' | 'inapp';
export type Audience = 'customer' | 'merchant';

export interface NotificationSettingsTable {
  merchant_id: number;
  reminder_offsets: Generated<string>;
  quiet_start_minute: Generated<number>;
  quiet_end_minute: Generated<number>;
  review_delay_minutes: Generated<number>;
  digest_minute: Generated<number>;
  /** TINYINT(1): 0 or 1. */
  sms_enabled: Generated<number>;
  subscribe_enabled: Generated<number>;
  updated_at: Date;
}

export interface NotificationTemplateTable {
  merchant_id: number;
  kind: string;
  title: string;
  body: string;
  enabled: Generated<number>;
  updated_at: Date;
}

export interface NotificationTable {
  id: Generated<number>;
  dedupe_key: string;
  merchant_id: number;
  store_id: number;
  booking_id: string | null;
  audience: Audience;
  customer_id: number | null;
  kind: string;
  channel: NotificationChannel;
  /** Where it actually went: subscribe, sms or inapp. */
  channel_used: string | null;
  status: NotificationStatus;
  reason: string | null;
  /** JSON of the template variables, fixed when planned (ids, names, times; never a phone number). */
  variables: string;
  due_at: Date;
  attempts: Generated<number>;
  provider_ref: string | null;
  sending_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NoticeTable {
  id: Generated<number>;
  notification_id: number | null;
  audience: Audience;
  customer_id: number | null;
  merchant_id: number;
  store_id: number | null;
  booking_id: string | null;
  kind: string;
  title: string;
  body: string;
  read_at: Date | null;
  created_at: Date;
}

export interface SubscribeConsentTable {
  customer_id: number;
  kind: string;
  remaining: number;
  updated_at: Date;
}

export interface SubscribeConsentEventTable {
  id: Generated<number>;
  customer_id: number;
  kind: string;
  delta: number;
  notification_id: number | null;
  occurred_at: Date;
}

export interface NotificationOptoutTable {
  customer_id: number;
  merchant_id: number;
  channel: 'sms' | 'subscribe' | 'all';
  created_at: Date;
}

export interface NotificationCursorTable {
  name: string;
  last_event_id: number;
  updated_at: Date;
}

export type NotificationRow = Selectable<NotificationTable>;
export type NewNotification = Insertable<NotificationTable>;
export type NoticeRow = Selectable<NoticeTable>;
export type NotificationSettingsRow = Selectable<NotificationSettingsTable>;
