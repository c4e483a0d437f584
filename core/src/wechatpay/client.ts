import type { ClientPaymentParams } from '../payments/provider.ts';
/**
 * The WeChat Pay API v3 client for mini-program (JSAPI) payments: signed
 * requests, verified responses, typed results and typed errors. Every call is
 * safe to repeat with the same ids (out_trade_no, out_refund_no), which is
 * what WeChat asks for after SYSTEM_ERROR or a timeout.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { parseTradeBill, type TradeBill, TradeBillFormatError } from './bill.ts';
import type { WechatPayCredentials } from './credentials.ts';
import { WechatPayError } from './errors.ts';
import { type NonceStore, type NotificationInput, verifyAndDecryptNotification, type WechatPayNotification } from './notify.ts';
import { canonicalUrlOf, checkWechatpaySignature, createNonce, signRequest, signSha256WithRsa, wechatpaySignatureHeaders } from './signing.ts';
import { toWechatTime } from './time.ts';
import {
  type BillLocation,
  billLocationSchema,
  errorBodySchema,
  prepayResponseSchema,
  type Refund,
  refundSchema,
  type Transaction,
  transactionSchema,
} from './types.ts';

export interface WechatPayExchange {
  method: string;
  /** Path only: query strings and bodies may carry payer data. */
  path: string;
  status: number | null;
  requestId: string | null;
  durationMs: number;
  errorCode: string | null;
}

export interface WechatPayClientOptions {
  /** https://api.mch.weixin.qq.com, its backup api2, or the local fake. */
  baseUrl: string;
  credentials: WechatPayCredentials;
  clock: Clock;
  /** Per request, body included. Default 10 s. */
  timeoutMs?: number;
  userAgent?: string;
  /** Needed only by verifyAndDecryptNotification. */
  nonceStore?: NonceStore;
  /** Called once per HTTP exchange, for logs and metrics; gets nothing sensitive. */
  onExchange?: (exchange: WechatPayExchange) => void;
}

export interface CreateJsapiOrderInput {
  outTradeNo: string;
  description: string;
  amountFen: number;
  payerOpenid: string;
  /** ms epoch; sent as RFC 3339 +08:00. */
  timeExpire: number;
  notifyUrl: string;
  attach?: string;
}

/** The object wx.requestPayment takes (plus appId, which it reads from the app); the payment port names it. */
export type RequestPaymentParams = ClientPaymentParams;

export interface CreateRefundInput {
  outRefundNo: string;
  outTradeNo: string;
  refundFen: number;
  /** The order's total, which WeChat checks against the original payment. */
  totalFen: number;
  reason?: string;
  notifyUrl?: string;
}

export interface WechatPayClient {
  createJsapiOrder(input: CreateJsapiOrderInput): Promise<{ prepayId: string }>;
  requestPaymentParams(prepayId: string): RequestPaymentParams;
  /** Throws WechatPayError ORDER_NOT_EXIST (404) for an unknown out_trade_no. */
  queryOrder(outTradeNo: string): Promise<Transaction>;
  /** Also succeeds when the order is already closed; ORDERPAID when it was paid (see isOrderPaidError). */
  closeOrder(outTradeNo: string): Promise<void>;
  createRefund(input: CreateRefundInput): Promise<Refund>;
  queryRefund(outRefundNo: string): Promise<Refund>;
  /** All trades of one China calendar day; an empty bill when WeChat has none for that day. */
  tradeBill(billDate: string): Promise<TradeBill>;
  verifyAndDecryptNotification(input: NotificationInput): Promise<WechatPayNotification>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_USER_AGENT = 'zhiyue-wechatpay/1.0 (node)';

interface RawResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  requestId: string | null;
}

