import { api, type Booking } from './api';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a booking through the pipeline (PENDING → CONFIRMED / AWAITING_PAYMENT / REJECTED,
 * AWAITING_PAYMENT → CONFIRMED when WeChat Pay's notification lands). Polls quickly first,
 * then backs off; answers the last state seen when the time is up.
 */
export async function watchBooking(
  id: string,
  done: (b: Booking) => boolean,
  timeoutMs = 30_000,
  onUpdate?: (b: Booking) => void,
  /** False once the screen that asked is gone: stop polling for nobody. */
  isLive: () => boolean = () => true,
): Promise<Booking> {
  const started = Date.now();
  let delay = 300;
  for (;;) {
    const booking = await api.booking(id);
    if (isLive()) onUpdate?.(booking);
    if (done(booking) || !isLive() || Date.now() - started > timeoutMs) return booking;
    await sleep(delay);
    delay = Math.min(delay * 1.5, 2000);
  }
}
