/**
 * A local stand-in for WeChat Pay API v3 (api.mch.weixin.qq.com) that speaks
 * the real protocol: every request's WECHATPAY2-SHA256-RSA2048 Authorization
 * is verified against the merchant key, every 2xx is signed with the "WeChat
 * Pay public key" pair, notifications are AES-256-GCM encrypted and signed,
 * errors use WeChat's statuses and codes. Tests and the demo stack point
 * WECHATPAY_API_BASE at it.
 *
 * `/__fake__/*` stands in for the payer's phone and for test control; it does
 * not exist upstream and needs no signature.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { type Clock, systemClock } from '../../../core/src/clock.ts';
import {
  MAX_CLOCK_SKEW_SECONDS,
  parseAuthorization,
  requestSignatureMessage,
  signWechatpayMessage,
  verifySha256WithRsa,
} from '../../../core/src/wechatpay/signing.ts';
import { generateTestKeys, type WechatPayTestKeys } from '../../../core/src/wechatpay/testing/keys.ts';
import { chinaDate, startOfChinaDate } from '../../../core/src/wechatpay/time.ts';
import type { RefundStatus, Transaction } from '../../../core/src/wechatpay/types.ts';
import { type Answer, ControlError, error, type FakeOrder, type FakeRefund, Ledger } from './ledger.ts';
import { newEventId, type NotifyDelivery, Notifier, type NotifyVariant, WECHAT_NOTIFY_RETRY_SCHEDULE_MS } from './notifier.ts';
import { type BillType, renderTradeBill } from './trade-bill.ts';
import { closeOrderSchema, detailOf, jsapiOrderSchema, refundSchema } from './validation.ts';

export interface FakeWechatPayOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  clock?: Clock;
  /** Generated when absent; the merchant side gets them via `keys` / credentialsFromTestKeys. */
  keys?: WechatPayTestKeys;
  /** Wait before each notify retry; default WeChat's real 15 s … 6 h schedule. */
  notifyRetryScheduleMs?: readonly number[];
  /** A refund turns SUCCESS this long after it was accepted; null: only on settleRefund(). Default 1000. */
  refundSettleDelayMs?: number | null;
  /** Delay of `pay(…, { notify: 'delayed' })`. Default 1000. */
  delayedNotifyMs?: number;
  /** A day's bill is ready this long after the day ends (China time); WeChat: 10:00 the next day. */
  billReadyAfterMs?: number;
  /** Fraction (0–1) of API calls answered 500 SYSTEM_ERROR. */
  failRate?: number;
  /** Seed of the failRate draws, for reproducible runs. */
  seed?: number;
}

export interface PayOptions {
  notify?: 'normal' | 'none' | 'duplicate' | 'delayed';
}

export interface SendNotifyOptions {
  /** Extra copies of the same event, each freshly signed, as WeChat's duplicates are. */
  duplicate?: number;
  delayMs?: number;
  /** Signed with a key that is not WeChat's (right serial). */
  forged?: true;
  /** A `WECHATPAY/SIGNTEST/` probe signature. */
  signtest?: true;
  /** Correctly signed, timestamp 301 s in the past. */
  staleTimestamp?: true;
  /** The exact bytes and headers of the last delivery that reached the merchant, sent again. */
  replayNonce?: true;
  /** Fields laid over the encrypted resource (e.g. a wrong amount), still correctly signed: tests "假通知" checks. */
  resourceOverrides?: Record<string, unknown>;
}

export interface FailNextOptions {
  /** Default by code: 429 for FREQUENCY_LIMITED / RATELIMIT_EXCEEDED, else 500. */
  status?: number;
  /** Apply the request first, then answer the error: the "did it happen?" case after a timeout. */
  afterApplying?: boolean;
  /** Only requests whose path contains this take the fault (e.g. '/close'); others pass untouched. */
  pathIncludes?: string;
}

export interface ProviderOnlyPaymentInput {
  outTradeNo?: string;
  amountFen: number;
  /** ms epoch; default now. */
  paidAt?: number;
  openid?: string;
  description?: string;
}

