import type { RescheduleDeps } from '../../../core/src/lifecycle/reschedule.ts';
import { JobNames, rebuildJobId, rebuildJobOptions } from '../../../workers/src/jobs/contracts.ts';
import type { GatewayDeps } from '../deps.ts';

/** What rescheduleBooking needs, for the customer and the merchant route alike. */
export function rescheduleDepsOf(deps: GatewayDeps): RescheduleDeps {
  return {
    db: deps.db,
    redis: deps.redis,
    keys: deps.keys,
    clock: deps.clock,
    loadCatalog: (storeId) => deps.catalog.get(storeId),
    requestRebuild: async (storeId) => {
      await deps.maintenanceQueue.add(JobNames.rebuildInventory, { storeId, reason: 'moveHold found no epoch' }, { ...rebuildJobOptions, jobId: rebuildJobId(storeId) });
    },
  };
}
