/** Per-staff duration overrides of a service (migration 2026_11_30_011000). */
export interface ServiceResourceDurationTable {
  service_id: number;
  resource_id: number;
  merchant_id: number;
  store_id: number;
  duration_minutes: number;
  updated_at: Date;
}