export interface FakeOrderRecord {
  outTradeNo: string;
  prepayId: string;
  state: FakeOrder['state'];
  amountFen: number;
  description: string;
  openid: string;
  attach: string | undefined;
  notifyUrl: string;
  createdAt: number;
  timeExpire: number;
  transactionId: string | undefined;
  successTime: number | undefined;
  providerOnly: boolean;
}

export interface FakeRefundRecord {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  refundFen: number;
  totalFen: number;
  status: RefundStatus;
  createdAt: number;
  successTime: number | undefined;
}

export interface FakeWechatPay {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:9103. */
  url: string;
  keys: WechatPayTestKeys;
  /** The payer paying in WeChat: marks SUCCESS and notifies; returns the transaction as query would. */
  pay(outTradeNoOrPrepayId: string, options?: PayOptions): Transaction;
  /** (Re)sends the TRANSACTION.SUCCESS notify of a paid order. */
  sendNotify(outTradeNo: string, options?: SendNotifyOptions): NotifyDelivery[];
  /** (Re)sends the REFUND.* notify of a refund in its current state. */
  sendRefundNotify(outRefundNo: string, options?: SendNotifyOptions): NotifyDelivery[];
  /** Ends a PROCESSING (or ABNORMAL) refund and sends its notify. */
  settleRefund(outRefundNo: string, status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL'): FakeRefundRecord;
  setFailRate(rate: number, seed?: number): void;
  failNext(count: number, code?: string, options?: FailNextOptions): void;
  /** The next bill download serves one altered byte (hash mismatch). */
  tamperNextBillDownload(): void;
  /** A payment WeChat has and the merchant never created: shows up in bills and queries only. */
  addProviderOnlyPayment(input: ProviderOnlyPaymentInput): FakeOrderRecord;
  records(): { orders: FakeOrderRecord[]; refunds: FakeRefundRecord[] };
  /** Every delivery, with its attempts. */
  notifyLog(): NotifyDelivery[];
  /** Deliveries the merchant answered 200/204. */
  deliveredNotifies(): NotifyDelivery[];
  /** Resolves when no notify delivery or retry is pending. */
  notifiesIdle(): Promise<void>;
  stop(): Promise<void>;
}

const DOWNLOAD_TOKEN_TTL_MS = 5 * 60_000;
const DEFAULT_BILL_READY_AFTER_MS = 10 * 3_600_000;

/** mulberry32: tiny, seedable, good enough to pick which calls fail. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function statusForCode(code: string): number {
  return code === 'FREQUENCY_LIMITED' || code === 'RATELIMIT_EXCEEDED' ? 429 : 500;
}

interface Fault {
  code: string;
  status: number;
  afterApplying: boolean;
  pathIncludes: string | undefined;
}

interface DownloadToken {
  content: Buffer;
  expiresAtMs: number;
}

export async function startFakeWechatPay(options: FakeWechatPayOptions = {}): Promise<FakeWechatPay> {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const keys = options.keys ?? generateTestKeys();
  const refundSettleDelayMs = options.refundSettleDelayMs === undefined ? 1000 : options.refundSettleDelayMs;
  const delayedNotifyMs = options.delayedNotifyMs ?? 1000;
  const billReadyAfterMs = options.billReadyAfterMs ?? DEFAULT_BILL_READY_AFTER_MS;

  const ledger = new Ledger(keys.mchid, keys.appid);
  const notifier = new Notifier({
    clock,
    apiV3Key: keys.apiV3Key,
    wechatpayPrivateKey: keys.wechatpayPrivateKey,
    wechatpayPublicKeyId: keys.wechatpayPublicKeyId,
    retryScheduleMs: options.notifyRetryScheduleMs ?? WECHAT_NOTIFY_RETRY_SCHEDULE_MS,
  });
  const refundTimers = new Set<NodeJS.Timeout>();
  const downloads = new Map<string, DownloadToken>();
  /** One event id per paid order / per refund outcome: retries and re-sends carry the same id, as upstream. */
  const eventIds = new Map<string, string>();
  const queuedFaults: Fault[] = [];
  let failRate = options.failRate ?? 0;
  let random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  let tamperNextDownload = false;
  let baseUrl = '';

  // ---- responses -------------------------------------------------------------------------------

  function requestId(): string {
    return randomBytes(16).toString('hex').toUpperCase();
  }

