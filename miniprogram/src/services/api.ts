/** The gateway's public API as the mini program uses it (shapes: GET /openapi.json). */
import type { AnswerValue, FormField } from '../domain/booking-form';
import type { BookingStatus } from '../domain/booking-status';
import type { Slot } from '../domain/slots';
import type { RequestPaymentParams } from '../platform/types';
import { http } from './http';
import { authed, currentSession } from './session';

export interface Rating {
  average: number | null;
  count: number;
  score: number;
}

export interface StoreSummary {
  id: number;
  merchantId: number;
  name: string;
  industry: string;
  industryLabel?: string;
  address: string;
  lat: number;
  lng: number;
  timezone: string;
  rating: Rating;
  distanceMeters?: number;
}

export interface ServicePayment {
  mode: 'none' | 'deposit' | 'full';
  amountFen: number | null;
  appliesTo: 'all' | 'new_customers' | 'prior_no_shows' | 'amount_above';
  freeCancelHours: number;
}

export interface StoreService {
  id: number;
  name: string;
  category: string;
  durationMinutes: number;
  priceFen: number;
  maxPartySize: number;
  pricedPerPerson: boolean;
  payment: ServicePayment;
}

export interface StoreResource {
  id: number;
  kind: string;
  name: string;
  skills: string[];
  rating: { average: number | null; count: number } | null;
}

export interface StoreDetail extends StoreSummary {
  services: StoreService[];
  resources: StoreResource[];
}

export interface Review {
  id: number;
  service: { id: number; name: string | null };
  staff: { id: number; name: string | null } | null;
  rating: number;
  staffRating: number | null;
  text: string;
  reviewer: string;
  createdAt: string;
}

export interface Industry {
  code: string;
  label: string;
  icon: string;
  storeCount: number;
}

export interface RecommendedService {
  serviceId: number;
  name: string;
  category: string;
  priceFen: number;
  durationMinutes: number;
  storeId: number;
  storeName: string;
  industry: string;
  industryLabel: string;
  rating: Rating;
  distanceMeters?: number;
}

export interface Booking {
  bookingId: string;
  status: BookingStatus;
  statusLabel: string;
  reason: string | null;
  merchantId: number;
  storeId: number;
  serviceId: number;
  resourceId: number | null;
  startAt: string;
  endAt: string;
  localDate: string;
  partySize: number;
  priceFen: number;
  note: string;
  amountDueFen: number;
  paymentDueAt: string | null;
  checkinCode: string | null;
  offerExpiresAt?: string | null;
  payment?: { status: 'UNPAID' | 'CREATED' | 'PAID' | 'CLOSED'; amountFen: number; paidAt: string | null; refundedFen: number; refunds: { amountFen: number; status: string; reason: string; createdAt: string }[] } | null;
  answers?: { key: string; label: string; display: string }[];
}

export interface PaymentStart {
  status: 'PAY' | 'PAID';
  outTradeNo: string;
  amountFen: number;
  dueAt: string | null;
  requestPayment: RequestPaymentParams | null;
}

export interface CancellationQuote {
  bookingId: string;
  cancellable: boolean;
  paidFen: number;
  rule: 'FREE_CANCELLATION' | 'LATE_CANCELLATION' | 'MERCHANT_CANCELLED' | 'NO_SHOW' | null;
  feeFen: number;
  refundFen: number;
  freeUntil: string | null;
}

export interface Notice {
  id: number;
  kind: string;
  title: string;
  body: string;
  bookingId: string | null;
  storeId: number | null;
  read: boolean;
  createdAt: string;
}

export interface StoreQuery {
  q?: string;
  industry?: string;
  lat?: number;
  lng?: number;
  sort?: 'id' | 'rating' | 'distance';
  minRating?: number;
  limit?: number;
}

