import type { Generated, Selectable } from 'kysely';

export interface ServiceTable {
  id: Generated<number>;
  merchant_id: number;
  store_id: number;
  name: string;
  category: string;
  description: Generated<string>;
  duration_minutes: number;
  price_fen: number;
  buffer_before_minutes: Generated<number>;
  buffer_after_minutes: Generated<number>;
  slot_interval_minutes: Generated<number>;
  min_notice_minutes: Generated<number>;
  max_party_size: Generated<number>;
  status: Generated<'active' | 'inactive'>;
  created_at: Date;
}

export interface ServiceRequirementTable {
  id: Generated<number>;
  merchant_id: number;
  service_id: number;
  resource_kind: 'staff' | 'room' | 'equipment';
  skill: string | null;
  quantity: Generated<number>;
  /** TINYINT(1): mysql2 returns 0 or 1. */
  per_person: Generated<number>;
}

export type ServiceRow = Selectable<ServiceTable>;
