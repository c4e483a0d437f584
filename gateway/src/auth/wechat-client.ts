/**
 * The gateway's only door to the WeChat server API: login (code2Session) and
 * the phone number behind the getPhoneNumber button. WeChat answers HTTP 200
 * with `{errcode, errmsg}` on failure, so the errcode, not the status, decides
 * the outcome; each one becomes an AppError the gateway can show, or a plain
 * Error when the fault is ours (bad appid/secret, unexpected payloads) and
 * must surface as a logged 500.
 */
import { z } from 'zod';
import type { Clock } from '../../../core/src/clock.ts';
import { AppError } from '../../../core/src/errors.ts';

export interface WechatClientOptions {
  /** e.g. https://api.weixin.qq.com, or the local fake. */
  baseUrl: string;
  appid: string;
  secret: string;
  /** Per HTTP request, body included. */
  timeoutMs: number;
  clock: Clock;
}

export interface WechatIdentity {
  openid: string;
  /** Only when the mini program is bound to an Open Platform account. */
  unionid: string | null;
}

export interface WechatClient {
  code2Session(code: string): Promise<WechatIdentity>;
  /** The number without country code (`purePhoneNumber`). */
  getPhoneNumber(code: string): Promise<string>;
}

/** Refresh this long before expiry: the platform rotates stable tokens 5 minutes early. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** 45011 means "retry next minute". */
const RATE_LIMIT_RETRY_SECONDS = 60;
/** invalid / not latest, expired, invalid: the token, not the request, is at fault. */
const TOKEN_REJECTED = new Set([40001, 42001, 40014]);

const errorBody = z.object({ errcode: z.number().int(), errmsg: z.string().catch('') });
// session_key is deliberately not read: nothing in Zhiyue decrypts wx data, and a key we never hold cannot leak.
const code2SessionBody = z.object({ openid: z.string().min(1), unionid: z.string().min(1).optional() });
const stableTokenBody = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const phoneNumberBody = z.object({
  phone_info: z.object({
    phoneNumber: z.string(),
    purePhoneNumber: z.string().min(1),
    // The documentation's field table says string, its example shows a number.
    countryCode: z.union([z.string(), z.number()]),
    watermark: z.object({ timestamp: z.number(), appid: z.string() }),
  }),
});

type Api = 'code2Session' | 'stable_token' | 'getuserphonenumber';
type Outcome<T> = { ok: true; data: T } | { ok: false; errcode: number; errmsg: string };

