import type { Response } from 'express';
import type { StoreCatalog } from '../../../core/src/catalog/types.ts';
import { AppError } from '../../../core/src/errors.ts';
import { staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';

/**
 * The catalog of a store the calling staff member may manage: their merchant's, and for store-bound
 * staff only their own store. Any other store answers 404 like a missing one (tenant isolation).
 */
export async function ownStoreCatalog(deps: Pick<GatewayDeps, 'catalog'>, res: Response, storeId: number): Promise<StoreCatalog> {
  const staff = staffOf(res);
  const catalog = await deps.catalog.get(storeId);
  if (catalog.store.merchantId !== staff.merchantId || (staff.storeId !== null && staff.storeId !== storeId)) {
    throw new AppError('STORE_NOT_FOUND', `store ${storeId} not found`);
  }
  return catalog;
}
