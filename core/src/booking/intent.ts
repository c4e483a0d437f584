/**
 * What the gateway accepted, as the persist worker needs it. It travels as
 * BullMQ job data (clear text in Redis), so it carries ids and numbers only:
 * never a phone number or a name.
 */
export interface CellQuantity {
  resourceId: number;
  startMinute: number;
  localDate: string;
  quantity: number;
}

export interface BookingIntent {
  bookingId: string;
  merchantId: number;
  storeId: number;
  serviceId: number;
  customerId: number;
  /** The resource chosen for the first requirement (the stylist, the doctor): shown on the booking. */
  resourceId: number | null;
  startMs: number;
  endMs: number;
  localDate: string;
  partySize: number;
  priceFen: number;
  idempotencyKey: string;
  note: string;
  acceptedAt: number;
  deadlineMs: number;
  cells: CellQuantity[];
  /**
   * The booking-form version the answers were validated against, when the customer gave any. The answers
   * themselves never travel here: they wait sealed under the store's `answers:<bookingId>` key.
   */
  formVersion?: number | undefined;
  /**
   * Set on a waitlist offer (lifecycle/waitlist-offers.ts): the persist worker records the booking as OFFERED,
   * holding its cells for this customer until this instant, instead of confirming it.
   */
  offerDeadlineMs?: number | undefined;
}

/** The part of an intent known before the reserve script picks candidates; stored with the hold. */
export type IntentBase = Omit<BookingIntent, 'resourceId' | 'cells'>;
