import type { Generated, Selectable } from 'kysely';

export interface InventoryCellTable {
  resource_id: number;
  starts_at: Date;
  merchant_id: number;
  store_id: number;
  local_date: string;
  capacity: number;
  booked: Generated<number>;
}

export type InventoryCellRow = Selectable<InventoryCellTable>;
