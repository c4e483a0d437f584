/**
 * One error type for everything that goes wrong talking to WeChat Pay: HTTP
 * answers carry WeChat's own code (SYSTEM_ERROR, ORDER_NOT_EXIST, SIGN_ERROR…),
 * local failures (network, bad signatures, bad notifies) carry ours. Callers
 * decide on `retryable`, never on message text.
 */
export type LocalWechatPayErrorCode =
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'UNEXPECTED_RESPONSE'
  | 'RESPONSE_SIGNATURE_INVALID'
  | 'RESPONSE_TIMESTAMP_SKEW'
  | 'RESPONSE_UNKNOWN_SERIAL'
  | 'BILL_HASH_MISMATCH'
  | 'BILL_MALFORMED'
  | 'NOTIFY_MALFORMED'
  | 'NOTIFY_SIGNATURE_INVALID'
  | 'NOTIFY_UNKNOWN_SERIAL'
  | 'NOTIFY_TIMESTAMP_SKEW'
  | 'NOTIFY_REPLAYED'
  | 'NOTIFY_DECRYPT_FAILED'
  | 'NOTIFY_UNSUPPORTED_RESOURCE';

/** Codes WeChat documents as "try again with the same parameters". */
const RETRYABLE_CODES = new Set(['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'RATELIMIT_EXCEEDED', 'STATEMENT_CREATING', 'NETWORK_ERROR', 'TIMEOUT']);

export interface WechatPayErrorFields {
  /** WeChat's code for HTTP errors, one of LocalWechatPayErrorCode otherwise. */
  code: string;
  message: string;
  /** HTTP status of WeChat's answer; null when there was no usable answer. */
  status?: number | null;
  /** WeChat's Request-ID header, the handle their support asks for. */
  requestId?: string | null;
  /** WeChat's `detail` object (field, value, issue, location) for PARAM_ERROR and friends. */
  detail?: unknown;
  retryable?: boolean;
  cause?: unknown;
}

export class WechatPayError extends Error {
  readonly code: string;
  readonly status: number | null;
  readonly requestId: string | null;
  readonly detail: unknown;
  readonly retryable: boolean;

  constructor(fields: WechatPayErrorFields) {
    super(fields.message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'WechatPayError';
    this.code = fields.code;
    this.status = fields.status ?? null;
    this.requestId = fields.requestId ?? null;
    this.detail = fields.detail;
    this.retryable = fields.retryable ?? isRetryable(this.status, this.code);
  }
}

export function isRetryable(status: number | null, code: string): boolean {
  return (status !== null && (status >= 500 || status === 429)) || RETRYABLE_CODES.has(code);
}

export function isWechatPayError(error: unknown): error is WechatPayError {
  return error instanceof WechatPayError;
}

/**
 * Closing a paid order fails with "order paid". The v3 close page lists no code for it; the fake
 * (and, by community reports, WeChat) answers ORDERPAID, the v2 name. Accept both spellings.
 */
export function isOrderPaidError(error: unknown): boolean {
  return isWechatPayError(error) && (error.code === 'ORDERPAID' || error.code === 'ORDER_PAID');
}
