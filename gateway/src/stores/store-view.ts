import { storeRating } from '../../../core/src/reviews/score.ts';
import type { StoreRow } from '../../../db/src/tables/store.table.ts';

/** A store as the API shows it in lists (public and merchant). */
export function storeSummary(row: StoreRow) {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    name: row.name,
    industry: row.industry,
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    timezone: row.timezone,
    rating: storeRating({ sum: row.rating_sum, count: row.rating_count }),
  };
}
