import type { Generated, Selectable } from 'kysely';

export type MemberTier = 'vip';

export interface MerchantMemberTable {
  merchant_id: number;
  customer_id: number;
  tier: MemberTier;
  note: Generated<string>;
  created_at: Date;
  updated_at: Date;
}

export interface ServicePrioritySettingsTable {
  service_id: number;
  store_id: number;
  merchant_id: number;
  vip_reserved_units: number;
  vip_cutoff_minutes: number;
  updated_at: Date;
}

export interface StoreBookingLimitsTable {
  store_id: number;
  merchant_id: number;
  customer_weekly_limit: number;
  updated_at: Date;
}

/** Append-only (triggers refuse UPDATE and DELETE). */
export interface AuditLogTable {
  id: Generated<number>;
  merchant_id: number;
  store_id: number | null;
  actor_staff_id: number;
  action: string;
  target: string;
  reason: string;
  at: Date;
}

export type MerchantMemberRow = Selectable<MerchantMemberTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
