import { findStore } from '../../../db/src/repositories/catalog.repository.ts';
import { insertCells, loadScheduleInputs, type NewCell } from '../../../db/src/repositories/inventory.repository.ts';
import { hasEpoch } from '../../../db/redis/inventory.ts';
import { materializeDay } from '../inventory/build-cells.ts';
import { addDays, localDateOf } from '../time/zoned.ts';
import type { LifecycleDeps } from './deps.ts';
import { rebuildStore, reconcileStore } from './reconcile.ts';

/**
 * Creates the store's inventory cells from today through its booking horizon
 * (existing cells and their bookings stay as they are), then brings Redis up
 * to date. Runs daily so the horizon keeps moving; safe to run any time.
 */
export async function materializeStore(deps: LifecycleDeps, storeId: number): Promise<{ inserted: number }> {
  const store = await findStore(deps.db, storeId);
  if (!store) return { inserted: 0 };
  const today = localDateOf(deps.clock.now(), store.timezone);
  const lastDay = addDays(today, store.horizon_days);
  const inputs = await loadScheduleInputs(deps.db, storeId, today, lastDay);
  const cells: NewCell[] = [];
  for (let date = today; date <= lastDay; date = addDays(date, 1)) {
    for (const cell of materializeDay({ localDate: date, timeZone: store.timezone, cellMinutes: store.cell_minutes, ...inputs })) {
      cells.push({ ...cell, merchantId: store.merchant_id, storeId, localDate: date });
    }
  }
  const inserted = await insertCells(deps.db, cells);
  if (await hasEpoch(deps.redis, deps.keys, storeId)) {
    if (inserted > 0) await reconcileStore(deps, storeId, 'repair');
  } else {
    await rebuildStore(deps, storeId);
  }
  return { inserted };
}
