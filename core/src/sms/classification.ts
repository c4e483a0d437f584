/**
 * Which Tencent Cloud SMS failures are worth retrying, decided by code only
 * (never by message text). The rule: throttling, Tencent-side internal errors
 * and transport failures are retryable; anything a retry with the same input
 * cannot fix (bad number, template, signature, credentials, app id, balance,
 * a limit that lasts until tomorrow) is not. Unknown codes are not retryable:
 * a stuck job is visible, an SMS sent five times to a customer is not undone.
 *
 * Ambiguity to know about: SendSms has no idempotency key (SessionContext is
 * only echoed), so after TIMEOUT or UNEXPECTED_RESPONSE the message may have
 * gone out, and a retry can deliver it twice. NETWORK_ERROR covers connection
 * failures where usually nothing was sent.
 */

/** Codes this client produces itself when Tencent gave no usable answer. */
export const LocalSmsErrorCodes = {
  /** The request timed out (SMS may or may not have been sent). */
  TIMEOUT: 'TIMEOUT',
  /** DNS, connection refused/reset, TLS: the request most likely never arrived. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** A non-200 HTTP status (Tencent answers API errors with 200 + Error). */
  HTTP_ERROR: 'HTTP_ERROR',
  /** A 200 that is not the SendSms JSON shape. */
  UNEXPECTED_RESPONSE: 'UNEXPECTED_RESPONSE',
} as const;

const RETRYABLE_EXACT = new Set<string>([
  // Per-number throttles that clear by themselves within the hour.
  'LimitExceeded.PhoneNumberThirtySecondLimit',
  'LimitExceeded.PhoneNumberOneHourLimit',
  // The console's delivery-frequency policy: a throttle of unknown window.
  'LimitExceeded.DeliveryFrequencyLimit',
  LocalSmsErrorCodes.TIMEOUT,
  LocalSmsErrorCodes.NETWORK_ERROR,
  LocalSmsErrorCodes.UNEXPECTED_RESPONSE,
]);

/** A family and all its sub-codes (`InternalError`, `InternalError.Timeout`, …). */
const RETRYABLE_FAMILIES = ['RequestLimitExceeded', 'InternalError'];

/**
 * InternalError.* is retryable except the clock-skew one: "your server time
 * differs from Tencent's by more than 10 minutes" fails identically until a
 * human fixes the clock (like AuthFailure.SignatureExpire).
 */
const NOT_RETRYABLE_DESPITE_PREFIX = new Set<string>(['InternalError.RequestTimeException']);

/** How long a throttle lasts, when Tencent's code says so. */
const RETRY_AFTER_MS: Readonly<Record<string, number>> = {
  'LimitExceeded.PhoneNumberThirtySecondLimit': 30_000,
  'LimitExceeded.PhoneNumberOneHourLimit': 3_600_000,
  RequestLimitExceeded: 1_000,
};

export function isRetryableSmsCode(code: string): boolean {
  if (NOT_RETRYABLE_DESPITE_PREFIX.has(code)) return false;
  return RETRYABLE_EXACT.has(code) || RETRYABLE_FAMILIES.some((family) => code === family || code.startsWith(`${family}.`));
}

/** For HTTP_ERROR: 5xx and 429 are the gateway's trouble, other statuses ours. */
export function isRetryableHttpStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** The earliest moment a retry can succeed, when the code implies one; null = use the caller's backoff. */
export function retryAfterMsFor(code: string): number | null {
  return RETRY_AFTER_MS[code] ?? null;
}