function errorFor(api: Api, errcode: number, errmsg: string): Error {
  const message = `WeChat ${api} failed: errcode ${errcode} ${errmsg}`.trim();
  switch (errcode) {
    case 40029: // invalid or expired code
    case 40163: // code already used
      return new AppError('LOGIN_FAILED', message);
    case 40226:
      return new AppError('LOGIN_BLOCKED', message);
    case 45011:
      return new AppError('LOGIN_RATE_LIMITED', message, { retryAfterSeconds: RATE_LIMIT_RETRY_SECONDS });
    case -1:
      return new AppError('UPSTREAM_UNAVAILABLE', message);
    case 40013:
    case 40125:
      return new Error(`${message} (check WECHAT_APPID and WECHAT_SECRET)`);
    default:
      return new Error(message);
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (error instanceof Error) {
    // fetch reports "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is on the cause.
    const cause = error.cause as { code?: unknown } | undefined;
    return typeof cause?.code === 'string' ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}

export function createWechatClient(options: WechatClientOptions): WechatClient {
  const { appid, secret, timeoutMs, clock } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  /** Messages never include the URL: code2Session carries the secret in its query string. */
  async function call<T>(api: Api, url: string, init: RequestInit, schema: z.ZodType<T>): Promise<Outcome<T>> {
    const unavailable = (reason: string, cause?: unknown) =>
      new AppError('UPSTREAM_UNAVAILABLE', `WeChat ${api} unavailable: ${reason}`, {}, { cause });
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw unavailable(describeFailure(error, timeoutMs), error);
    }
    if (response.status >= 500) {
      await response.body?.cancel().catch(() => {});
      throw unavailable(`HTTP ${response.status}`);
    }
    try {
      body = await response.json();
    } catch (error) {
      // A gateway or proxy page in between, or the timeout firing while the body streams in.
      throw unavailable(`unreadable response (HTTP ${response.status}): ${describeFailure(error, timeoutMs)}`, error);
    }
    const failure = errorBody.safeParse(body);
    if (failure.success && failure.data.errcode !== 0) {
      return { ok: false, errcode: failure.data.errcode, errmsg: failure.data.errmsg };
    }
    const parsed = schema.safeParse(body);
    // Well-formed JSON of the wrong shape is a contract change, not an outage: fail loudly.
    if (!parsed.success) throw new Error(`WeChat ${api} returned an unexpected body (HTTP ${response.status}): ${z.prettifyError(parsed.error)}`);
    return { ok: true, data: parsed.data };
  }

  const postJson = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  // stable_token returns the same token to every caller while it is valid, so a
  // per-process cache is safe with several gateway instances.
  let cachedToken: { token: string; refreshAt: number } | null = null;
  let pendingToken: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const requestedAt = clock.now();
    const outcome = await call(
      'stable_token',
      `${baseUrl}/cgi-bin/stable_token`,
      postJson({ grant_type: 'client_credential', appid, secret, force_refresh: false }),
      stableTokenBody,
    );
    if (!outcome.ok) throw errorFor('stable_token', outcome.errcode, outcome.errmsg);
    const token = outcome.data.access_token;
    cachedToken = { token, refreshAt: requestedAt + outcome.data.expires_in * 1000 - TOKEN_REFRESH_MARGIN_MS };
    return token;
  }

  /** Concurrent callers share one stable_token request. */
  function accessToken(): Promise<string> {
    if (cachedToken && clock.now() < cachedToken.refreshAt) return Promise.resolve(cachedToken.token);
    pendingToken ??= fetchToken().finally(() => {
      pendingToken = null;
    });
    return pendingToken;
  }

  function lookupPhone(token: string, code: string) {
    const url = `${baseUrl}/wxa/business/getuserphonenumber?${new URLSearchParams({ access_token: token })}`;
    return call('getuserphonenumber', url, postJson({ code }), phoneNumberBody);
  }

  return {
    async code2Session(code) {
      if (!code) throw new AppError('LOGIN_FAILED', 'empty WeChat login code');
      const query = new URLSearchParams({ appid, secret, js_code: code, grant_type: 'authorization_code' });
      const outcome = await call('code2Session', `${baseUrl}/sns/jscode2session?${query}`, { method: 'GET' }, code2SessionBody);
      if (!outcome.ok) throw errorFor('code2Session', outcome.errcode, outcome.errmsg);
      return { openid: outcome.data.openid, unionid: outcome.data.unionid ?? null };
    },

    async getPhoneNumber(code) {
      if (!code) throw new AppError('LOGIN_FAILED', 'empty WeChat phone code');
      let token = await accessToken();
      let outcome = await lookupPhone(token, code);
      if (!outcome.ok && TOKEN_REJECTED.has(outcome.errcode)) {
        // Another request may already have replaced the token; only drop the one that failed.
        if (cachedToken?.token === token) cachedToken = null;
        token = await accessToken();
        outcome = await lookupPhone(token, code);
      }
      if (!outcome.ok) throw errorFor('getuserphonenumber', outcome.errcode, outcome.errmsg);
      const info = outcome.data.phone_info;
      if (info.watermark.appid !== appid) {
        throw new Error(`WeChat getuserphonenumber: watermark appid ${info.watermark.appid} is not ours (${appid})`);
      }
      return info.purePhoneNumber;
    },
  };
}
