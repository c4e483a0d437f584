import type { Generated, Selectable } from 'kysely';

export interface StoreTable {
  id: Generated<number>;
  merchant_id: number;
  name: string;
  industry: string;
  timezone: string;
  address: string;
  lat: number;
  lng: number;
  phone: string | null;
  cell_minutes: Generated<number>;
  horizon_days: Generated<number>;
  per_customer_daily_limit: Generated<number>;
  hold_seconds: Generated<number>;
  status: Generated<'active' | 'closed'>;
  created_at: Date;
  /** Sum and number of review ratings (1–5), kept in step with `reviews` by the review transaction. */
  rating_sum: Generated<number>;
  rating_count: Generated<number>;
}

export type StoreRow = Selectable<StoreTable>;
