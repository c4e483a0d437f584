import type { Selectable } from 'kysely';
import type { AllocationStrategy } from '../../../core/src/allocation/strategy.ts';

export interface StoreAllocationSettingsTable {
  store_id: number;
  merchant_id: number;
  strategy: AllocationStrategy;
  updated_at: Date;
}

export interface ResourceAllocationSettingsTable {
  resource_id: number;
  store_id: number;
  merchant_id: number;
  weight: number;
  /** Most bookings per local day; null = no cap. */
  daily_cap: number | null;
  updated_at: Date;
}

export type StoreAllocationSettingsRow = Selectable<StoreAllocationSettingsTable>;
export type ResourceAllocationSettingsRow = Selectable<ResourceAllocationSettingsTable>;
