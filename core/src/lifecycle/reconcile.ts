import { randomUUID } from 'node:crypto';
import { storeCellsFrom } from '../../../db/src/repositories/inventory.repository.ts';
import { hasEpoch, redisTimeMs, repairDay, setEpoch } from '../../../db/redis/inventory.ts';
import { cellField } from '../inventory/cells.ts';
import { DAY_MS, localDayBounds } from '../time/zoned.ts';
import { findStore } from '../../../db/src/repositories/catalog.repository.ts';
import type { LifecycleDeps } from './deps.ts';

export interface ReconcileReport {
  storeId: number;
  mode: 'repair' | 'rebuild';
  days: number;
  cellsChecked: number;
  /** Cells whose Redis counters disagreed with MySQL (+ unpersisted holds) and were rewritten. */
  cellsChanged: number;
  rebuilt: boolean;
}

/** How long a day's inventory hash lives in Redis: until two days after the day ends. */
function inventoryTtlSeconds(localDate: string, timeZone: string, nowMs: number): number {
  const { end } = localDayBounds(localDate, timeZone);
  return Math.max(60, Math.ceil((end + 2 * DAY_MS - nowMs) / 1000));
}

/**
 * Compares a store's Redis counters with MySQL for every cell from yesterday
 * on and rewrites the ones that drifted. If the store's epoch is gone (Redis
 * lost its data), it rebuilds instead.
 */
export async function reconcileStore(
  deps: LifecycleDeps,
  storeId: number,
  mode: 'repair' | 'rebuild' = 'repair',
  onlyDates?: readonly string[],
): Promise<ReconcileReport> {
  const store = await findStore(deps.db, storeId);
  const report: ReconcileReport = { storeId, mode, days: 0, cellsChecked: 0, cellsChanged: 0, rebuilt: false };
  if (!store) return report;
  // Redis time before the MySQL read: holds persisted after this instant may be missing from the snapshot.
  const snapshotMs = await redisTimeMs(deps.redis);
  const now = deps.clock.now();
  const cells = await storeCellsFrom(deps.db, storeId, now - DAY_MS);
  const byDay = new Map<string, { field: string; capacity: number; booked: number }[]>();
  for (const cell of cells) {
    if (onlyDates && !onlyDates.includes(cell.localDate)) continue;
    const list = byDay.get(cell.localDate) ?? [];
    list.push({ field: cellField(cell.resourceId, cell.startMinute), capacity: cell.capacity, booked: cell.booked });
    byDay.set(cell.localDate, list);
  }
  for (const [localDate, dayCells] of [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const result = await repairDay(deps.redis, deps.keys, {
      storeId,
      localDate,
      snapshotMs,
      mode,
      ttlSeconds: inventoryTtlSeconds(localDate, store.timezone, now),
      cells: dayCells,
    });
    if (result.kind === 'epoch-missing') return { ...(await rebuildStore(deps, storeId)), rebuilt: true };
    report.days++;
    report.cellsChecked += result.checked;
    report.cellsChanged += result.changed;
  }
  return report;
}

/**
 * Rebuilds a store's Redis inventory from MySQL after data loss. Reservations
 * are refused (503) until the epoch is written back at the end; one process
 * rebuilds at a time.
 */
export async function rebuildStore(deps: LifecycleDeps, storeId: number): Promise<ReconcileReport> {
  const lockKey = deps.keys.store(storeId).rebuildLock;
  const token = randomUUID();
  const locked = await deps.redis.set(lockKey, token, 'PX', 60_000, 'NX');
  if (!locked) return { storeId, mode: 'rebuild', days: 0, cellsChecked: 0, cellsChanged: 0, rebuilt: false };
  try {
    const report = await reconcileStore(deps, storeId, 'rebuild');
    await setEpoch(deps.redis, deps.keys, storeId, String(deps.clock.now()));
    return { ...report, rebuilt: true };
  } finally {
    if ((await deps.redis.get(lockKey)) === token) await deps.redis.del(lockKey);
  }
}

/** Rebuilds the store if its epoch is missing; true if it did. */
export async function ensureInventory(deps: LifecycleDeps, storeId: number): Promise<boolean> {
  if (await hasEpoch(deps.redis, deps.keys, storeId)) return false;
  return (await rebuildStore(deps, storeId)).rebuilt;
}
