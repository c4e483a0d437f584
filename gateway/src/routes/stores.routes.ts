import { Router } from 'express';
import { z } from 'zod';
import { fieldsTouched, plannedSlots } from '../../../core/src/availability/slots.ts';
import { anyShareClosed, computeSlotsFor } from '../../../core/src/priority/availability.ts';
import { AppError } from '../../../core/src/errors.ts';
import { staffRating } from '../../../core/src/reviews/score.ts';
import { policiesOf } from '../../../db/src/repositories/payment.repository.ts';
import { payAtStore } from '../../../core/src/payments/policy.ts';
import { findStore } from '../../../db/src/repositories/catalog.repository.ts';
import { listStores } from '../../../db/src/repositories/discovery.repository.ts';
import { resourceRatingTotals } from '../../../db/src/repositories/review.repository.ts';
import { readInventoryFields } from '../../../db/redis/inventory.ts';
import { JobNames, rebuildJobId, rebuildJobOptions } from '../../../workers/src/jobs/contracts.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { AvailabilityQuery, AvailabilitySchema, IdParams, StoreDetailSchema, StoreListQuery, StoreSummarySchema } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';
import { paymentSummary, storeSummary } from '../stores/store-view.ts';
import { viewerIsVip } from '../priority/viewer.ts';

describeRoute({
  method: 'get',
  path: '/v1/stores',
  summary: 'Active stores: search, industry, rating and distance',
  description:
    'q matches the store name, its industry label or the name/category of one of its active services (substring, case-insensitive). ' +
    'With lat and lng (both or neither) every store carries distanceMeters (great-circle, haversine); sort=distance orders nearest first and maxDistanceKm drops farther stores, both need lat/lng. ' +
    'sort=rating orders by rating.score (a Bayesian average, so a few reviews do not outrank many), then id; minRating keeps only reviewed stores whose score reaches it.',
  request: { query: StoreListQuery },
  ok: { status: 200, schema: z.object({ stores: z.array(StoreSummarySchema) }), description: 'Stores' },
  errors: [400],
});
describeRoute({
  method: 'get',
  path: '/v1/stores/{id}',
  summary: 'A store with its services and bookable staff/rooms',
  request: { params: IdParams },
  ok: { status: 200, schema: StoreDetailSchema, description: 'Store detail' },
  errors: [400, 404],
});
describeRoute({
  method: 'get',
  path: '/v1/stores/{id}/availability',
  summary: 'Slots of a service on a local date, with remaining capacity',
  description:
    'Read from the Redis inventory mirror in one round trip; 0 remaining = fully booked. Times are ISO instants; localTime is in the store’s time zone. A service with a VIP-reserved share shows callers who are not VIP members of the merchant (an optional customer bearer token identifies them) the remaining without that share until its cut-off.',
  request: { params: IdParams, query: AvailabilityQuery },
  ok: { status: 200, schema: AvailabilitySchema, description: 'Slots' },
  errors: [400, 404, 503],
});

export function storeRoutes(deps: GatewayDeps): Router {
  const router = Router();

  router.get('/v1/stores', async (req, res) => {
    const { lat, lng, q, ...query } = parse(StoreListQuery, req.query, 'query');
    const rows = await listStores(deps.db, { ...query, q: q || undefined, near: lat !== undefined && lng !== undefined ? { lat, lng } : undefined });
    res.json({ stores: rows.map(storeSummary) });
  });

  router.get('/v1/stores/:id', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const catalog = await deps.catalog.get(id);
    const [row, ratings, policies] = await Promise.all([findStore(deps.db, id), resourceRatingTotals(deps.db, id), policiesOf(deps.db, [...catalog.services.keys()])]);
    if (!row) throw new AppError('STORE_NOT_FOUND', `store ${id} not found`);
    res.json({
      ...storeSummary(row),
      services: [...catalog.services.values()].map((s) => ({
        id: s.id,
        name: s.name,
        category: s.category,
        durationMinutes: s.durationMinutes,
        priceFen: s.priceFen,
        maxPartySize: s.maxPartySize,
        pricedPerPerson: s.requirements.some((r) => r.perPerson),
        payment: paymentSummary(policies.get(s.id) ?? payAtStore, s.priceFen),
      })),
      resources: catalog.resources.map((r) => ({
        id: r.id,
        kind: r.kind,
        name: r.name,
        skills: r.skills,
        rating: r.kind === 'staff' ? staffRating(ratings.get(r.id) ?? { sum: 0, count: 0 }) : null,
      })),
    });
  });

  router.get('/v1/stores/:id/availability', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const query = parse(AvailabilityQuery, req.query, 'query');
    const catalog = await deps.catalog.get(id);
    const service = catalog.services.get(query.serviceId);
    if (!service) throw new AppError('SERVICE_NOT_FOUND', `service ${query.serviceId} not in store ${id}`);
    if (query.resourceId !== undefined && !catalog.resources.some((r) => r.id === query.resourceId)) {
      throw new AppError('RESOURCE_NOT_FOUND', `resource ${query.resourceId} not in store ${id}`);
    }
    const availabilityQuery = { catalog, service, localDate: query.date, nowMs: deps.clock.now(), resourceId: query.resourceId };
    const planned = plannedSlots(availabilityQuery);
    // Only the cells these slots can read (HMGET), not every cell of the day.
    const snapshot = await readInventoryFields(deps.redis, deps.keys, id, fieldsTouched(planned));
    if (!snapshot.epochPresent) {
      await deps.maintenanceQueue.add(JobNames.rebuildInventory, { storeId: id, reason: 'availability found no epoch' }, { ...rebuildJobOptions, jobId: rebuildJobId(id) });
      throw new AppError('INVENTORY_REBUILDING', 'store inventory is being rebuilt', { retryAfterSeconds: 1 });
    }
    // A VIP-reserved share still closed to non-members is shown as taken to them (core/src/priority).
    const vip = anyShareClosed(availabilityQuery, planned) && (await viewerIsVip(deps, req, catalog));
    const slots = computeSlotsFor(availabilityQuery, planned, (date, field) => snapshot.days.get(date)?.get(field), vip);
    res.json({
      storeId: id,
      serviceId: service.id,
      date: query.date,
      timezone: catalog.store.timezone,
      slots: slots.map((s) => ({
        startAt: new Date(s.startMs).toISOString(),
        endAt: new Date(s.endMs).toISOString(),
        localTime: s.localTime,
        remaining: s.remaining,
        resources: s.resources,
      })),
    });
  });

  return router;
}
