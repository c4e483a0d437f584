import type { Queue } from 'bullmq';
import type { Logger } from '../../../core/src/logging.ts';
import { bookingIdFactory } from '../../../core/src/ids.ts';
import type { LifecycleDeps } from '../../../core/src/lifecycle/deps.ts';
import { runWaitlistTick, type WaitlistDeps } from '../../../core/src/lifecycle/waitlist-offers.ts';
import { loadStoreCatalog } from '../../../db/src/repositories/catalog.repository.ts';
import { JobNames, rebuildJobId, rebuildJobOptions, type RebuildInventoryPayload } from '../jobs/contracts.ts';

/**
 * The waitlist leader's tick (every second by default). It runs the offers
 * itself instead of queueing them: each offer is one reserve.lua call, and
 * one leader serialises them, so waiters are served strictly in order; a
 * second leader (a lease handed over mid-tick) would reach the same bookings
 * through the offers' idempotency keys.
 */
export function createWaitlistTasks(deps: LifecycleDeps, maintenanceQueue: Queue<RebuildInventoryPayload>, log: Logger, options: { offerWindowMs: number }) {
  const waitlistDeps: WaitlistDeps = {
    ...deps,
    newBookingId: bookingIdFactory(deps.clock),
    loadCatalog: (storeId) => loadStoreCatalog(deps.db, storeId),
    requestRebuild: async (storeId) => {
      await maintenanceQueue.add(JobNames.rebuildInventory, { storeId, reason: 'waitlist offer found no epoch' }, { ...rebuildJobOptions, jobId: rebuildJobId(storeId) });
    },
  };

  async function tick(): Promise<void> {
    const report = await runWaitlistTick(waitlistDeps, { offerWindowMs: options.offerWindowMs });
    if (report.offered + report.offersExpired + report.entriesSettled + report.waitersExpired > 0) log.info(report, 'waitlist tick');
  }

  return { tick };
}
