/**
 * Sends one-time subscribe messages (`POST /cgi-bin/message/subscribe/send`,
 * wechat-and-libraries.md §4.1) and says, for every outcome, whether sending
 * again can help. It never throws for anything WeChat or the network does:
 * a reminder job turns `retryable` into "throw and let BullMQ back off" or
 * "UnrecoverableError".
 *
 * A caveat the API leaves open: subscribe/send has no idempotency key, so a
 * timeout after WeChat accepted the message reads as SYSTEM (retryable) and a
 * retry can deliver it twice (and spend a second consent). We accept that: a
 * duplicate reminder costs less than a missing one.
 */
import { classifyErrcode, TOKEN_REJECTED_ERRCODES } from './classify.ts';
import { type FieldError, fitTemplateData } from './fields.ts';
import { errorFields, postWechatJson, WechatApiError } from './http.ts';
import { createStableTokenFetcher } from './stable-token.ts';
import type { AccessTokenSource, SubscribeMessage, SubscribeSendResult } from './types.ts';

export interface SubscribeMessageSenderOptions {
  /** e.g. https://api.weixin.qq.com, or the local fake. */
  baseUrl: string;
  appid: string;
  secret: string;
  /** Per HTTP request, body included. */
  timeoutMs: number;
  /** Shared by every process: `createAccessTokenCache({ redis, keys: keys.wechatAccessToken(appid) })`. */
  tokenCache: AccessTokenSource;
}

export interface SubscribeMessageSender {
  send(message: SubscribeMessage): Promise<SubscribeSendResult>;
}

type Failure = Extract<SubscribeSendResult, { kind: 'failed' }>;

/** WeChat's msgid is a 64-bit integer; read its digits from the text before JSON.parse rounds them. */
function msgidOf(text: string): string | undefined {
  return /"msgid"\s*:\s*"?(\d+)"?/u.exec(text)?.[1];
}

function systemFailure(errmsg: string): Failure {
  return { kind: 'failed', errcode: null, errmsg, reason: 'SYSTEM', retryable: true };
}

function wechatFailure(errcode: number, errmsg: string): Failure {
  return { kind: 'failed', errcode, errmsg, ...classifyErrcode(errcode) };
}

function describeFieldErrors(errors: Record<string, FieldError>): string {
  return Object.entries(errors)
    .map(([key, error]) => `data.${key}.value: ${error.message}`)
    .join('; ');
}

export function createSubscribeMessageSender(options: SubscribeMessageSenderOptions): SubscribeMessageSender {
  const { tokenCache, timeoutMs } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchToken = createStableTokenFetcher(options);

  async function accessToken(): Promise<{ ok: true; token: string } | { ok: false; failure: Failure }> {
    try {
      return { ok: true, token: await tokenCache.get(fetchToken) };
    } catch (error) {
      // stable_token's own errcode (bad secret → CONFIG, -1 → SYSTEM); Redis or network trouble → SYSTEM.
      if (error instanceof WechatApiError && error.errcode !== null) return { ok: false, failure: wechatFailure(error.errcode, error.message) };
      return { ok: false, failure: systemFailure(`access token unavailable: ${error instanceof Error ? error.message : String(error)}`) };
    }
  }

  async function post(token: string, body: unknown): Promise<SubscribeSendResult> {
    const url = `${baseUrl}/cgi-bin/message/subscribe/send?${new URLSearchParams({ access_token: token })}`;
    const answer = await postWechatJson(url, body, timeoutMs);
    if (!answer.ok) return systemFailure(`WeChat subscribe/send unavailable: ${answer.reason}`);
    const fields = errorFields(answer.json);
    if (fields === null) return { kind: 'failed', errcode: null, errmsg: 'WeChat subscribe/send answered without an errcode', reason: 'UNKNOWN', retryable: false };
    if (fields.errcode !== 0) return wechatFailure(fields.errcode, fields.errmsg);
    const msgid = msgidOf(answer.text);
    return msgid === undefined ? { kind: 'sent' } : { kind: 'sent', msgid };
  }

  return {
    async send(message) {
      const fitted = fitTemplateData(message.data);
      if (!fitted.ok) {
        return { kind: 'failed', errcode: null, errmsg: `refused before sending: ${describeFieldErrors(fitted.errors)}`, reason: 'INVALID_DATA', retryable: false };
      }
      const body = {
        touser: message.openid,
        template_id: message.templateId,
        ...(message.page === undefined ? {} : { page: message.page }),
        miniprogram_state: message.miniprogramState,
        lang: message.lang,
        data: Object.fromEntries(Object.entries(fitted.data).map(([key, value]) => [key, { value }])),
      };

      const first = await accessToken();
      if (!first.ok) return first.failure;
      const result = await post(first.token, body);
      if (result.kind === 'sent' || result.errcode === null || !TOKEN_REJECTED_ERRCODES.has(result.errcode)) return result;

      // The token was revoked or expired early: drop it (unless another process already
      // replaced it), fetch once, retry once. A second refusal is TOKEN_REJECTED.
      try {
        await tokenCache.invalidate(first.token);
      } catch (error) {
        return systemFailure(`could not drop the rejected access token: ${error instanceof Error ? error.message : String(error)}`);
      }
      const second = await accessToken();
      if (!second.ok) return second.failure;
      return post(second.token, body);
    },
  };
}
