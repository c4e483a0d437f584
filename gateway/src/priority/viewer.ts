import type { Request } from 'express';
import type { StoreCatalog } from '../../../core/src/catalog/types.ts';
import { memberTier } from '../../../db/src/repositories/priority.repository.ts';
import type { GatewayDeps } from '../deps.ts';

/**
 * Whether the caller of a public route is a VIP member of the store's merchant. Availability is public: no
 * token or a token that does not verify is simply an anonymous (non-VIP) caller, never an error.
 */
export async function viewerIsVip(deps: Pick<GatewayDeps, 'db' | 'tokens'>, req: Request, catalog: StoreCatalog): Promise<boolean> {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) return false;
  const claims = await deps.tokens.verify(header.slice(7), 'customer').catch(() => null);
  if (claims?.kind !== 'customer') return false;
  return (await memberTier(deps.db, catalog.store.merchantId, claims.customerId)) === 'vip';
}
