import type { Generated, Insertable, Selectable } from 'kysely';
import type { WaitlistStatus } from '../../../core/src/waitlist/entry.ts';

export interface WaitlistEntryTable {
  id: Generated<number>;
  merchant_id: number;
  store_id: number;
  service_id: number;
  customer_id: number;
  resource_id: number | null;
  starts_at: Date;
  party_size: number;
  /** Served first when higher (VIP later); 0 for everyone today. */
  priority: Generated<number>;
  status: WaitlistStatus;
  /** "<customer>:<service>:<start ms>" while WAITING or OFFERED, NULL once ended: one active entry per customer and slot. */
  active_key: string | null;
  booking_id: string | null;
  offer_attempts: Generated<number>;
  joined_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

export type WaitlistEntryRow = Selectable<WaitlistEntryTable>;
export type NewWaitlistEntry = Insertable<WaitlistEntryTable>;
