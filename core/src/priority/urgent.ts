import type { StoreCatalog } from '../catalog/types.ts';

/**
 * The catalog as a staff urgent insertion plans against it: the service's minimum notice is 0 (a slot that
 * starts in five minutes may still be given). Everything else (grid, horizon, party size, resources) stays.
 * A new object, so the plan memo (keyed by catalog) never mixes urgent plans with customers' ones.
 */
export function withoutNotice(catalog: StoreCatalog, serviceId: number): StoreCatalog {
  const service = catalog.services.get(serviceId);
  if (!service || service.minNoticeMinutes === 0) return catalog;
  const services = new Map(catalog.services);
  services.set(serviceId, { ...service, minNoticeMinutes: 0 });
  return { ...catalog, services };
}
