import type { Redis } from 'ioredis';
import type { StoreCatalog } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import { cellField } from '../inventory/cells.ts';
import type { BookingPlan } from '../inventory/plan.ts';
import type { RedisKeys } from '../../../db/redis/keys.ts';

/**
 * Why reserve.lua refused a table-mode booking: PACING_FULL when the arrival window cannot take the
 * party's covers, else SLOT_SOLD_OUT (no table). Read after the refusal, so it only names the reason;
 * the refusal itself was atomic.
 */
export async function soldOutError(deps: { redis: Redis; keys: RedisKeys }, catalog: StoreCatalog, plan: BookingPlan): Promise<AppError> {
  const soldOut = new AppError('SLOT_SOLD_OUT', 'no capacity left for this slot');
  const pacing = catalog.tableMode?.pacing;
  if (!pacing) return soldOut;
  const group = plan.groups.find((g) => g.candidates.length === 1 && g.candidates[0]!.cells.length === 1 && g.candidates[0]!.cells[0]!.resourceId === pacing.resourceId);
  if (!group) return soldOut;
  const cell = group.candidates[0]!.cells[0]!;
  const store = deps.keys.store(plan.storeId);
  const field = cellField(cell.resourceId, cell.startMinute);
  const [capacity, booked] = await Promise.all([deps.redis.hget(store.capacity(cell.localDate), field), deps.redis.hget(store.booked(cell.localDate), field)]);
  const maxCovers = Number(capacity ?? pacing.maxCovers);
  const left = Math.max(0, maxCovers - Number(booked ?? 0));
  if (left >= group.quantity) return soldOut;
  return new AppError('PACING_FULL', `the arrival window takes ${left} more covers, the party has ${group.quantity}`, { params: { maxCovers, left } });
}
