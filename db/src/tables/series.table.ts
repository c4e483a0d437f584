import type { Generated, Insertable, Selectable } from 'kysely';

export type SeriesStatus = 'CREATING' | 'ACTIVE' | 'FAILED' | 'CANCELLED';
export type SeriesConflictMode = 'skip' | 'all-or-nothing';
export type SeriesItemOutcome = 'BOOKED' | 'REFUSED' | 'RELEASED' | 'CANCELLED';

export interface BookingSeriesTable {
  id: Generated<number>;
  merchant_id: number;
  store_id: number;
  service_id: number;
  customer_id: number;
  resource_id: number | null;
  first_start_at: Date;
  occurrences: number;
  every_weeks: number;
  on_conflict: SeriesConflictMode;
  note: string;
  status: SeriesStatus;
  idempotency_key: string;
  request_hash: string;
  created_at: Date;
  updated_at: Date;
}

export interface BookingSeriesItemTable {
  series_id: number;
  idx: number;
  starts_at: Date;
  local_date: string;
  outcome: SeriesItemOutcome;
  reason: string | null;
  booking_id: string | null;
  updated_at: Date;
}

export interface BookingSequenceTable {
  booking_id: string;
  store_id: number;
  customer_id: number;
  same_staff: boolean;
  /** JSON: [{ serviceId, startMs, endMs, priceFen }] */
  steps: string;
  created_at: Date;
}

/**
 * The tables of series and sequences, kept out of `Database` so these files stay self-contained;
 * repositories widen the handle with `db.withTables<SeriesTables>()`.
 */
export type SeriesTables = {
  booking_series: BookingSeriesTable;
  booking_series_items: BookingSeriesItemTable;
  booking_sequences: BookingSequenceTable;
};

export type BookingSeriesRow = Selectable<BookingSeriesTable>;
export type NewBookingSeries = Insertable<BookingSeriesTable>;
export type BookingSeriesItemRow = Selectable<BookingSeriesItemTable>;
