import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, type ErrorCode, isAppError } from '../../../core/src/errors.ts';
import { format, messagesFor, negotiateLocale } from '../../../core/src/i18n/index.ts';
import type { Logger } from '../../../core/src/logging.ts';
import { isRetryableMysqlError } from '../../../db/src/transaction.ts';
import { isRedisUnavailable } from '../../../db/redis/connection.ts';

/** The one table from domain error codes to HTTP statuses. */
export const httpStatusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  IDEMPOTENCY_MISMATCH: 422,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  STORE_NOT_FOUND: 404,
  SERVICE_NOT_FOUND: 400,
  BOOKING_NOT_FOUND: 404,
  RESOURCE_NOT_FOUND: 400,
  SLOT_SOLD_OUT: 409,
  PACING_FULL: 409,
  SLOT_UNAVAILABLE: 409,
  SLOT_TOO_SOON: 400,
  SLOT_BEYOND_HORIZON: 400,
  SLOT_MISALIGNED: 400,
  PARTY_TOO_LARGE: 400,
  CUSTOMER_LIMIT_REACHED: 429,
  CUSTOMER_WEEKLY_LIMIT_REACHED: 429,
  VIP_RESERVED: 409,
  INVALID_TRANSITION: 409,
  BOOKING_ALREADY_STARTED: 409,
  RESCHEDULE_LIMIT_REACHED: 409,
  PAYMENT_NOT_REQUIRED: 409,
  PAYMENT_DEADLINE_PASSED: 409,
  PAYMENT_UNAVAILABLE: 503,
  CHECKIN_CODE_INVALID: 400,
  CHECKIN_CODE_AMBIGUOUS: 409,
  BOOKING_NOT_STARTED: 409,
  POLICY_INVALID: 400,
  REVIEW_NOT_ALLOWED: 409,
  REVIEW_ALREADY_EXISTS: 409,
  REVIEW_NO_STAFF: 400,
  LOGIN_FAILED: 401,
  LOGIN_BLOCKED: 403,
  LOGIN_RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 503,
  INVENTORY_REBUILDING: 503,
  SERVICE_UNAVAILABLE: 503,
  PAYLOAD_TOO_LARGE: 413,
  WAITLIST_NOT_NEEDED: 409,
  WAITLIST_ALREADY_JOINED: 409,
  WAITLIST_ENTRY_NOT_FOUND: 404,
  OFFER_EXPIRED: 409,
  OFFER_NOT_OPEN: 409,
  SEQUENCE_INVALID: 400,
  SEQUENCE_STAFF_MISMATCH: 400,
  SEQUENCE_NO_COMMON_STAFF: 400,
  SEQUENCE_NOT_RESCHEDULABLE: 409,
  SERIES_NOT_FOUND: 404,
  SERIES_CONFLICT: 409,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: { path: string; message: string }[] };
}

/** Turns anything thrown into an AppError: known infrastructure outages become 503, the rest 500. */
function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const bodyParser = error as { type?: string; status?: number } | null;
  if (bodyParser?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'request body too large');
  if (bodyParser?.type === 'entity.parse.failed' || bodyParser?.type === 'encoding.unsupported') {
    return new AppError('VALIDATION_FAILED', 'request body is not valid JSON', { issues: [{ path: '(body)', message: 'JSON 格式错误' }] });
  }
  if (isRedisUnavailable(error) || isRetryableMysqlError(error)) {
    return new AppError('SERVICE_UNAVAILABLE', 'a backing service is unavailable', { retryAfterSeconds: 1 }, { cause: error });
  }
  return new AppError('INTERNAL', 'unexpected error', {}, { cause: error });
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    const status = httpStatusOf[appError.code];
    if (status >= 500) {
      log.error({ err: appError.cause ?? appError, code: appError.code, method: req.method, path: req.path }, 'request failed');
    }
    const messages = messagesFor(negotiateLocale(req.headers['accept-language']));
    const body: ErrorBody = { error: { code: appError.code, message: format(messages.errors[appError.code], appError.details.params) } };
    if (appError.details.issues) body.error.issues = appError.details.issues;
    if (appError.details.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(appError.details.retryAfterSeconds));
    res.status(status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new AppError('NOT_FOUND', 'no such route'));
};
