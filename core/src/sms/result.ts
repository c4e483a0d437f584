/**
 * Turning what the Tencent SDK returns or throws into one SmsSendResult.
 * Pure and separate from the sender so every branch is unit-tested without
 * a network. Messages pass through maskPhonesInText: Tencent's messages and
 * the SDK's may quote the number, and results end up in logs and job data.
 */
import { maskPhonesInText } from '../pii/phone.ts';
import { isRetryableHttpStatus, isRetryableSmsCode, LocalSmsErrorCodes, retryAfterMsFor } from './classification.ts';

export interface SmsAccepted {
  kind: 'accepted';
  /** Tencent's SerialNo: the `sid` of the delivery-status callback. */
  serialNo: string;
  /** Billed SMS count (a long message costs more than one). */
  fee: number;
  requestId: string;
}

export interface SmsFailed {
  kind: 'failed';
  /** Tencent's code (`LimitExceeded.PhoneNumberDailyLimit`, …) or a LocalSmsErrorCodes value. */
  code: string;
  /** Tencent's or the transport's message, phone numbers masked. */
  message: string;
  retryable: boolean;
  /** Tencent's RequestId (what their support asks for); null when no answer arrived. */
  requestId: string | null;
  /** Set when the code names the throttle window (30 s, 1 h); otherwise the caller's backoff applies. */
  retryAfterMs: number | null;
}

export type SmsSendResult = SmsAccepted | SmsFailed;

/** The part of the SDK's SendSmsResponse this code reads; everything is checked, nothing trusted. */
export interface SendSmsResponseLike {
  SendStatusSet?: unknown;
  RequestId?: unknown;
}

export function failed(code: string, message: string, requestId: string | null, retryable = isRetryableSmsCode(code)): SmsFailed {
  return { kind: 'failed', code, message: maskPhonesInText(message), retryable, requestId, retryAfterMs: retryable ? retryAfterMsFor(code) : null };
}

/** One number per request, so the first status is the answer; a per-number Code ≠ 'Ok' is a failure inside a 200. */
export function resultFromResponse(response: SendSmsResponseLike | null | undefined): SmsSendResult {
  const requestId = typeof response?.RequestId === 'string' ? response.RequestId : null;
  const status = Array.isArray(response?.SendStatusSet) ? (response.SendStatusSet[0] as Record<string, unknown> | undefined) : undefined;
  if (!status || typeof status !== 'object' || typeof status.Code !== 'string') {
    return failed(LocalSmsErrorCodes.UNEXPECTED_RESPONSE, 'SendSms answered without a SendStatusSet entry', requestId);
  }
  if (status.Code === 'Ok') {
    if (typeof status.SerialNo !== 'string' || status.SerialNo === '') {
      return failed(LocalSmsErrorCodes.UNEXPECTED_RESPONSE, 'SendSms accepted the number without a SerialNo', requestId);
    }
    return { kind: 'accepted', serialNo: status.SerialNo, fee: typeof status.Fee === 'number' ? status.Fee : 1, requestId: requestId ?? '' };
  }
  return failed(status.Code, typeof status.Message === 'string' ? status.Message : status.Code, requestId);
}

interface SdkExceptionShape {
  message: string;
  requestId: string;
  traceId: string;
  code?: unknown;
  httpCode?: unknown;
}

/**
 * The SDK throws TencentCloudSDKHttpException for everything it understands:
 * `code` set for API errors (HTTP 200 + Response.Error), `httpCode` for other
 * statuses, neither for transport errors (whose message is node-fetch's). It
 * is matched by shape: the class is CommonJS-default-exported, and importing
 * it only for `instanceof` would tie us to the SDK's module layout.
 */
function isSdkException(error: unknown): error is SdkExceptionShape {
  return error instanceof Error && typeof (error as Partial<SdkExceptionShape>).requestId === 'string' && typeof (error as Partial<SdkExceptionShape>).traceId === 'string';
}

// node-fetch v2: "network timeout at: <url>"; AbortSignal: "The user aborted a request."; sockets: ETIMEDOUT.
const TIMEOUT_MESSAGE = /network timeout|timed? ?out|ETIMEDOUT|aborted/i;

export function resultFromError(error: unknown): SmsFailed {
  if (isSdkException(error)) {
    const requestId = error.requestId === '' ? null : error.requestId;
    if (typeof error.code === 'string' && error.code !== '') return failed(error.code, error.message, requestId);
    if (typeof error.httpCode === 'number') {
      return failed(LocalSmsErrorCodes.HTTP_ERROR, `HTTP ${error.httpCode} ${error.message}`.trim(), requestId, isRetryableHttpStatus(error.httpCode));
    }
    const code = TIMEOUT_MESSAGE.test(error.message) ? LocalSmsErrorCodes.TIMEOUT : LocalSmsErrorCodes.NETWORK_ERROR;
    return failed(code, error.message, null);
  }
  // parseResponse runs outside the SDK's try: a non-JSON 200 or one without `Response` throws a bare SyntaxError/TypeError.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return failed(LocalSmsErrorCodes.UNEXPECTED_RESPONSE, message, null);
}
