/** The gateway's error shape: { error: { code, message, issues? } }, plus what the transport saw. */
export interface ErrorIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: ErrorIssue[];
  readonly retryAfterSeconds: number | null;

  constructor(status: number, code: string, message: string, issues: ErrorIssue[] = [], retryAfterSeconds: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.issues = issues;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** No answer at all (offline, DNS, timeout): the request may or may not have reached the server. */
export const NETWORK = 'NETWORK';
/** wx.requestPayment failed or the fake payment sheet refused. */
export const PAYMENT_FAILED = 'PAYMENT_FAILED';
export const PAYMENT_CANCELLED = 'PAYMENT_CANCELLED';

export type ErrorKind = 'sold_out' | 'rate_limited' | 'customer_limit' | 'weekly_limit' | 'network' | 'payment_failed' | 'payment_cancelled' | 'unauthenticated' | 'not_found' | 'unavailable' | 'invalid' | 'other';

const byCode: Record<string, ErrorKind> = {
  SLOT_SOLD_OUT: 'sold_out',
  PACING_FULL: 'sold_out',
  SLOT_UNAVAILABLE: 'sold_out',
  VIP_RESERVED: 'sold_out',
  CUSTOMER_LIMIT_REACHED: 'customer_limit',
  CUSTOMER_WEEKLY_LIMIT_REACHED: 'weekly_limit',
  LOGIN_RATE_LIMITED: 'rate_limited',
  [NETWORK]: 'network',
  [PAYMENT_FAILED]: 'payment_failed',
  [PAYMENT_CANCELLED]: 'payment_cancelled',
  UNAUTHENTICATED: 'unauthenticated',
  NOT_FOUND: 'not_found',
  STORE_NOT_FOUND: 'not_found',
  BOOKING_NOT_FOUND: 'not_found',
  SERVICE_NOT_FOUND: 'not_found',
  INVENTORY_REBUILDING: 'unavailable',
  SERVICE_UNAVAILABLE: 'unavailable',
  UPSTREAM_UNAVAILABLE: 'unavailable',
  VALIDATION_FAILED: 'invalid',
};

export function kindOf(error: unknown): ErrorKind {
  if (!(error instanceof ApiError)) return 'other';
  const known = byCode[error.code];
  if (known) return known;
  if (error.status === 429) return 'rate_limited';
  if (error.status === 503 || error.status === 502 || error.status === 504) return 'unavailable';
  if (error.status === 400 || error.status === 422) return 'invalid';
  return 'other';
}

/** Worth retrying the same request (with the same idempotency key) without changing anything. */
export function isTransient(error: unknown): boolean {
  const kind = kindOf(error);
  return kind === 'network' || kind === 'unavailable' || kind === 'rate_limited';
}
