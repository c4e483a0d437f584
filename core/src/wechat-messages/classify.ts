import type { SubscribeFailureReason } from './types.ts';

/** invalid / not latest, expired, invalid (wechat-and-libraries.md §2.3): the token, not the message, is at fault. */
export const TOKEN_REJECTED_ERRCODES: ReadonlySet<number> = new Set([40001, 42001, 40014]);

/**
 * What a subscribe/send errcode means for the message and whether sending it
 * again can help. Codes from §4.1 (40003, 40037, 43101, 47003, 41030), §2.3
 * (tokens, 40013/40125/40164) and §2.2 (-1, 45011). 45009 ("reach max api daily
 * quota limit") is not in the reference; it is the daily quota of §4.1's
 * "30M/day", so it is retryable, but only much later.
 */
export function classifyErrcode(errcode: number): { reason: SubscribeFailureReason; retryable: boolean } {
  switch (errcode) {
    case 43101:
      // A retry cannot create consent; only a new wx.requestSubscribeMessage accept can.
      return { reason: 'NO_CONSENT', retryable: false };
    case 47003:
    case 47001:
      return { reason: 'INVALID_DATA', retryable: false };
    case 40037:
      return { reason: 'INVALID_TEMPLATE', retryable: false };
    case 40003:
      return { reason: 'INVALID_OPENID', retryable: false };
    case 41030:
      return { reason: 'INVALID_PAGE', retryable: false };
    case 45009:
    case 45011:
      return { reason: 'RATE_LIMITED', retryable: true };
    case 40001:
    case 42001:
    case 40014:
      // Reached only after the one refresh-and-retry failed too; a later attempt fetches afresh.
      return { reason: 'TOKEN_REJECTED', retryable: true };
    case 40013:
    case 40125:
    case 40164:
      return { reason: 'CONFIG', retryable: false };
    case -1:
      return { reason: 'SYSTEM', retryable: true };
    default:
      // Unknown codes are not retried blindly: most WeChat codes describe the request, not the moment.
      return { reason: 'UNKNOWN', retryable: false };
  }
}
