import { appendAudit, customerExists } from '../../../db/src/repositories/priority.repository.ts';
import type { AuditLogRow } from '../../../db/src/tables/priority.table.ts';
import type { StoreCatalog } from '../catalog/types.ts';
import { AppError } from '../errors.ts';
import { withoutNotice } from '../priority/urgent.ts';
import { type AcceptDeps, type AcceptResult, acceptBooking } from './accept.ts';

export const URGENT_INSERTION = 'URGENT_INSERTION';

export interface UrgentInsertionRequest {
  staffId: number;
  customerId: number;
  serviceId: number;
  startMs: number;
  partySize: number;
  resourceId?: number | undefined;
  note: string;
  reason: string;
  idempotencyKey: string;
}

/**
 * A manager books for a customer through the same reserve path as everyone (reserve.lua, all or nothing,
 * capacity and daily caps as for anyone), but may use the VIP-reserved share, ignores the service's minimum
 * notice and is not refused by the customer's daily/weekly limits (the booking still counts against them).
 * Every accepted insertion gets one append-only audit entry (actor, action, booking, reason, time); a
 * replay of the same request finds the same booking and the same entry.
 */
export async function insertUrgently(deps: AcceptDeps, catalog: StoreCatalog, request: UrgentInsertionRequest): Promise<{ result: AcceptResult; audit: AuditLogRow }> {
  if (!(await customerExists(deps.db, request.customerId))) throw new AppError('NOT_FOUND', `customer ${request.customerId} not found`);
  const result = await acceptBooking(deps, withoutNotice(catalog, request.serviceId), {
    customerId: request.customerId,
    storeId: catalog.store.id,
    serviceId: request.serviceId,
    startMs: request.startMs,
    partySize: request.partySize,
    resourceId: request.resourceId,
    note: request.note,
    // Customer-scoped in Redis like every key; the prefix keeps staff keys apart from the customer's own.
    idempotencyKey: `urgent-${request.staffId}-${request.idempotencyKey}`,
    urgent: true,
  });
  // Written after the reservation (the booking id exists only then). A gateway that dies in between leaves an
  // accepted booking without its entry; the client's retry (same key) replays and writes it.
  const audit = await appendAudit(
    deps.db,
    { merchantId: catalog.store.merchantId, storeId: catalog.store.id, actorStaffId: request.staffId, action: URGENT_INSERTION, target: result.bookingId, reason: request.reason },
    new Date(deps.clock.now()),
  );
  return { result, audit };
}