  /** Writes an answer; 2xx are signed over the exact bytes sent (an empty body for 204). */
  function reply(res: Response, answer: Answer): void {
    const fault = res.locals.faultAfterApplying as Fault | undefined;
    if (fault) return void writeRaw(res, { status: fault.status, body: { code: fault.code, message: '系统错误' } });
    writeRaw(res, answer);
  }

  function writeRaw(res: Response, answer: Answer): void {
    const body = answer.body === undefined || answer.status === 204 ? '' : JSON.stringify(answer.body);
    res.status(answer.status).set('Request-ID', res.locals.requestId as string);
    if (answer.status >= 200 && answer.status <= 299) {
      res.set(signWechatpayMessage(body, keys.wechatpayPrivateKey, keys.wechatpayPublicKeyId, Math.floor(clock.now() / 1000)));
    }
    if (body === '') return void res.end();
    res.type('application/json').send(body);
  }

  // ---- request checks --------------------------------------------------------------------------

  /** What WeChat checks before any API logic: headers, then the signature. */
  function authenticate(req: Request, res: Response, next: NextFunction): void {
    res.locals.requestId = requestId();
    if (!req.get('User-Agent') || !req.get('Accept')) return writeRaw(res, error(400, 'INVALID_REQUEST', 'Http头缺少Accept或User-Agent'));
    const rawBody = Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0);
    const auth = parseAuthorization(req.get('Authorization'));
    const signError = (issue: string) => {
      const message = requestSignatureMessage(req.method, req.originalUrl, auth?.timestamp ?? '', auth?.nonce_str ?? '', rawBody.toString('utf8'));
      writeRaw(
        res,
        error(401, 'SIGN_ERROR', '错误的签名，验签失败', {
          detail: { issue },
          field: 'signature',
          location: 'authorization',
          sign_information: { method: req.method, url: req.originalUrl, sign_message_length: message.length, truncated_sign_message: message.slice(0, 64) },
        }),
      );
    };
    if (!auth) return signError('authorization header missing or malformed');
    if (auth.mchid !== keys.mchid) return signError('mchid unknown');
    if (auth.serial_no.toUpperCase() !== keys.merchantSerialNo) return signError('merchant certificate serial_no unknown');
    if (!/^\d{1,12}$/.test(auth.timestamp) || Math.abs(clock.now() / 1000 - Number(auth.timestamp)) >= MAX_CLOCK_SKEW_SECONDS) {
      return signError('timestamp expired');
    }
    const message = requestSignatureMessage(req.method, req.originalUrl, auth.timestamp, auth.nonce_str, rawBody.toString('utf8'));
    if (!verifySha256WithRsa(message, auth.signature, keys.merchantPublicKey)) return signError('sign not match');
    res.locals.mchid = auth.mchid;

