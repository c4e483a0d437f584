/**
 * The payment provider as the booking life cycle sees it (WeChat Pay v3 JSAPI
 * in production, its fake in tests). Amounts are fen, times epoch ms. The
 * adapter in core/src/wechatpay maps the wire protocol onto this.
 */
export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export interface ProviderTransaction {
  outTradeNo: string;
  transactionId: string | null;
  state: TradeState;
  totalFen: number;
  mchid: string;
  appid: string;
  paidAtMs: number | null;
}

export type ProviderRefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

export interface ProviderRefund {
  outRefundNo: string;
  refundId: string;
  status: ProviderRefundStatus;
  refundFen: number;
  succeededAtMs: number | null;
}

export interface ClientPaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export interface PaymentProvider {
  readonly mchid: string;
  readonly appid: string;
  createOrder(input: { outTradeNo: string; description: string; amountFen: number; payerOpenid: string; expiresAtMs: number; attach: string }): Promise<{ prepayId: string }>;
  clientParams(prepayId: string): ClientPaymentParams;
  /** null when the provider has no such order. */
  queryOrder(outTradeNo: string): Promise<ProviderTransaction | null>;
  /** 'already-paid' when the customer paid before the close reached the provider. */
  closeOrder(outTradeNo: string): Promise<'closed' | 'already-paid'>;
  refund(input: { outRefundNo: string; outTradeNo: string; refundFen: number; totalFen: number; reason: string }): Promise<ProviderRefund>;
  queryRefund(outRefundNo: string): Promise<ProviderRefund | null>;
  /** The provider's record of one China calendar day: payments by success time, refunds by refund time. */
  tradeBill(billDate: string): Promise<BillEntry[]>;
}

export type BillEntry =
  | { kind: 'payment'; outTradeNo: string; transactionId: string; amountFen: number }
  | { kind: 'refund'; outTradeNo: string; outRefundNo: string; amountFen: number };

/** Provider failures worth retrying (timeouts, 5xx, rate limits) carry `retryable: true`. */
export function isRetryableProviderError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/**
 * Our order number for a booking: stable (a retry never creates a second
 * order) and within WeChat's 6–32 characters `[0-9A-Za-z_-|*]`. The ULID part
 * of a booking id is unique on its own.
 */
export function outTradeNoOf(bookingId: string): string {
  return `ZY${bookingId.slice(0, 26)}`;
}

/** Refund numbers: one per reason and booking, so the same decision always resends the same number. */
export function outRefundNoOf(bookingId: string, reason: string): string {
  return `RF${bookingId.slice(0, 26)}-${reason}`.slice(0, 64);
}
