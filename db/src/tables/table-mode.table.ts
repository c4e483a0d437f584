import type { Selectable } from 'kysely';

export interface StoreTableModeTable {
  store_id: number;
  merchant_id: number;
  /** JSON of core/src/restaurant/table-mode.ts `TableMode`. */
  config: string;
  updated_at: Date;
}

export type StoreTableModeRow = Selectable<StoreTableModeTable>;