    const queued = queuedFaults.findIndex((f) => f.pathIncludes === undefined || req.path.includes(f.pathIncludes));
    const fault =
      (queued >= 0 ? queuedFaults.splice(queued, 1)[0] : undefined) ??
      (failRate > 0 && random() < failRate ? { code: 'SYSTEM_ERROR', status: 500, afterApplying: false, pathIncludes: undefined } : undefined);
    if (fault && !fault.afterApplying) return writeRaw(res, { status: fault.status, body: { code: fault.code, message: '系统错误，请稍后重试' } });
    if (fault) res.locals.faultAfterApplying = fault;
    next();
  }

  function jsonBody(req: Request): { ok: true; value: unknown } | { ok: false; answer: Answer } {
    const raw = Buffer.isBuffer(req.body) ? (req.body as Buffer).toString('utf8') : '';
    try {
      return { ok: true, value: raw === '' ? {} : JSON.parse(raw) };
    } catch {
      return { ok: false, answer: error(400, 'PARAM_ERROR', '请求体不是合法的JSON') };
    }
  }

  function parse<T>(schema: z.ZodType<T>, req: Request): { ok: true; value: T } | { ok: false; answer: Answer } {
    const json = jsonBody(req);
    if (!json.ok) return json;
    const result = schema.safeParse(json.value);
    if (!result.success) return { ok: false, answer: error(400, 'PARAM_ERROR', '输入源“/body”映射到值字段失败', detailOf(result.error, json.value)) };
    return { ok: true, value: result.data };
  }

  function requireMchidQuery(req: Request): Answer | null {
    const mchid = req.query.mchid;
    if (typeof mchid !== 'string' || mchid === '') {
      return error(400, 'PARAM_ERROR', '缺少参数mchid', { field: 'mchid', value: null, issue: 'missing', location: 'query' });
    }
    return mchid === keys.mchid ? null : error(400, 'MCH_NOT_EXISTS', '商户号不存在');
  }

  // ---- notifications ---------------------------------------------------------------------------

  function eventIdFor(key: string): string {
    let id = eventIds.get(key);
    if (id === undefined) {
      id = newEventId();
      eventIds.set(key, id);
    }
    return id;
  }

  function deliver(event: Parameters<Notifier['send']>[0], notifyOptions: SendNotifyOptions): NotifyDelivery[] {
    const variant: NotifyVariant = notifyOptions.forged
      ? 'forged'
      : notifyOptions.signtest
        ? 'signtest'
        : notifyOptions.staleTimestamp
          ? 'stale-timestamp'
          : notifyOptions.replayNonce
            ? 'replay'
            : 'normal';
    const copies = 1 + (notifyOptions.duplicate ?? 0);
    return Array.from({ length: copies }, () => notifier.send(event, variant, notifyOptions.delayMs ?? 0));
  }

  function sendNotify(outTradeNo: string, notifyOptions: SendNotifyOptions = {}): NotifyDelivery[] {
    const order = ledger.orders.get(outTradeNo);
    if (!order) throw new ControlError(404, `no order ${outTradeNo}`);
    if (order.transactionId === undefined) throw new ControlError(409, `order ${outTradeNo} is not paid`);
    if (order.providerOnly || order.notifyUrl === '') throw new ControlError(409, `order ${outTradeNo} has no notify_url`);
    // Each distinct resource is its own event; overrides must not reuse the genuine event's cached body.
    const key = notifyOptions.resourceOverrides ? `pay:${outTradeNo}:${randomBytes(4).toString('hex')}` : `pay:${outTradeNo}`;
    return deliver(
      {
        eventId: eventIdFor(key),
        eventType: 'TRANSACTION.SUCCESS',
        summary: '支付成功',
        originalType: 'transaction',
        resource: { ...ledger.transactionOf(order, true), ...notifyOptions.resourceOverrides },
        outTradeNo,
        url: order.notifyUrl,
        createTimeMs: order.successTimeMs ?? clock.now(),
      },
      notifyOptions,
    );
  }

  const REFUND_EVENTS: Record<RefundStatus, { type: string; summary: string } | undefined> = {
    SUCCESS: { type: 'REFUND.SUCCESS', summary: '退款成功' },
    CLOSED: { type: 'REFUND.CLOSED', summary: '退款关闭' },
    ABNORMAL: { type: 'REFUND.ABNORMAL', summary: '退款异常' },
    PROCESSING: undefined,
  };

  function sendRefundNotify(outRefundNo: string, notifyOptions: SendNotifyOptions = {}): NotifyDelivery[] {
    const refund = ledger.refunds.get(outRefundNo);
    if (!refund) throw new ControlError(404, `no refund ${outRefundNo}`);
    const event = REFUND_EVENTS[refund.status];
    if (!event) throw new ControlError(409, `refund ${outRefundNo} is still PROCESSING; nothing is notified`);
    if (!refund.notifyUrl) throw new ControlError(409, `refund ${outRefundNo} was created without notify_url`);
    return deliver(
      {
        eventId: eventIdFor(`refund:${outRefundNo}:${refund.status}`),
        eventType: event.type,
        summary: event.summary,
        originalType: 'refund',
        resource: { ...ledger.refundNoticeOf(refund), ...notifyOptions.resourceOverrides },
        outTradeNo: refund.outTradeNo,
        outRefundNo,
        url: refund.notifyUrl,
        createTimeMs: clock.now(),
      },
      notifyOptions,
    );
  }

  function settleRefund(outRefundNo: string, status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL'): FakeRefundRecord {
    const refund = ledger.settleRefund(outRefundNo, status, clock.now());
    if (refund.notifyUrl) sendRefundNotify(outRefundNo);
    return refundRecord(refund);
  }

  function scheduleRefundSettlement(refund: FakeRefund): void {
    if (refundSettleDelayMs === null) return;
    const timer = setTimeout(() => {
      refundTimers.delete(timer);
      if (ledger.refunds.get(refund.outRefundNo)?.status === 'PROCESSING') settleRefund(refund.outRefundNo, 'SUCCESS');
    }, refundSettleDelayMs);
    refundTimers.add(timer);
  }

  function pay(target: string, payOptions: PayOptions = {}): Transaction {
    const order = ledger.pay(target, clock.now());
    const mode = payOptions.notify ?? 'normal';
    if (mode === 'normal') sendNotify(order.outTradeNo);
    if (mode === 'duplicate') sendNotify(order.outTradeNo, { duplicate: 1 });
    if (mode === 'delayed') sendNotify(order.outTradeNo, { delayMs: delayedNotifyMs });
    return ledger.transactionOf(order);
  }

  // ---- records ---------------------------------------------------------------------------------

  function orderRecord(order: FakeOrder): FakeOrderRecord {
    return {
      outTradeNo: order.outTradeNo,
      prepayId: order.prepayId,
      state: order.state,
      amountFen: order.amountFen,
      description: order.description,
      openid: order.openid,
      attach: order.attach,
      notifyUrl: order.notifyUrl,
      createdAt: order.createdAtMs,
      timeExpire: order.timeExpireMs,
      transactionId: order.transactionId,
      successTime: order.successTimeMs,
      providerOnly: order.providerOnly,
    };
  }

  function refundRecord(refund: FakeRefund): FakeRefundRecord {
    return {
      outRefundNo: refund.outRefundNo,
      refundId: refund.refundId,
      outTradeNo: refund.outTradeNo,
      transactionId: refund.transactionId,
      refundFen: refund.refundFen,
      totalFen: refund.totalFen,
      status: refund.status,
      createdAt: refund.createdAtMs,
      successTime: refund.successTimeMs,
    };
  }

  function addProviderOnlyPayment(input: ProviderOnlyPaymentInput): FakeOrderRecord {
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) throw new ControlError(400, 'amountFen must be a positive integer');
    const order = ledger.addProviderOnlyPayment({
      outTradeNo: input.outTradeNo ?? `PO${randomBytes(8).toString('hex')}`,
      amountFen: input.amountFen,
      paidAtMs: input.paidAt ?? clock.now(),
      openid: input.openid ?? 'oProviderOnlyPayer0000000000',
      description: input.description ?? '商户未记录的交易',
    });
    return orderRecord(order);
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const api = express.Router();
  // Raw bytes: the signature covers the body exactly as sent.
  api.use(express.raw({ type: () => true, limit: '64kb' }));
  api.use(authenticate);

  api.post('/v3/pay/transactions/jsapi', (req, res) => {
    const body = parse(jsapiOrderSchema, req);
    if (!body.ok) return reply(res, body.answer);
    reply(res, ledger.createOrder(body.value, res.locals.mchid as string, clock.now()));
  });

  api.get('/v3/pay/transactions/out-trade-no/:outTradeNo', (req, res) => {
    reply(res, requireMchidQuery(req) ?? ledger.queryOrder(req.params.outTradeNo as string));
  });

  api.get('/v3/pay/transactions/id/:transactionId', (req, res) => {
    reply(res, requireMchidQuery(req) ?? ledger.queryByTransactionId(req.params.transactionId as string));
  });

  api.post('/v3/pay/transactions/out-trade-no/:outTradeNo/close', (req, res) => {
    const body = parse(closeOrderSchema, req);
    if (!body.ok) return reply(res, body.answer);
    if (body.value.mchid !== keys.mchid) return reply(res, error(400, 'MCH_NOT_EXISTS', '商户号不存在'));
    reply(res, ledger.closeOrder(req.params.outTradeNo as string));
  });

  api.post('/v3/refund/domestic/refunds', (req, res) => {
    const body = parse(refundSchema, req);
    if (!body.ok) return reply(res, body.answer);
    const { answer, created } = ledger.createRefund(body.value, clock.now());
    if (created) scheduleRefundSettlement(created);
    reply(res, answer);
  });

  api.get('/v3/refund/domestic/refunds/:outRefundNo', (req, res) => {
    reply(res, ledger.queryRefund(req.params.outRefundNo as string));
  });

  api.get('/v3/bill/tradebill', (req, res) => {
    const billDate = typeof req.query.bill_date === 'string' ? req.query.bill_date : '';
    const billType = typeof req.query.bill_type === 'string' ? req.query.bill_type : 'ALL';
    let dayStart: number;
    try {
      dayStart = startOfChinaDate(billDate);
    } catch {
      return reply(res, error(400, 'PARAM_ERROR', 'bill_date格式应为yyyy-MM-DD', { field: 'bill_date', value: billDate, issue: 'format', location: 'query' }));
    }
    if (!['ALL', 'SUCCESS', 'REFUND'].includes(billType)) {
      return reply(res, error(400, 'PARAM_ERROR', 'bill_type不支持', { field: 'bill_type', value: billType, issue: 'unsupported', location: 'query' }));
    }
    const now = clock.now();
    if (billDate > chinaDate(now)) return reply(res, error(400, 'PARAM_ERROR', '账单日期不能晚于当前日期'));
    if (now < dayStart + 24 * 3_600_000 + billReadyAfterMs) return reply(res, error(400, 'STATEMENT_CREATING', '账单生成中，请稍后重试'));
    const { csv, count } = renderTradeBill({
      date: billDate,
      billType: billType as BillType,
      mchid: keys.mchid,
      orders: ledger.orders.values(),
      refunds: ledger.refunds.values(),
      ordersByOutTradeNo: ledger.orders,
    });
    if (count === 0) return reply(res, error(400, 'NO_STATEMENT_EXIST', '账单不存在'));
    const content = Buffer.from(csv, 'utf8');
    const token = randomBytes(24).toString('base64url');
    for (const [key, entry] of downloads) if (entry.expiresAtMs <= now) downloads.delete(key);
    downloads.set(token, { content, expiresAtMs: now + DOWNLOAD_TOKEN_TTL_MS });
    reply(res, {
      status: 200,
      body: { hash_type: 'SHA1', hash_value: createHash('sha1').update(content).digest('hex'), download_url: `${baseUrl}/v3/billdownload/file?token=${token}` },
    });
  });

  api.get('/v3/billdownload/file', (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const entry = downloads.get(token);
    if (!entry || entry.expiresAtMs <= clock.now()) return reply(res, error(400, 'INVALID_REQUEST', '下载链接已过期'));
    let content = entry.content;
    if (tamperNextDownload) {
      tamperNextDownload = false;
      content = Buffer.from(content);
      content[content.length - 3] = (content[content.length - 3] ?? 0) ^ 1;
    }
    // Upstream sends the file unsigned: the SHA1 from the signed bill answer vouches for it.
    res.status(200).set('Request-ID', res.locals.requestId as string).type('application/octet-stream').send(content);
  });

  api.use((_req, res) => writeRaw(res, error(404, 'RESOURCE_NOT_EXISTS', '请求的资源不存在')));

  // ---- control ---------------------------------------------------------------------------------

  const control = express.Router();
  // The demo page (another origin) plays the payer through these routes; the /v3 API stays without CORS.
  control.use((req, res, next) => {
    res.set({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type' });
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });
  control.use(express.json({ limit: '16kb' }));
  const notifyOptionsSchema = z.strictObject({
    duplicate: z.number().int().min(0).max(20).optional(),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    forged: z.literal(true).optional(),
    signtest: z.literal(true).optional(),
    staleTimestamp: z.literal(true).optional(),
    replayNonce: z.literal(true).optional(),
    resourceOverrides: z.record(z.string(), z.unknown()).optional(),
  });
  const controlRoute =
    <T>(schema: z.ZodType<T>, run: (input: T) => unknown) =>
    (req: Request, res: Response) => {
      const input = schema.safeParse(req.body ?? {});
      if (!input.success) return void res.status(400).json({ error: z.prettifyError(input.error) });
      try {
        res.json(run(input.data) ?? { ok: true });
      } catch (caught) {
        if (caught instanceof ControlError) return void res.status(caught.status).json({ error: caught.message });
        throw caught;
      }
    };

  control.post(
    '/pay',
    controlRoute(z.strictObject({ target: z.string().min(1), notify: z.enum(['normal', 'none', 'duplicate', 'delayed']).optional() }), (input) =>
      pay(input.target, { notify: input.notify }),
    ),
  );
  control.post(
    '/notify',
    controlRoute(notifyOptionsSchema.extend({ outTradeNo: z.string().min(1) }), ({ outTradeNo, ...rest }) => sendNotify(outTradeNo, rest as SendNotifyOptions)),
  );
  control.post(
    '/refund-notify',
    controlRoute(notifyOptionsSchema.extend({ outRefundNo: z.string().min(1) }), ({ outRefundNo, ...rest }) => sendRefundNotify(outRefundNo, rest as SendNotifyOptions)),
  );
  control.post(
    '/refunds/settle',
    controlRoute(z.strictObject({ outRefundNo: z.string().min(1), status: z.enum(['SUCCESS', 'CLOSED', 'ABNORMAL']) }), (input) =>
      settleRefund(input.outRefundNo, input.status),
    ),
  );
  control.post(
    '/faults',
    controlRoute(
      z.strictObject({
        failRate: z.number().min(0).max(1).optional(),
        seed: z.number().int().optional(),
        failNext: z
          .strictObject({ count: z.number().int().min(1).max(1000), code: z.string().min(1).optional(), status: z.number().int().min(400).max(599).optional(), afterApplying: z.boolean().optional() })
          .optional(),
        tamperNextBillDownload: z.boolean().optional(),
      }),
      (input) => {
        if (input.failRate !== undefined) handle.setFailRate(input.failRate, input.seed);
        if (input.failNext) handle.failNext(input.failNext.count, input.failNext.code, input.failNext);
        if (input.tamperNextBillDownload) handle.tamperNextBillDownload();
        return { failRate, queued: queuedFaults.length };
      },
    ),
  );
  control.post(
    '/provider-only-payments',
    controlRoute(
      z.strictObject({
        outTradeNo: z.string().regex(/^[0-9A-Za-z_\-|*]{6,32}$/).optional(),
        amountFen: z.number().int().positive(),
        paidAt: z.number().int().optional(),
        openid: z.string().min(1).optional(),
        description: z.string().min(1).optional(),
      }),
      (input) => addProviderOnlyPayment(input),
    ),
  );
  control.get('/records', (_req, res) => void res.json(handle.records()));
  control.get('/notifies', (_req, res) => void res.json(notifier.log()));
  control.get('/health', (_req, res) => void res.json({ ok: true, mchid: keys.mchid, appid: keys.appid, wechatpayPublicKeyId: keys.wechatpayPublicKeyId }));

  app.use('/__fake__', control);
  app.use(api);
  // Control-route bugs become a readable 500 instead of Express's HTML page.
  app.use((caught: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: caught instanceof Error ? caught.message : String(caught) });
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  const handle: FakeWechatPay = {
    url: baseUrl,
    keys,
    pay,
    sendNotify,
    sendRefundNotify,
    settleRefund,
    setFailRate(rate, seed) {
      if (!(rate >= 0 && rate <= 1)) throw new Error('failRate must be between 0 and 1');
      failRate = rate;
      if (seed !== undefined) random = seededRandom(seed);
    },
    failNext(count, code = 'SYSTEM_ERROR', failOptions = {}) {
      for (let i = 0; i < count; i += 1) queuedFaults.push({ code, status: failOptions.status ?? statusForCode(code), afterApplying: failOptions.afterApplying ?? false, pathIncludes: failOptions.pathIncludes });
    },
    tamperNextBillDownload() {
      tamperNextDownload = true;
    },
    addProviderOnlyPayment,
    records: () => ({ orders: [...ledger.orders.values()].map(orderRecord), refunds: [...ledger.refunds.values()].map(refundRecord) }),
    notifyLog: () => notifier.log(),
    deliveredNotifies: () => notifier.log().filter((delivery) => delivery.received),
    notifiesIdle: () => notifier.idle(),
    async stop() {
      notifier.stop();
      for (const timer of refundTimers) clearTimeout(timer);
      refundTimers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}
