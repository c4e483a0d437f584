import { errorFields, postWechatJson, WechatApiError } from './http.ts';
import type { StableToken } from './types.ts';

export interface StableTokenFetcherOptions {
  /** e.g. https://api.weixin.qq.com, or the local fake. */
  baseUrl: string;
  appid: string;
  secret: string;
  timeoutMs: number;
}

/**
 * `POST {base}/cgi-bin/stable_token` with `force_refresh:false` (wechat-and-libraries.md §2.3):
 * every caller gets the same token while it is valid. Never the classic `GET /cgi-bin/token`,
 * which revokes the previous token on every call, and never `force_refresh:true` (20 a day, for leaks).
 * Throws WechatApiError (errcode null when WeChat could not be reached).
 */
export function createStableTokenFetcher(options: StableTokenFetcherOptions): () => Promise<StableToken> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/cgi-bin/stable_token`;
  const body = { grant_type: 'client_credential', appid: options.appid, secret: options.secret, force_refresh: false };
  return async () => {
    const answer = await postWechatJson(url, body, options.timeoutMs);
    if (!answer.ok) throw new WechatApiError(`WeChat stable_token unavailable: ${answer.reason}`, null);
    const failure = errorFields(answer.json);
    if (failure && failure.errcode !== 0) {
      throw new WechatApiError(`WeChat stable_token failed: errcode ${failure.errcode} ${failure.errmsg}`.trim(), failure.errcode);
    }
    const { access_token: accessToken, expires_in: expiresIn } = answer.json as { access_token?: unknown; expires_in?: unknown };
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new WechatApiError('WeChat stable_token returned no access_token/expires_in', null);
    }
    return { accessToken, expiresInSeconds: expiresIn };
  };
}