export function createWechatPayClient(options: WechatPayClientOptions): WechatPayClient {
  const { credentials, clock } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;

  async function send(method: 'GET' | 'POST', pathAndQuery: string, body: object | undefined, verify: 'signature' | 'none'): Promise<RawResponse> {
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    // Signed as fetch will send it: the URL parser's normalization must not make the two differ.
    const url = new URL(`${baseUrl}${pathAndQuery}`);
    const authorization = signRequest({
      method,
      canonicalUrl: canonicalUrlOf(url),
      body: bodyText,
      mchid: credentials.mchid,
      merchantSerialNo: credentials.merchantSerialNo,
      merchantPrivateKey: credentials.merchantPrivateKey,
      timestampSeconds: Math.floor(clock.now() / 1000),
    });
    const headers: Record<string, string> = {
      Authorization: authorization,
      Accept: 'application/json',
      'User-Agent': userAgent,
      'Wechatpay-Serial': credentials.wechatpayPublicKeyId,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const path = pathAndQuery.split('?')[0] ?? pathAndQuery;
    const started = performance.now();
    const report = (status: number | null, requestId: string | null, errorCode: string | null) =>
      options.onExchange?.({ method, path, status, requestId, durationMs: Math.round(performance.now() - started), errorCode });

    let response: Response;
    let raw: Buffer;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : bodyText,
        signal: AbortSignal.timeout(timeoutMs),
      });
      raw = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const code = timedOut ? 'TIMEOUT' : 'NETWORK_ERROR';
      report(null, null, code);
      throw new WechatPayError({ code, message: `WeChat Pay ${method} ${path}: ${timedOut ? `timed out after ${timeoutMs} ms` : describe(error)}`, cause: error });
    }
    const requestId = response.headers.get('Request-ID');

    if (response.status < 200 || response.status > 299) {
      const parsed = errorBodySchema.safeParse(safeJson(raw));
      const code = parsed.success ? parsed.data.code : `HTTP_${response.status}`;
      report(response.status, requestId, code);
      throw new WechatPayError({
        code,
        status: response.status,
        requestId,
        detail: parsed.success ? parsed.data.detail : undefined,
        message: `WeChat Pay ${method} ${path}: HTTP ${response.status} ${code}${parsed.success && parsed.data.message ? ` ${parsed.data.message}` : ''}`,
      });
    }

    if (verify === 'signature') {
      const check = checkWechatpaySignature(wechatpaySignatureHeaders(response.headers), raw, credentials.platformKeys, clock.now());
      if (!check.ok) {
        const code =
          check.reason === 'TIMESTAMP_SKEW' ? 'RESPONSE_TIMESTAMP_SKEW' : check.reason === 'UNKNOWN_SERIAL' ? 'RESPONSE_UNKNOWN_SERIAL' : 'RESPONSE_SIGNATURE_INVALID';
        report(response.status, requestId, code);
        // Retryable: every call here is idempotent, and WeChat's signature probes are one-off answers.
        throw new WechatPayError({ code, status: response.status, requestId, retryable: true, message: `WeChat Pay ${method} ${path}: response rejected (${check.reason})` });
      }
    }
    report(response.status, requestId, null);
    return { status: response.status, headers: response.headers, body: raw, requestId };
  }

  async function call<T>(method: 'GET' | 'POST', pathAndQuery: string, body: object | undefined, schema: z.ZodType<T>): Promise<T> {
    const response = await send(method, pathAndQuery, body, 'signature');
    const parsed = schema.safeParse(safeJson(response.body));
    if (!parsed.success) {
      throw new WechatPayError({
        code: 'UNEXPECTED_RESPONSE',
        status: response.status,
        requestId: response.requestId,
        retryable: false,
        message: `WeChat Pay ${method} ${pathAndQuery.split('?')[0]}: unexpected body: ${z.prettifyError(parsed.error)}`,
      });
    }
    return parsed.data;
  }

  const mchidQuery = `mchid=${encodeURIComponent(credentials.mchid)}`;
  const segment = (value: string) => encodeURIComponent(value);

  async function downloadBill(location: BillLocation): Promise<Buffer> {
    // Only the path and query are taken from download_url: the signed request goes to our configured host, never elsewhere.
    const url = new URL(location.download_url);
    const response = await send('GET', url.pathname + url.search, undefined, 'none');
    // The download carries no Wechatpay-Signature upstream; the hash from the signed bill answer vouches for it.
    const digest = createHash('sha1').update(response.body).digest('hex');
    if (digest !== location.hash_value.toLowerCase()) {
      throw new WechatPayError({ code: 'BILL_HASH_MISMATCH', requestId: response.requestId, retryable: true, message: 'trade bill SHA1 does not match hash_value' });
    }
    return response.body;
  }

  return {
    async createJsapiOrder(input) {
      const body = {
        appid: credentials.appid,
        mchid: credentials.mchid,
        description: input.description,
        out_trade_no: input.outTradeNo,
        time_expire: toWechatTime(input.timeExpire),
        ...(input.attach === undefined ? {} : { attach: input.attach }),
        notify_url: input.notifyUrl,
        amount: { total: input.amountFen, currency: 'CNY' },
        payer: { openid: input.payerOpenid },
      };
      const result = await call('POST', '/v3/pay/transactions/jsapi', body, prepayResponseSchema);
      return { prepayId: result.prepay_id };
    },

    requestPaymentParams(prepayId) {
      const timeStamp = String(Math.floor(clock.now() / 1000));
      const nonceStr = createNonce();
      const pkg = `prepay_id=${prepayId}`;
      const paySign = signSha256WithRsa(`${credentials.appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, credentials.merchantPrivateKey);
      return { appId: credentials.appid, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
    },

    queryOrder(outTradeNo) {
      return call('GET', `/v3/pay/transactions/out-trade-no/${segment(outTradeNo)}?${mchidQuery}`, undefined, transactionSchema);
    },

    async closeOrder(outTradeNo) {
      try {
        await send('POST', `/v3/pay/transactions/out-trade-no/${segment(outTradeNo)}/close`, { mchid: credentials.mchid }, 'signature');
      } catch (error) {
        // The goal of closing is "cannot be paid any more"; an order already closed has reached it.
        if (error instanceof WechatPayError && error.code === 'ORDER_CLOSED') return;
        throw error;
      }
    },

    createRefund(input) {
      const body = {
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        ...(input.notifyUrl === undefined ? {} : { notify_url: input.notifyUrl }),
        amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
      };
      return call('POST', '/v3/refund/domestic/refunds', body, refundSchema);
    },

    queryRefund(outRefundNo) {
      return call('GET', `/v3/refund/domestic/refunds/${segment(outRefundNo)}`, undefined, refundSchema);
    },

    async tradeBill(billDate) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate)) throw new Error(`bill date must be YYYY-MM-DD, got ${JSON.stringify(billDate)}`);
      let location: BillLocation;
      try {
        location = await call('GET', `/v3/bill/tradebill?bill_date=${billDate}&bill_type=ALL`, undefined, billLocationSchema);
      } catch (error) {
        if (error instanceof WechatPayError && error.code === 'NO_STATEMENT_EXIST') return emptyBill();
        throw error;
      }
      const content = await downloadBill(location);
      try {
        return parseTradeBill(content);
      } catch (error) {
        if (error instanceof TradeBillFormatError) throw new WechatPayError({ code: 'BILL_MALFORMED', retryable: false, message: error.message, cause: error });
        throw error;
      }
    },

    verifyAndDecryptNotification(input) {
      const nonceStore = options.nonceStore;
      if (!nonceStore) throw new Error('createWechatPayClient: pass a nonceStore to verify notifications');
      return verifyAndDecryptNotification(input, { credentials, clock, nonceStore });
    },
  };
}

function emptyBill(): TradeBill {
  return {
    rows: [],
    summary: { count: 0, settlementTotalFen: 0, refundTotalFen: 0, couponRefundTotalFen: 0, feeTotalYuan: '0.00000', orderTotalFen: 0, requestedRefundTotalFen: 0 },
  };
}

function safeJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    // fetch reports "fetch failed"; the reason (ECONNREFUSED…) is on the cause.
    const cause = error.cause as { code?: unknown } | undefined;
    return typeof cause?.code === 'string' ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}
