import { customerHistories, policiesOf } from '../../../db/src/repositories/payment.repository.ts';
import type { BookingIntent } from '../booking/intent.ts';
import { needsHistory, type PaymentPlan, paymentPlan } from '../payments/policy.ts';
import type { LifecycleDeps } from './deps.ts';

const newcomer = { visits: 0, noShows: 0 };

/**
 * What each booking of a persist batch must pay online. One query for the
 * services' policies, and one per merchant for customer history only when a
 * policy targets newcomers or past no-shows; bookings of pay-at-store
 * services are absent from the result.
 */
export async function planPayments(deps: LifecycleDeps, intents: readonly BookingIntent[], nowMs: number): Promise<Map<string, PaymentPlan>> {
  const policies = await policiesOf(deps.db, intents.map((i) => i.serviceId));
  const plans = new Map<string, PaymentPlan>();
  if (policies.size === 0) return plans;
  const historyWanted = new Map<number, Set<number>>();
  for (const intent of intents) {
    const policy = policies.get(intent.serviceId);
    if (policy && needsHistory(policy)) historyWanted.set(intent.merchantId, (historyWanted.get(intent.merchantId) ?? new Set()).add(intent.customerId));
  }
  const histories = new Map<string, { visits: number; noShows: number }>();
  for (const [merchantId, customers] of historyWanted) {
    for (const [customerId, history] of await customerHistories(deps.db, merchantId, [...customers])) histories.set(`${merchantId}:${customerId}`, history);
  }
  for (const intent of intents) {
    const policy = policies.get(intent.serviceId);
    if (!policy) continue;
    const history = histories.get(`${intent.merchantId}:${intent.customerId}`) ?? newcomer;
    const plan = paymentPlan(policy, intent, history, nowMs);
    if (plan.kind !== 'none') plans.set(intent.bookingId, plan);
  }
  return plans;
}
