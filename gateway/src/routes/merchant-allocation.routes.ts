import { Router } from 'express';
import { z } from 'zod';
import { ALLOCATION_STRATEGIES } from '../../../core/src/allocation/strategy.ts';
import type { StoreCatalog } from '../../../core/src/catalog/types.ts';
import { AppError } from '../../../core/src/errors.ts';
import { loadAllocation, saveResourceAllocation, saveStoreStrategy } from '../../../db/src/repositories/catalog.repository.ts';
import { requireStaff, staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { parse } from '../http/validate.ts';
import { ownStoreCatalog } from '../stores/own-store.ts';

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const StoreParams = z.object({ storeId: id }).strict();
const StoreResourceParams = z.object({ storeId: id, resourceId: id }).strict();
const StrategyBody = z.object({ strategy: z.enum(ALLOCATION_STRATEGIES) }).strict();
const ResourceAllocationBody = z
  .object({
    weight: z.number().int().min(1).max(100).default(1),
    dailyCap: z.number().int().min(1).max(1000).nullable().default(null),
  })
  .strict();
const AllocationSchema = z.object({
  strategy: z.enum(ALLOCATION_STRATEGIES),
  resources: z.array(z.object({ resourceId: z.number().int(), name: z.string(), kind: z.string(), weight: z.number().int(), dailyCap: z.number().int().nullable() })),
});

const strategies =
  'first_fit: by resource id (default); least_loaded: fewest booked minutes that day first; round_robin: fewest bookings per unit of weight that day first; ' +
  'preferred: the customer’s last staff member (most recent completed booking at this store) first, then least-loaded; gap_minimizing: the candidate that touches ' +
  'existing bookings and leaves the smallest idle gap first. Only applies when the customer picks “any”.';

describeRoute({
  method: 'get',
  path: '/v1/merchant/stores/{storeId}/allocation',
  summary: 'How the store allocates “any staff” bookings, with every resource’s weight and daily cap',
  auth: true,
  request: { params: StoreParams },
  ok: { status: 200, schema: AllocationSchema, description: 'Strategy and per-resource settings' },
  errors: [400, 401, 403, 404],
});
describeRoute({
  method: 'put',
  path: '/v1/merchant/stores/{storeId}/allocation',
  summary: 'Choose the store’s allocation strategy (owner or manager)',
  description: strategies,
  auth: true,
  request: { params: StoreParams, body: { content: { 'application/json': { schema: StrategyBody } } } },
  ok: { status: 200, schema: AllocationSchema, description: 'Saved; new bookings use it within the catalog cache TTL' },
  errors: [400, 401, 403, 404],
});
describeRoute({
  method: 'put',
  path: '/v1/merchant/stores/{storeId}/allocation/resources/{resourceId}',
  summary: 'Set a resource’s round-robin weight and daily booking cap (owner or manager)',
  description:
    'weight 1–100 (round_robin shares bookings in proportion); dailyCap = most bookings per local day, null = none. A cap is capacity: it holds for every strategy and for customers who chose this staff member, checked atomically in the reserve step (409 SLOT_SOLD_OUT at the cap).',
  auth: true,
  request: { params: StoreResourceParams, body: { content: { 'application/json': { schema: ResourceAllocationBody } } } },
  ok: { status: 200, schema: AllocationSchema, description: 'Saved' },
  errors: [400, 401, 403, 404],
});

export function merchantAllocationRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const managers = requireStaff(deps.tokens, ['owner', 'manager']);

  const ownStore = (res: Parameters<typeof staffOf>[0], storeId: number) => ownStoreCatalog(deps, res, storeId);

  async function view(catalog: StoreCatalog): Promise<z.infer<typeof AllocationSchema>> {
    const config = await loadAllocation(deps.db, catalog.store.id);
    return {
      strategy: config.strategy,
      resources: catalog.resources.map((r) => ({
        resourceId: r.id,
        name: r.name,
        kind: r.kind,
        weight: config.resources.get(r.id)?.weight ?? 1,
        dailyCap: config.resources.get(r.id)?.dailyCap ?? null,
      })),
    };
  }

  router.get('/v1/merchant/stores/:storeId/allocation', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    res.json(await view(await ownStore(res, storeId)));
  });

  router.put('/v1/merchant/stores/:storeId/allocation', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const { strategy } = parse(StrategyBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    await saveStoreStrategy(deps.db, catalog.store.merchantId, storeId, strategy, new Date(deps.clock.now()));
    deps.catalog.invalidate(storeId);
    res.json(await view(catalog));
  });

  router.put('/v1/merchant/stores/:storeId/allocation/resources/:resourceId', managers, async (req, res) => {
    const { storeId, resourceId } = parse(StoreResourceParams, req.params, 'params');
    const body = parse(ResourceAllocationBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    if (!catalog.resources.some((r) => r.id === resourceId)) throw new AppError('RESOURCE_NOT_FOUND', `resource ${resourceId} is not in store ${storeId}`);
    await saveResourceAllocation(deps.db, { merchantId: catalog.store.merchantId, storeId, resourceId, weight: body.weight, dailyCap: body.dailyCap }, new Date(deps.clock.now()));
    deps.catalog.invalidate(storeId);
    res.json(await view(catalog));
  });

  return router;
}
