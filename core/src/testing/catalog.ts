import type { Requirement, ResourceDef, ResourceKind, ServiceDef, StoreCatalog, StoreInfo } from '../catalog/types.ts';

/**
 * Hand-built StoreCatalog pieces for unit tests. Every field is spelled out
 * with a plain default, so a test states only what it is about.
 */

export function storeInfo(overrides: Partial<StoreInfo> = {}): StoreInfo {
  return {
    id: 7,
    merchantId: 3,
    name: '剪艺沙龙',
    industry: 'salon',
    timezone: 'Asia/Shanghai',
    cellMinutes: 15,
    horizonDays: 14,
    perCustomerDailyLimit: 0,
    holdSeconds: 600,
    ...overrides,
  };
}

export function resource(id: number, kind: ResourceKind, skills: string[] = [], capacity = 1): ResourceDef {
  return { id, kind, name: `${kind}-${id}`, capacity, skills };
}

export function requirement(kind: ResourceKind, skill: string | null = null, quantity = 1, perPerson = false): Requirement {
  return { kind, skill, quantity, perPerson };
}

export function service(id: number, overrides: Partial<ServiceDef> = {}): ServiceDef {
  return {
    id,
    merchantId: 3,
    storeId: 7,
    name: `service-${id}`,
    category: 'hair',
    durationMinutes: 60,
    priceFen: 10_000,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    slotIntervalMinutes: 30,
    minNoticeMinutes: 0,
    maxPartySize: 1,
    requirements: [requirement('staff')],
    ...overrides,
  };
}

export function catalogOf(store: StoreInfo, resources: ResourceDef[], services: ServiceDef[]): StoreCatalog {
  return { store, resources, services: new Map(services.map((s) => [s.id, s])) };
}
