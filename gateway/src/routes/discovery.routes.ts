import { Router } from 'express';
import { INDUSTRIES, industryLabel } from '../../../core/src/catalog/industries.ts';
import { payAtStore } from '../../../core/src/payments/policy.ts';
import { storeRating } from '../../../core/src/reviews/score.ts';
import { activeStoreCountsByIndustry, RECOMMEND_HALF_RANK_METRES, RECOMMEND_PER_STORE, recommendedServices } from '../../../db/src/repositories/discovery.repository.ts';
import { policiesOf } from '../../../db/src/repositories/payment.repository.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { IndustryListSchema, RecommendedServicesQuery, RecommendedServicesSchema } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';
import { paymentSummary } from '../stores/store-view.ts';

describeRoute({
  method: 'get',
  path: '/v1/industries',
  summary: 'Every industry the platform knows, with its Chinese label, an icon key and how many active stores it has',
  description: 'Ordered by storeCount descending, then code. Stores whose industry the platform does not list are not counted here (their industryLabel is 其他).',
  ok: { status: 200, schema: IndustryListSchema, description: 'Industries' },
});
describeRoute({
  method: 'get',
  path: '/v1/services/recommended',
  summary: 'Services for the home page: active services of active stores, best rated (and nearest) first',
  description:
    `rank = store rating.score (Bayesian, unrounded); with lat/lng, rank = score × ${RECOMMEND_HALF_RANK_METRES} / (${RECOMMEND_HALF_RANK_METRES} + distance in metres), so nearness halves the rank at ${RECOMMEND_HALF_RANK_METRES / 1000} km. ` +
    `At most ${RECOMMEND_PER_STORE} services per store (its first in catalog order); ties go to the lower store id, then service id.`,
  request: { query: RecommendedServicesQuery },
  ok: { status: 200, schema: RecommendedServicesSchema, description: 'Recommended services' },
  errors: [400],
});

/** Public discovery for the consumer mini program's home page. */
export function discoveryRoutes(deps: GatewayDeps): Router {
  const router = Router();

  router.get('/v1/industries', async (_req, res) => {
    const counts = await activeStoreCountsByIndustry(deps.db);
    const industries = INDUSTRIES.map((i) => ({ code: i.code, label: i.label, icon: i.icon, storeCount: counts.get(i.code) ?? 0 }));
    industries.sort((a, b) => b.storeCount - a.storeCount || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    res.json({ industries });
  });

  router.get('/v1/services/recommended', async (req, res) => {
    const { lat, lng, limit } = parse(RecommendedServicesQuery, req.query, 'query');
    const rows = await recommendedServices(deps.db, { near: lat !== undefined && lng !== undefined ? { lat, lng } : undefined, limit });
    const policies = await policiesOf(
      deps.db,
      rows.map((r) => r.service_id),
    );
    res.json({
      services: rows.map((r) => ({
        serviceId: r.service_id,
        name: r.name,
        category: r.category,
        priceFen: r.price_fen,
        durationMinutes: r.duration_minutes,
        storeId: r.store_id,
        storeName: r.store_name,
        industry: r.industry,
        industryLabel: industryLabel(r.industry),
        rating: storeRating({ sum: r.rating_sum, count: r.rating_count }),
        ...(r.distance_meters === null ? {} : { distanceMeters: Math.round(r.distance_meters) }),
        payment: paymentSummary(policies.get(r.service_id) ?? payAtStore, r.price_fen),
      })),
    });
  });

  return router;
}
