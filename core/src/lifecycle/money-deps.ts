import type { PaymentProvider } from '../payments/provider.ts';
import type { LifecycleDeps } from './deps.ts';

/** The life cycle plus the payment provider: what every step that moves money needs. */
export interface MoneyDeps extends LifecycleDeps {
  provider: PaymentProvider;
}
