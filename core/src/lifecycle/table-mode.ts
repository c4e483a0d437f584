import type { StoreCatalog } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import { PACING_SKILL, type TableMode, tableModeProblems } from '../restaurant/table-mode.ts';
import { createResource } from '../../../db/src/repositories/catalog-admin.repository.ts';
import { saveTableMode, setPacingCapacity } from '../../../db/src/repositories/table-mode.repository.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import type { LifecycleDeps } from './deps.ts';
import { materializeStore } from './materialize.ts';
import { reconcileStore } from './reconcile.ts';

/** A table mode as the merchant sends it: pacing is a number of covers; the virtual resource is ours. */
export type TableModeInput = Omit<TableMode, 'pacing'> & { pacing: { maxCovers: number } | null };

/**
 * Validates and stores a store's table mode. Pacing lives on a virtual `equipment` resource with
 * skill `pacing` whose capacity is the max covers per 15 minutes: created (and its cells
 * materialized) the first time, otherwise its capacity and that of its future cells are set (never
 * below covers already booked), and the Redis mirror is repaired from MySQL.
 */
export async function setTableMode(deps: LifecycleDeps, catalog: StoreCatalog, input: TableModeInput): Promise<TableMode> {
  const { store } = catalog;
  const rooms = new Set(catalog.resources.filter((r) => r.kind === 'room').map((r) => r.id));
  let pacingId = catalog.resources.find((r) => r.kind === 'equipment' && r.skills.includes(PACING_SKILL))?.id;
  const draft: TableMode = { ...input, pacing: input.pacing && pacingId !== undefined ? { resourceId: pacingId, maxCovers: input.pacing.maxCovers } : null };
  const problems = tableModeProblems(draft, rooms, store.cellMinutes);
  if (problems.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'invalid table mode', { issues: problems.map(([path, message]) => ({ path: `body.${path}`, message })) });
  }
  const now = deps.clock.now();
  let created = false;
  const mode = await inTransaction(deps.db, async (trx) => {
    if (input.pacing && pacingId === undefined) {
      pacingId = await createResource(
        trx,
        { merchantId: store.merchantId, storeId: store.id, kind: 'equipment', name: '每 15 分钟到店人数', capacity: input.pacing.maxCovers, skills: [PACING_SKILL] },
        now,
      );
      created = true;
    } else if (input.pacing && pacingId !== undefined) {
      await setPacingCapacity(trx, store.id, pacingId, input.pacing.maxCovers, now);
    }
    const saved: TableMode = { ...input, pacing: input.pacing && pacingId !== undefined ? { resourceId: pacingId, maxCovers: input.pacing.maxCovers } : null };
    await saveTableMode(trx, store.merchantId, store.id, saved, new Date(now));
    return saved;
  });
  if (created) await materializeStore(deps, store.id);
  else if (input.pacing) await reconcileStore(deps, store.id, 'repair');
  return mode;
}
