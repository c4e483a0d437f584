import type { Generated } from 'kysely';

export interface OpeningHoursTable {
  id: Generated<number>;
  merchant_id: number;
  store_id: number;
  resource_id: number | null;
  weekday: number;
  open_minute: number;
  close_minute: number;
}

export interface ScheduleExceptionTable {
  id: Generated<number>;
  merchant_id: number;
  store_id: number;
  resource_id: number | null;
  /** DATE, read as a 'YYYY-MM-DD' string (dateStrings for DATE only). */
  local_date: string;
  closed: number;
  open_minute: number | null;
  close_minute: number | null;
  reason: Generated<string>;
}
