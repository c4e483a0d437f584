import { industryLabel } from '../../../core/src/catalog/industries.ts';
import { paymentPlan, type PaymentPolicy } from '../../../core/src/payments/policy.ts';
import { storeRating } from '../../../core/src/reviews/score.ts';
import type { StoreListRow } from '../../../db/src/repositories/discovery.repository.ts';

/** A store as the API shows it in lists (public and merchant); distanceMeters only when the list was asked with a location. */
export function storeSummary(row: StoreListRow) {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    name: row.name,
    industry: row.industry,
    industryLabel: industryLabel(row.industry),
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    timezone: row.timezone,
    rating: storeRating({ sum: row.rating_sum, count: row.rating_count }),
    ...(row.distance_meters === undefined || row.distance_meters === null ? {} : { distanceMeters: Math.round(Number(row.distance_meters)) }),
  };
}

/** What a service asks online, for the booking flow to say before the customer commits (targeting shown, not evaluated). */
export function paymentSummary(policy: PaymentPolicy, priceFen: number) {
  const plan = paymentPlan({ ...policy, target: 'all' }, { priceFen, startMs: Number.MAX_SAFE_INTEGER }, { visits: 0, noShows: 0 }, 0);
  return { mode: policy.mode, amountFen: plan.kind === 'none' ? null : plan.amountFen, appliesTo: policy.target, freeCancelHours: policy.freeCancelHours };
}
