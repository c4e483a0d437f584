import { activeStoreIds } from '../../../db/src/repositories/catalog.repository.ts';
import { hasEpoch } from '../../../db/redis/inventory.ts';
import type { LifecycleDeps } from '../../../core/src/lifecycle/deps.ts';
import { expireDueHolds } from '../../../core/src/lifecycle/expire.ts';
import { materializeStore } from '../../../core/src/lifecycle/materialize.ts';
import { rebuildStore, reconcileStore } from '../../../core/src/lifecycle/reconcile.ts';
import type { Logger } from '../../../core/src/logging.ts';
import type { WorkerMetrics } from '../runtime/metrics.ts';

/**
 * The periodic work of the maintenance pool. Each task walks the active
 * stores; all of them are idempotent, so a missed or doubled tick is harmless.
 */
export function createMaintenanceTasks(deps: LifecycleDeps, metrics: WorkerMetrics, log: Logger, options: { reconcileStoresPerTick: number }) {
  let storeIds: number[] = [];
  let storeIdsLoadedAt = Number.NEGATIVE_INFINITY;
  let reconcileCursor = 0;

  async function stores(): Promise<number[]> {
    // The store list changes rarely; a minute-old list only delays a brand-new store's first sweep.
    // (Process time, not the domain clock: a frozen test clock must not freeze the refresh.)
    if (performance.now() - storeIdsLoadedAt > 60_000) {
      storeIds = await activeStoreIds(deps.db);
      storeIdsLoadedAt = performance.now();
    }
    return storeIds;
  }

  /** release-expired: holds past their deadline are settled against MySQL and freed. */
  async function sweepExpiredHolds(): Promise<void> {
    for (const storeId of await stores()) {
      const report = await expireDueHolds(deps, storeId, { leaseMs: 30_000, limit: 500 });
      if (report.leased === 0) continue;
      metrics.sweeps.inc({ result: 'expired' }, report.expired);
      metrics.sweeps.inc({ result: 'already_persisted' }, report.alreadyPersisted);
      metrics.sweeps.inc({ result: 'vanished' }, report.vanished);
      log.info({ storeId, ...report }, 'swept expired holds');
    }
  }

  /**
   * Rebuilds any store whose Redis epoch is gone (checked every tick, cheap),
   * then repairs drift for the next slice of stores in round-robin order.
   */
  async function reconcile(): Promise<void> {
    const all = await stores();
    for (const storeId of all) {
      if (await hasEpoch(deps.redis, deps.keys, storeId)) continue;
      const report = await rebuildStore(deps, storeId);
      if (report.rebuilt) {
        metrics.rebuilds.inc();
        log.warn({ storeId, cells: report.cellsChecked }, 'rebuilt store inventory from MySQL (Redis had lost it)');
      }
    }
    const slice = all.length <= options.reconcileStoresPerTick ? all : takeRoundRobin(all);
    for (const storeId of slice) {
      const report = await reconcileStore(deps, storeId, 'repair');
      metrics.reconciledCells.inc({ result: 'checked' }, report.cellsChecked);
      if (report.cellsChanged > 0) {
        metrics.reconciledCells.inc({ result: 'repaired' }, report.cellsChanged);
        log.warn({ storeId, changed: report.cellsChanged, checked: report.cellsChecked }, 'repaired Redis inventory drift');
      }
    }
  }

  function takeRoundRobin(all: number[]): number[] {
    const slice: number[] = [];
    for (let i = 0; i < options.reconcileStoresPerTick; i++) slice.push(all[(reconcileCursor + i) % all.length]!);
    reconcileCursor = (reconcileCursor + options.reconcileStoresPerTick) % all.length;
    return slice;
  }

  /** Extends every store's inventory to its booking horizon. */
  async function materialize(): Promise<void> {
    for (const storeId of await stores()) {
      const { inserted } = await materializeStore(deps, storeId);
      if (inserted > 0) log.info({ storeId, inserted }, 'materialized inventory cells');
    }
  }

  return { sweepExpiredHolds, reconcile, materialize };
}
