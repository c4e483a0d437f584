import { type ErrorCode, isAppError } from '../../../core/src/errors.ts';
import type { AcceptResult } from '../../../core/src/lifecycle/accept.ts';
import type { GatewayMetrics } from '../metrics.ts';

const outcomeOfError: Partial<Record<ErrorCode, string>> = {
  SLOT_SOLD_OUT: 'sold_out',
  SLOT_UNAVAILABLE: 'closed',
  CUSTOMER_LIMIT_REACHED: 'customer_limit',
  IDEMPOTENCY_MISMATCH: 'idempotency_mismatch',
  INVENTORY_REBUILDING: 'rebuilding',
  SERVICE_UNAVAILABLE: 'unavailable',
};

/** Counts every booking request by what the reserve step decided, refusals included. */
export async function countReservation(metrics: GatewayMetrics, accept: () => Promise<AcceptResult>): Promise<AcceptResult> {
  try {
    const result = await accept();
    metrics.reservations.inc({ outcome: result.outcome });
    return result;
  } catch (error) {
    metrics.reservations.inc({ outcome: isAppError(error) ? (outcomeOfError[error.code] ?? 'rejected_input') : 'error' });
    throw error;
  }
}
