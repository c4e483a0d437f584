/** The read model of one store that the booking path needs, loaded from MySQL and cached. */
import type { AllocationConfig } from '../allocation/strategy.ts';
import type { TableMode } from '../restaurant/types.ts';
import type { PriorityConfig } from '../priority/admission.ts';

export type ResourceKind = 'staff' | 'room' | 'equipment';

export interface StoreInfo {
  id: number;
  merchantId: number;
  name: string;
  industry: string;
  timezone: string;
  /** Inventory granularity in minutes (5 or 15): every zone offset is a multiple of 15, so UTC and local grids agree. */
  cellMinutes: number;
  horizonDays: number;
  /** Max bookings one customer may hold at this store per local day; 0 = no limit. */
  perCustomerDailyLimit: number;
  /** How long an accepted request may stay PENDING before it expires. */
  holdSeconds: number;
}

export interface Requirement {
  kind: ResourceKind;
  /** Required skill tag (e.g. "perm"); null = any resource of the kind. */
  skill: string | null;
  quantity: number;
  /** A per-person requirement takes `quantity × partySize` units (class spots); otherwise `quantity`. */
  perPerson: boolean;
  /** Claims only the arrival cell (the 15-minute pacing window of the start), not the whole stay: restaurant pacing. */
  arrivalOnly?: boolean | undefined;
}

export interface ServiceDef {
  id: number;
  merchantId: number;
  storeId: number;
  name: string;
  category: string;
  durationMinutes: number;
  priceFen: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  slotIntervalMinutes: number;
  minNoticeMinutes: number;
  maxPartySize: number;
  requirements: Requirement[];
  /**
   * Per-staff durations (`service_resource_durations`): resource id → minutes, replacing `durationMinutes` for the
   * candidate of the first requirement it names (a senior stylist's 45-minute cut); the booking's other requirements
   * follow the same span. Absent = everyone takes `durationMinutes`. Ignored in restaurant table mode.
   */
  durationByResource?: Readonly<Record<number, number>> | undefined;
}

export interface ResourceDef {
  id: number;
  kind: ResourceKind;
  name: string;
  capacity: number;
  skills: string[];
}

export interface StoreCatalog {
  store: StoreInfo;
  services: ReadonlyMap<number, ServiceDef>;
  resources: readonly ResourceDef[];
  /** How "any staff" bookings are allocated (core/src/allocation); absent = first_fit, no caps. */
  allocation?: AllocationConfig | undefined;
  /** Restaurant table mode (core/src/restaurant): tables by party size, combinations, turn times, pacing; absent = off. */
  tableMode?: TableMode | undefined;
  /** VIP-reserved shares per service and the weekly customer limit (core/src/priority); absent = none. */
  priority?: PriorityConfig | undefined;
}

/** Resources that can satisfy a requirement, in a stable order (first-fit order for "any"). */
export function candidatesFor(requirement: Requirement, resources: readonly ResourceDef[]): ResourceDef[] {
  return resources
    .filter((r) => r.kind === requirement.kind && (requirement.skill === null || r.skills.includes(requirement.skill)))
    .sort((a, b) => a.id - b.id);
}