export const api = {
  industries: () => http<{ industries: Industry[] }>('/v1/industries'),
  stores: (query: StoreQuery) => http<{ stores: StoreSummary[] }>('/v1/stores', { query: { ...query } }),
  recommended: (point: { lat: number; lng: number } | null, limit = 6) => http<{ services: RecommendedService[] }>('/v1/services/recommended', { query: { lat: point?.lat, lng: point?.lng, limit } }),
  store: (id: number) => http<StoreDetail>(`/v1/stores/${id}`),
  reviews: (storeId: number, limit = 5) => http<{ reviews: Review[]; nextCursor: string | null }>(`/v1/stores/${storeId}/reviews`, { query: { limit } }),
  // The token is optional here: it lets VIP members see their reserved share.
  availability: (storeId: number, serviceId: number, date: string, resourceId?: number) =>
    http<{ date: string; timezone: string; slots: Slot[] }>(`/v1/stores/${storeId}/availability`, { query: { serviceId, date, resourceId }, token: currentSession()?.token ?? null }),
  bookingForm: (storeId: number, serviceId: number) => http<{ version: number; fields: FormField[] }>(`/v1/stores/${storeId}/services/${serviceId}/booking-form`),

  createBooking: (body: { storeId: number; serviceId: number; startAt: string; resourceId?: number; partySize: number; note: string; answers?: Record<string, AnswerValue> }, idempotencyKey: string) =>
    authed<{ bookingId: string; status: BookingStatus }>('/v1/bookings', { method: 'POST', body, idempotencyKey }),
  booking: (id: string) => authed<Booking>(`/v1/bookings/${encodeURIComponent(id)}`),
  myBookings: () => authed<{ bookings: Booking[] }>('/v1/me/bookings'),
  startPayment: (id: string) => authed<PaymentStart>(`/v1/bookings/${encodeURIComponent(id)}/payment`, { method: 'POST', body: {} }),
  cancellationQuote: (id: string) => authed<CancellationQuote>(`/v1/bookings/${encodeURIComponent(id)}/cancellation`),
  cancel: (id: string) => authed<Booking>(`/v1/bookings/${encodeURIComponent(id)}/cancel`, { method: 'POST', body: { reason: 'CUSTOMER_REQUEST' } }),
  reschedule: (id: string, startAt: string, resourceId?: number) => authed<Booking>(`/v1/bookings/${encodeURIComponent(id)}/reschedule`, { method: 'POST', body: { startAt, resourceId } }),
  review: (id: string, body: { rating: number; staffRating?: number; text: string }) => authed<unknown>(`/v1/bookings/${encodeURIComponent(id)}/review`, { method: 'POST', body }),
  acceptOffer: (id: string) => authed<Booking>(`/v1/bookings/${encodeURIComponent(id)}/accept-offer`, { method: 'POST', body: {} }),
  declineOffer: (id: string) => authed<Booking>(`/v1/bookings/${encodeURIComponent(id)}/decline-offer`, { method: 'POST', body: {} }),
  joinWaitlist: (body: { storeId: number; serviceId: number; startAt: string; partySize: number; resourceId?: number }) =>
    authed<{ id: number; position: number | null; status: string }>('/v1/waitlist', { method: 'POST', body }),

  subscriptions: () => authed<{ templates: { kind: string; templateId: string; remaining: number }[] }>('/v1/me/subscriptions'),
  saveSubscriptions: (accepted: string[]) => authed<unknown>('/v1/me/subscriptions', { method: 'POST', body: { accepted } }),
  me: () => authed<{ customerId: number; phoneMasked: string | null }>('/v1/me'),
  bindPhone: (code: string) => authed<{ phoneMasked: string }>('/v1/me/phone', { method: 'POST', body: { code } }),
  notices: () => authed<{ notices: Notice[]; unread: number }>('/v1/me/notices', { query: { limit: 30 } }),
  markAllRead: () => authed<unknown>('/v1/me/notices/read', { method: 'POST', body: { all: true } }),
};
