import type { Generated, Insertable, Selectable } from 'kysely';

export interface ReviewTable {
  id: Generated<number>;
  merchant_id: number;
  store_id: number;
  service_id: number;
  booking_id: string;
  customer_id: number;
  /** The staff member rated with staff_rating; null when the booking had no staff. */
  resource_id: number | null;
  rating: number;
  staff_rating: number | null;
  text: Generated<string>;
  created_at: Date;
}

export type ReviewRow = Selectable<ReviewTable>;
export type NewReview = Insertable<ReviewTable>;
