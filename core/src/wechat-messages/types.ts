/** What `POST /cgi-bin/stable_token` returns. */
export interface StableToken {
  accessToken: string;
  expiresInSeconds: number;
}

/**
 * Where senders keep the access token: in production the Redis cache shared by
 * every process (db/redis/access-token-cache.ts). The cache stores and
 * single-flights; the caller, which holds the appid and secret, says how to fetch.
 */
export interface AccessTokenSource {
  /** The cached token, or the one `fetchToken` returns (called by one caller at a time across processes). */
  get(fetchToken: () => Promise<StableToken>): Promise<string>;
  /**
   * WeChat rejected `token`: forget it, unless the cache already holds another
   * one (then a concurrent caller has replaced it). True when it was dropped.
   */
  invalidate(token: string): Promise<boolean>;
}

export type MiniprogramState = 'developer' | 'trial' | 'formal';
/** The four languages subscribe/send accepts (wechat-and-libraries.md §4.1). */
export type SubscribeLang = 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';

export interface SubscribeMessage {
  openid: string;
  templateId: string;
  /** Mini-program page opened from the message, e.g. `pages/booking/detail?id=…`. */
  page?: string;
  /** Keyword id (`thing1`, `time2`, …) → value; fitted with `fitTemplateData` before sending. */
  data: Record<string, string>;
  miniprogramState: MiniprogramState;
  lang: SubscribeLang;
}

export type SubscribeFailureReason =
  /** 43101: no remaining one-time consent for this template (or the user refused / cancelled). */
  | 'NO_CONSENT'
  /** 47003, or refused locally by `fitTemplateData` before any call. */
  | 'INVALID_DATA'
  /** 40037 */
  | 'INVALID_TEMPLATE'
  /** 40003 */
  | 'INVALID_OPENID'
  /** 41030: `page` is not in the released mini program. */
  | 'INVALID_PAGE'
  /** 45009 (daily quota) / 45011 (minute quota). */
  | 'RATE_LIMITED'
  /** The access token was still refused after one refresh and retry. */
  | 'TOKEN_REJECTED'
  /** Our appid/secret/IP whitelist are wrong (40013, 40125, 40164): a person must fix the config. */
  | 'CONFIG'
  /** -1 system busy, HTTP 5xx, timeouts, refused connections, unreadable answers, token cache trouble. */
  | 'SYSTEM'
  /** Any other errcode. */
  | 'UNKNOWN';

export type SubscribeSendResult =
  /** `msgid` as a decimal string: WeChat sends a 64-bit integer that a JS number would round. */
  | { kind: 'sent'; msgid?: string }
  | {
      kind: 'failed';
      /** WeChat's errcode; null when WeChat gave none (network, HTTP error, refused locally). */
      errcode: number | null;
      errmsg: string;
      reason: SubscribeFailureReason;
      /** Whether sending the same message again later can succeed. */
      retryable: boolean;
    };
