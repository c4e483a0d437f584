import type { z } from 'zod';
import { negotiateLocale } from '../../../core/src/i18n/index.ts';
import type { FoundBooking } from '../../../core/src/lifecycle/find.ts';
import { decryptPhone, maskPhone } from '../../../core/src/pii/phone.ts';
import { customersByIds } from '../../../db/src/repositories/customer.repository.ts';
import type { GatewayDeps } from '../deps.ts';
import type { MerchantBookingViewSchema } from '../http/schemas.ts';
import { type BookingView, viewOf } from './booking-view.ts';

export type MerchantBookingView = z.infer<typeof MerchantBookingViewSchema>;

/**
 * Bookings as staff see them: with the customer, the phone number decrypted
 * only to be masked, and never the check-in code (the customer presents it).
 */
export async function withCustomers(deps: Pick<GatewayDeps, 'db' | 'phoneKeys'>, items: { view: BookingView; customerId: number }[]): Promise<MerchantBookingView[]> {
  const customers = await customersByIds(deps.db, [...new Set(items.map((i) => i.customerId))]);
  const phones = new Map(
    customers.map((c) => [c.id, c.phone_enc && c.phone_key_id !== null ? maskPhone(decryptPhone(c.phone_enc, c.phone_key_id, deps.phoneKeys)) : null]),
  );
  return items.map(({ view, customerId }) => ({ ...view, checkinCode: null, customer: { id: customerId, phoneMasked: phones.get(customerId) ?? null } }));
}

export async function merchantViewOf(deps: Pick<GatewayDeps, 'db' | 'phoneKeys'>, found: FoundBooking, acceptLanguage: string | undefined): Promise<MerchantBookingView> {
  const customerId = found.kind === 'row' ? found.row.customer_id : found.hold.intent.customerId;
  const [view] = await withCustomers(deps, [{ view: viewOf(found, negotiateLocale(acceptLanguage)), customerId }]);
  return view!;
}
