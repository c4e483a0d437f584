import { ApiError, PAYMENT_CANCELLED, PAYMENT_FAILED } from '../domain/api-error';
import { platform } from '../platform';
import { api, type Booking } from './api';
import { watchBooking } from './booking-watch';

/**
 * Starts (or resumes) the booking's WeChat Pay order, opens the payment sheet and follows the
 * booking until the server has heard from WeChat Pay. Throws ApiError PAYMENT_CANCELLED /
 * PAYMENT_FAILED when the sheet did not pay; the slot stays held until the deadline.
 */
export async function payBooking(bookingId: string, onUpdate?: (b: Booking) => void): Promise<Booking> {
  const start = await api.startPayment(bookingId);
  if (start.status === 'PAY' && start.requestPayment) {
    const outcome = await platform.requestPayment(start.requestPayment, { amountFen: start.amountFen });
    if (outcome.result === 'cancelled') throw new ApiError(0, PAYMENT_CANCELLED, 'payment sheet closed');
    if (outcome.result === 'failed') throw new ApiError(0, PAYMENT_FAILED, outcome.message);
  }
  return watchBooking(bookingId, (b) => b.status !== 'AWAITING_PAYMENT', 30_000, onUpdate);
}
