import type { Kysely } from 'kysely';
import type { Database } from '../../../db/src/database.ts';
import { memberTier } from '../../../db/src/repositories/priority.repository.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { membershipMatters } from '../priority/admission.ts';

/**
 * Who is booking, as far as the priority rules care: staff urgent insertions use the reserved share and are
 * not refused by the customer limits; a customer's VIP membership is read from MySQL only when the slot still
 * has a reserved share closed to non-members (one primary-key lookup), so most bookings read nothing extra.
 */
export async function callerPriority(
  db: Kysely<Database>,
  catalog: StoreCatalog,
  booking: { serviceId: number; startMs: number },
  request: { customerId: number; urgent?: boolean | undefined },
  nowMs: number,
): Promise<{ vip: boolean; enforceLimits: boolean }> {
  if (request.urgent) return { vip: true, enforceLimits: false };
  if (!membershipMatters(catalog.priority?.services.get(booking.serviceId), booking.startMs, nowMs)) return { vip: false, enforceLimits: true };
  return { vip: (await memberTier(db, catalog.store.merchantId, request.customerId)) === 'vip', enforceLimits: true };
}
