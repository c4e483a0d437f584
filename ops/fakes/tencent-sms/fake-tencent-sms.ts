/**
 * A local stand-in for the Tencent Cloud API endpoint of SMS
 * (sms.tencentcloudapi.com, action SendSms, version 2021-01-11) that speaks
 * the real protocol: the TC3-HMAC-SHA256 Authorization is verified exactly,
 * answers are HTTP 200 with `{"Response":{…,"RequestId"}}` (errors in
 * `Response.Error`, per-number outcomes in `SendStatusSet`), per-number
 * throttles follow Tencent's default policy, and delivery reports go out as
 * the real status callback. Tests and the demo stack point the official SDK
 * (via core/src/sms) at it.
 *
 * `/__fake__/*` stands in for the handset and for test control; it does not
 * exist upstream and needs no signature.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { type Clock, systemClock } from '../../../core/src/clock.ts';
import { CallbackSender, type CallbackDelivery, DEFAULT_CALLBACK_RETRY_SCHEDULE_MS, type StatusReportWire } from './callbacks.ts';
import { canonicalRequest, parseTc3Authorization, signaturesEqual, stringToSign, tc3Signature, utcDate } from './tc3.ts';
import { DEFAULT_TEMPLATES, type FakeSmsTemplate, feeOf, MAX_CONTENT_LENGTH, messageFor, paramCountOf, renderContent } from './templates.ts';

export const FAKE_SMS_DEFAULTS = {
  secretId: 'AKIDzhiyueFakeSms00000000000000000000',
  secretKey: 'zhiyueFakeSmsSecretKey0000000000',
  smsSdkAppId: '1400006666',
  signName: '智约',
} as const;

export const ACTION = 'SendSms';
export const API_VERSION = '2021-01-11';
const MAX_SKEW_SECONDS = 300;
const MAX_PHONE_NUMBERS = 200;
const MAX_SESSION_CONTEXT_BYTES = 511;
const REQUEST_LOG_LIMIT = 200;

export interface FakeSmsLimits {
  /** Same number + same template within 30 s → LimitExceeded.PhoneNumberThirtySecondLimit. Default true. */
  thirtySecondSameTemplate?: boolean;
  /** Accepted messages per number per rolling hour; null = unlimited. Default 5 (Tencent's default policy). */
  perHour?: number | null;
  /** Accepted messages per number per China calendar day; null = unlimited. Default 10 (Tencent's default). */
  perDay?: number | null;
}

export interface FakeTencentSmsOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Checks X-TC-Timestamp, drives throttles and report times. The SDK signs with the system time. */
  clock?: Clock;
  secretId?: string;
  secretKey?: string;
  smsSdkAppId?: string;
  signName?: string;
  /** Approved templates by id; default DEFAULT_TEMPLATES. */
  templates?: Readonly<Record<string, FakeSmsTemplate>>;
  /** Accepted X-TC-Region values. Default ap-guangzhou, ap-beijing, ap-nanjing. */
  regions?: readonly string[];
  limits?: FakeSmsLimits;
  /** Where status callbacks go; also settable later with setCallbackUrl. */
  callbackUrl?: string | null;
  /** Wait before each callback retry. Default 5 s, 30 s, 2 min (Tencent's cadence is undocumented). */
  callbackRetryScheduleMs?: readonly number[];
  failRate?: number;
  seed?: number;
}

export type FaultLevel = 'request' | 'number';

export interface StatusReportRecord {
  status: 'SUCCESS' | 'FAIL';
  errmsg: string;
  description: string;
  /** When the report was decided (deliver/autoDeliver), ms. */
  decidedAt: number;
}

export interface FakeSmsRecord {
  serialNo: string;
  /** E.164, as accepted. */
  phone: string;
  templateId: string;
  params: string[];
  /** The SMS as the handset shows it: 【signature】text. */
  content: string;
  fee: number;
  sessionContext: string;
  signName: string;
  requestId: string;
  acceptedAt: number;
  report: StatusReportRecord | null;
}

export interface FakeApiRequest {
  atMs: number;
  requestId: string;
  method: string;
  /** Header name (lower case) → value, as received. */
  headers: Record<string, string>;
  /** The raw body (it holds phone numbers: this log exists only inside the fake). */
  body: string;
  /** Request-level outcome: 'Ok' when SendStatusSet was answered, else the error code. */
  outcome: string;
}

export interface DeliverOptions {
  delayMs?: number;
  /** Default DELIVRD for SUCCESS, UNDELIV for FAIL. */
  errmsg?: string;
  description?: string;
}

export interface AutoDeliverSettings {
  /** Fraction of accepted messages reported SUCCESS; the rest FAIL. Default 1. */
  successRate?: number;
  /** Default 1000. */
  delayMs?: number;
  seed?: number;
}

export interface FakeTencentSms {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, the SDK's httpProfile.endpoint (SMS_ENDPOINT). */
  endpoint: string;
  port: number;
  secretId: string;
  secretKey: string;
  smsSdkAppId: string;
  signName: string;
  templates: Readonly<Record<string, FakeSmsTemplate>>;
  /** Accepted messages, oldest first. */
  sent(): FakeSmsRecord[];
  /** The last 200 API requests as received (headers + raw body), for protocol tests. */
  requests(): FakeApiRequest[];
  /** Every status callback delivery with its attempts. */
  callbacks(): CallbackDelivery[];
  /** Resolves when no callback delivery or retry is pending. */
  callbacksIdle(): Promise<void>;
  /** That fraction of requests fails: half request-level (InternalError.Timeout / RequestLimitExceeded), half per number (LimitExceeded.DeliveryFrequencyLimit). */
  failRate(rate: number, seed?: number): void;
  /** The next `count` requests (level 'request', default code InternalError.Timeout) or numbers (level 'number', default LimitExceeded.DeliveryFrequencyLimit) fail with `code`. */
  failNext(count: number, code?: string, options?: { level?: FaultLevel }): void;
  /** Reports one message (or every unreported one) to the callback URL, in one callback. */
  deliver(target: string, status?: 'SUCCESS' | 'FAIL', options?: DeliverOptions): CallbackDelivery;
  /** Reports every message accepted from now on automatically; false switches it off. */
  autoDeliver(settings: AutoDeliverSettings | false): void;
  setCallbackUrl(url: string | null): void;
  /** Forgets messages, throttle windows, faults and logs (not the configuration). */
  reset(): void;
  stop(): Promise<void>;
}

export class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ControlError';
    this.status = status;
  }
}

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

const CHINA_OFFSET_MS = 8 * 3_600_000;
/** "yyyy-MM-dd HH:mm:ss" in China time, as user_receive_time. */
function chinaDateTime(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}
function chinaDay(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Tencent also takes 0086 / 86 / bare 11 digits for mainland numbers and answers with +86. */
function mainlandE164(phone: string): string | null {
  const m = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/.exec(phone);
  return m ? `+86${m[1]}` : null;
}

interface SendStatus {
  SerialNo: string;
  PhoneNumber: string;
  Fee: number;
  SessionContext: string;
  Code: string;
  Message: string;
  IsoCode: string;
}

interface ThrottleEntry {
  atMs: number;
  templateId: string;
}

export async function startFakeTencentSms(options: FakeTencentSmsOptions = {}): Promise<FakeTencentSms> {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const secretId = options.secretId ?? FAKE_SMS_DEFAULTS.secretId;
  const secretKey = options.secretKey ?? FAKE_SMS_DEFAULTS.secretKey;
  const smsSdkAppId = options.smsSdkAppId ?? FAKE_SMS_DEFAULTS.smsSdkAppId;
  const signName = options.signName ?? FAKE_SMS_DEFAULTS.signName;
  const templates = options.templates ?? Object.fromEntries(Object.entries(DEFAULT_TEMPLATES).map(([id, t]) => [id, { kind: t.kind, text: t.text }]));
  const regions = new Set(options.regions ?? ['ap-guangzhou', 'ap-beijing', 'ap-nanjing']);
  const limits = { thirtySecondSameTemplate: options.limits?.thirtySecondSameTemplate ?? true, perHour: options.limits?.perHour === undefined ? 5 : options.limits.perHour, perDay: options.limits?.perDay === undefined ? 10 : options.limits.perDay };

  const callbacks = new CallbackSender({ clock, retryScheduleMs: options.callbackRetryScheduleMs ?? DEFAULT_CALLBACK_RETRY_SCHEDULE_MS });
  let callbackUrl = options.callbackUrl ?? null;
  const records = new Map<string, FakeSmsRecord>();
  const throttle = new Map<string, ThrottleEntry[]>();
  const requestLog: FakeApiRequest[] = [];
  const queuedFaults: { level: FaultLevel; code: string }[] = [];
  let failRate = options.failRate ?? 0;
  let random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  let auto: { successRate: number; delayMs: number; random: () => number } | null = null;

  // ---- API ------------------------------------------------------------------------------------

  function newSerialNo(): string {
    for (;;) {
      let digits = '';
      for (let i = 0; i < 27; i += 1) digits += String(randomInt(10));
      const serialNo = `${randomInt(1000, 10_000)}:${digits}`;
      if (!records.has(serialNo)) return serialNo;
    }
  }

  function takeFault(level: FaultLevel): string | null {
    const index = queuedFaults.findIndex((f) => f.level === level);
    if (index >= 0) return queuedFaults.splice(index, 1)[0]!.code;
    // failRate: half of it at request level, half per number, so one-number requests fail at ≈ the rate.
    if (failRate > 0 && random() < failRate / 2) {
      if (level === 'number') return 'LimitExceeded.DeliveryFrequencyLimit';
      return random() < 0.5 ? 'InternalError.Timeout' : 'RequestLimitExceeded';
    }
    return null;
  }

  /** Tencent's default frequency policy, counted over accepted messages only. */
  function limitHit(phone: string, templateId: string, nowMs: number): string | null {
    const history = (throttle.get(phone) ?? []).filter((e) => nowMs - e.atMs < 2 * 86_400_000);
    throttle.set(phone, history);
    if (limits.thirtySecondSameTemplate && history.some((e) => e.templateId === templateId && nowMs - e.atMs < 30_000)) return 'LimitExceeded.PhoneNumberThirtySecondLimit';
    if (limits.perHour !== null && history.filter((e) => nowMs - e.atMs < 3_600_000).length >= limits.perHour) return 'LimitExceeded.PhoneNumberOneHourLimit';
    const today = chinaDay(nowMs);
    if (limits.perDay !== null && history.filter((e) => chinaDay(e.atMs) === today).length >= limits.perDay) return 'LimitExceeded.PhoneNumberDailyLimit';
    return null;
  }

  type Failure = { ok: false; code: string; message?: string };
  type Check = { ok: true } | Failure;
  const fail = (code: string, message?: string): Failure => ({ ok: false, code, ...(message === undefined ? {} : { message }) });

  /** What Tencent's API gateway checks before the SMS service sees the request. */
  function authenticate(req: Request, raw: Buffer): Check {
    const auth = parseTc3Authorization(req.get('authorization'));
    if (!auth) return fail('AuthFailure.InvalidAuthorization');
    if (!auth.signedHeaders.includes('content-type') || !auth.signedHeaders.includes('host')) return fail('AuthFailure.InvalidAuthorization', 'SignedHeaders must include content-type and host.');
    const timestampText = req.get('x-tc-timestamp');
    if (!timestampText || !/^\d{1,12}$/.test(timestampText)) return fail('MissingParameter', 'The request is missing a required parameter `Timestamp`.');
    const timestamp = Number(timestampText);
    if (Math.abs(clock.now() / 1000 - timestamp) > MAX_SKEW_SECONDS) return fail('AuthFailure.SignatureExpire');
    if (auth.secretId !== secretId) return fail('AuthFailure.SecretIdNotFound');
    // The scope date is part of the signing key; it must be the timestamp's UTC date.
    if (auth.date !== utcDate(timestamp)) return fail('AuthFailure.SignatureFailure', 'The credential scope date does not match X-TC-Timestamp.');
    const hostname = (req.get('host') ?? '').replace(/:\d+$/, '');
    // Upstream the scope says `sms`; the SDK derives it from the endpoint's first label, so a
    // client pointed at 127.0.0.1:PORT signs as "127". Both are checked with the real key.
    if (auth.service !== 'sms' && auth.service !== hostname.split('.')[0]) return fail('AuthFailure.SignatureFailure', `Credential scope service \`${auth.service}\` is not sms.`);
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) headers[name] = name === 'host' ? hostname : (req.get(name) ?? '');
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    const canonical = canonicalRequest({ method: req.method, path: req.path, query, headers, signedHeaders: auth.signedHeaders, payload: raw });
    const expected = tc3Signature(secretKey, auth.date, auth.service, stringToSign(timestamp, auth.date, auth.service, canonical));
    if (!signaturesEqual(expected, auth.signature)) return fail('AuthFailure.SignatureFailure');
    return { ok: true };
  }

  function checkCommonParameters(req: Request): Check {
    const action = req.get('x-tc-action');
    if (!action) return fail('MissingParameter', 'The request is missing a required parameter `Action`.');
    if (action !== ACTION) return fail('InvalidAction', `The requested action \`${action}\` does not exist.`);
    const version = req.get('x-tc-version');
    if (version !== API_VERSION) return fail('NoSuchVersion', `The requested version \`${version ?? ''}\` of api \`sms\` does not exist.`);
    const region = req.get('x-tc-region');
    if (!region) return fail('MissingParameter', 'The request is missing a required parameter `Region`.');
    if (!regions.has(region)) return fail('UnsupportedRegion', `The region \`${region}\` is not supported.`);
    return { ok: true };
  }

  interface ValidRequest {
    templateId: string;
    template: FakeSmsTemplate;
    params: string[];
    phones: string[];
    sessionContext: string;
  }

  function validateBody(body: Record<string, unknown>): { ok: true; value: ValidRequest } | Failure {
    const missing = (name: string) => fail('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
    const badType = (name: string) => fail('InvalidParameter', `The value type of parameter \`${name}\` is not valid.`);
    const { SmsSdkAppId, TemplateId, SignName, TemplateParamSet, PhoneNumberSet, SessionContext } = body;
    if (SmsSdkAppId === undefined) return missing('SmsSdkAppId');
    if (typeof SmsSdkAppId !== 'string') return badType('SmsSdkAppId');
    if (SmsSdkAppId !== smsSdkAppId) return fail('UnauthorizedOperation.SmsSdkAppIdVerifyFail');
    if (TemplateId === undefined) return missing('TemplateId');
    if (typeof TemplateId !== 'string') return badType('TemplateId');
    // Mainland messages need an approved signature, although the field is optional for international ones.
    if (SignName !== undefined && typeof SignName !== 'string') return badType('SignName');
    if (SignName !== signName) return fail('FailedOperation.SignatureIncorrectOrUnapproved');
    const template = templates[TemplateId];
    if (!template) return fail('FailedOperation.TemplateIncorrectOrUnapproved');
    const params = TemplateParamSet ?? [];
    if (!Array.isArray(params)) return badType('TemplateParamSet');
    const nonString = params.findIndex((p) => typeof p !== 'string');
    if (nonString >= 0) return badType(`TemplateParamSet.${nonString}`);
    // Field answers for a parameter-count mismatch carry this code (the docs also list TemplateParamSetNotMatchApprovedTemplate).
    if (params.length !== paramCountOf(template.text)) return fail('FailedOperation.TemplateIncorrectOrUnapproved');
    if (SessionContext !== undefined && typeof SessionContext !== 'string') return badType('SessionContext');
    if (typeof SessionContext === 'string' && Buffer.byteLength(SessionContext) > MAX_SESSION_CONTEXT_BYTES) return fail('InvalidParameterValue', 'SessionContext must be shorter than 512 bytes.');
    if (PhoneNumberSet === undefined || (Array.isArray(PhoneNumberSet) && PhoneNumberSet.length === 0)) return fail('MissingParameter.EmptyPhoneNumberSet');
    if (!Array.isArray(PhoneNumberSet)) return badType('PhoneNumberSet');
    if (PhoneNumberSet.length > MAX_PHONE_NUMBERS) return fail('LimitExceeded.PhoneNumberCountLimit');
    const nonStringPhone = PhoneNumberSet.findIndex((p) => typeof p !== 'string');
    if (nonStringPhone >= 0) return badType(`PhoneNumberSet.${nonStringPhone}`);
    if ([...renderContent(signName, template.text, params as string[])].length > MAX_CONTENT_LENGTH) return fail('InvalidParameterValue.ContentLengthLimit');
    return { ok: true, value: { templateId: TemplateId, template, params: params as string[], phones: PhoneNumberSet as string[], sessionContext: SessionContext ?? '' } };
  }

  function sendOne(input: ValidRequest, given: string, requestId: string, nowMs: number): SendStatus {
    const failure = (code: string, phone: string, isoCode: string): SendStatus => ({
      SerialNo: '',
      PhoneNumber: phone,
      Fee: 0,
      SessionContext: input.sessionContext,
      Code: code,
      Message: messageFor(code),
      IsoCode: isoCode,
    });
    const phone = mainlandE164(given);
    if (phone === null) return failure('InvalidParameterValue.IncorrectPhoneNumber', given, '');
    if (input.template.kind === 'verification' && input.params.some((p) => !/^\d{0,6}$/.test(p))) return failure('InvalidParameterValue.TemplateParameterFormatError', phone, 'CN');
    const fault = takeFault('number');
    if (fault !== null) return failure(fault, phone, 'CN');
    const limit = limitHit(phone, input.templateId, nowMs);
    if (limit !== null) return failure(limit, phone, 'CN');

    const content = renderContent(signName, input.template.text, input.params);
    const record: FakeSmsRecord = {
      serialNo: newSerialNo(),
      phone,
      templateId: input.templateId,
      params: [...input.params],
      content,
      fee: feeOf(content),
      sessionContext: input.sessionContext,
      signName,
      requestId,
      acceptedAt: nowMs,
      report: null,
    };
    records.set(record.serialNo, record);
    throttle.get(phone)!.push({ atMs: nowMs, templateId: input.templateId });
    return { SerialNo: record.serialNo, PhoneNumber: phone, Fee: record.fee, SessionContext: input.sessionContext, Code: 'Ok', Message: messageFor('Ok'), IsoCode: 'CN' };
  }

  function handleApi(req: Request, res: Response): void {
    const requestId = randomUUID();
    const raw = Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0);
    const entry: FakeApiRequest = {
      atMs: clock.now(),
      requestId,
      method: req.method,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      body: raw.toString('utf8'),
      outcome: 'Ok',
    };
    requestLog.push(entry);
    if (requestLog.length > REQUEST_LOG_LIMIT) requestLog.shift();
    // Tencent answers API errors with HTTP 200; the SDK turns Response.Error into an exception.
    const answerError = (code: string, message?: string) => {
      entry.outcome = code;
      res.status(200).json({ Response: { Error: { Code: code, Message: message ?? messageFor(code) }, RequestId: requestId } });
    };

    if (req.method !== 'POST') return answerError('UnsupportedProtocol', 'The fake accepts only POST application/json requests.');
    const auth = authenticate(req, raw);
    if (!auth.ok) return answerError(auth.code, auth.message);
    const common = checkCommonParameters(req);
    if (!common.ok) return answerError(common.code, common.message);
    if (!(req.get('content-type') ?? '').toLowerCase().startsWith('application/json')) return answerError('InvalidParameter', 'The fake accepts only application/json bodies.');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return answerError('FailedOperation.JsonParseFail', 'Failed to parse the request body.');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return answerError('FailedOperation.JsonParseFail', 'Failed to parse the request body.');
    const requestFault = takeFault('request');
    if (requestFault !== null) return answerError(requestFault);
    const valid = validateBody(body as Record<string, unknown>);
    if (!valid.ok) return answerError(valid.code, valid.message);

    const nowMs = clock.now();
    const statuses = valid.value.phones.map((given) => sendOne(valid.value, given, requestId, nowMs));
    res.status(200).json({ Response: { SendStatusSet: statuses, RequestId: requestId } });

    const accepted = statuses.filter((s) => s.Code === 'Ok').map((s) => records.get(s.SerialNo)!);
    if (auto && accepted.length > 0) {
      const settings = auto;
      for (const record of accepted) record.report = reportFor(settings.random() < settings.successRate ? 'SUCCESS' : 'FAIL', {});
      if (callbackUrl) postReports(callbackUrl, accepted, settings.delayMs);
    }
  }

  // ---- delivery reports ----------------------------------------------------------------------

  function reportFor(status: 'SUCCESS' | 'FAIL', deliverOptions: DeliverOptions): StatusReportRecord {
    return {
      status,
      errmsg: deliverOptions.errmsg ?? (status === 'SUCCESS' ? 'DELIVRD' : 'UNDELIV'),
      description: deliverOptions.description ?? (status === 'SUCCESS' ? '用户短信送达成功' : '用户短信接收失败'),
      decidedAt: clock.now(),
    };
  }

  function postReports(url: string, batch: FakeSmsRecord[], delayMs: number): CallbackDelivery {
    return callbacks.send(
      url,
      batch.map((r) => r.serialNo),
      () => {
        const receivedAt = chinaDateTime(clock.now());
        return batch.map(
          (r): StatusReportWire => ({
            user_receive_time: receivedAt,
            nationcode: '86',
            mobile: r.phone.slice(3),
            report_status: r.report!.status,
            errmsg: r.report!.errmsg,
            description: r.report!.description,
            sid: r.serialNo,
          }),
        );
      },
      delayMs,
    );
  }

  function deliver(target: string, status: 'SUCCESS' | 'FAIL' = 'SUCCESS', deliverOptions: DeliverOptions = {}): CallbackDelivery {
    if (!callbackUrl) throw new ControlError(409, 'no callback URL configured (callbackUrl option or setCallbackUrl)');
    let batch: FakeSmsRecord[];
    if (target === 'all') {
      batch = [...records.values()].filter((r) => r.report === null);
      if (batch.length === 0) throw new ControlError(409, 'every accepted message has been reported already');
    } else {
      const record = records.get(target);
      if (!record) throw new ControlError(404, `no accepted message with SerialNo ${target}`);
      // Re-delivering the same report is allowed (duplicate callbacks happen); changing it is not.
      if (record.report && record.report.status !== status) throw new ControlError(409, `message ${target} was already reported ${record.report.status}`);
      batch = [record];
    }
    for (const record of batch) record.report ??= reportFor(status, deliverOptions);
    return postReports(callbackUrl, batch, deliverOptions.delayMs ?? 0);
  }

  // ---- control API ---------------------------------------------------------------------------

  const app = express();
  app.disable('x-powered-by');
  const control = express.Router();
  // The demo page (another origin) reads the fake handset's inbox from the control routes.
  control.use((req, res, next) => {
    res.set({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type' });
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });
  control.use(express.json({ limit: '16kb' }));
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
  control.get('/health', (_req, res) => void res.json({ ok: true, smsSdkAppId, signName, secretId, templates, regions: [...regions], callbackUrl }));
  control.get('/sent', (_req, res) => void res.json(handle.sent()));
  control.get('/requests', (_req, res) => void res.json(handle.requests()));
  control.get('/callbacks', (_req, res) => void res.json(handle.callbacks()));
  control.post(
    '/faults',
    controlRoute(
      z.strictObject({
        failRate: z.number().min(0).max(1).optional(),
        seed: z.number().int().optional(),
        failNext: z.strictObject({ count: z.number().int().min(1).max(1000), code: z.string().min(1).optional(), level: z.enum(['request', 'number']).optional() }).optional(),
      }),
      (input) => {
        if (input.failRate !== undefined) handle.failRate(input.failRate, input.seed);
        if (input.failNext) handle.failNext(input.failNext.count, input.failNext.code, { level: input.failNext.level ?? 'request' });
        return { failRate, queued: queuedFaults.length };
      },
    ),
  );
  control.post(
    '/deliver',
    controlRoute(
      z.strictObject({
        target: z.string().min(1),
        status: z.enum(['SUCCESS', 'FAIL']).optional(),
        delayMs: z.number().int().min(0).max(600_000).optional(),
        errmsg: z.string().min(1).optional(),
        description: z.string().optional(),
      }),
      ({ target, status, ...rest }) => deliver(target, status, rest),
    ),
  );
  control.post(
    '/auto-deliver',
    controlRoute(
      z.union([
        z.strictObject({ enabled: z.literal(false) }),
        z.strictObject({ successRate: z.number().min(0).max(1).optional(), delayMs: z.number().int().min(0).max(600_000).optional(), seed: z.number().int().optional() }),
      ]),
      (input) => handle.autoDeliver('enabled' in input ? false : input),
    ),
  );
  control.post('/callback-url', controlRoute(z.strictObject({ url: z.url().nullable() }), (input) => handle.setCallbackUrl(input.url)));
  control.post('/reset', controlRoute(z.strictObject({}), () => handle.reset()));

  app.use('/__fake__', control);
  // Any content type, kept raw: the signature covers the exact bytes.
  app.all('/', express.raw({ type: () => true, limit: '1mb' }), handleApi);
  app.use((_req: Request, res: Response) => void res.status(404).json({ error: 'not a Tencent Cloud API path; the API lives at POST /' }));
  // Control-route bugs become a readable 500 instead of Express's HTML page.
  app.use((caught: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: caught instanceof Error ? caught.message : String(caught) });
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;

  const handle: FakeTencentSms = {
    url: `http://${hostPart}:${port}`,
    endpoint: `${hostPart}:${port}`,
    port,
    secretId,
    secretKey,
    smsSdkAppId,
    signName,
    templates,
    sent: () => [...records.values()].map((r) => ({ ...r, params: [...r.params], report: r.report ? { ...r.report } : null })),
    requests: () => requestLog.map((r) => ({ ...r, headers: { ...r.headers } })),
    callbacks: () => callbacks.log(),
    callbacksIdle: () => callbacks.idle(),
    failRate(rate, seed) {
      if (!(rate >= 0 && rate <= 1)) throw new Error('failRate must be between 0 and 1');
      failRate = rate;
      if (seed !== undefined) random = seededRandom(seed);
    },
    failNext(count, code, failOptions = {}) {
      const level = failOptions.level ?? 'request';
      const faultCode = code ?? (level === 'request' ? 'InternalError.Timeout' : 'LimitExceeded.DeliveryFrequencyLimit');
      for (let i = 0; i < count; i += 1) queuedFaults.push({ level, code: faultCode });
    },
    deliver,
    autoDeliver(settings) {
      if (settings === false) {
        auto = null;
        return;
      }
      const successRate = settings.successRate ?? 1;
      if (!(successRate >= 0 && successRate <= 1)) throw new Error('successRate must be between 0 and 1');
      auto = { successRate, delayMs: settings.delayMs ?? 1000, random: settings.seed === undefined ? Math.random : seededRandom(settings.seed) };
    },
    setCallbackUrl(url) {
      callbackUrl = url;
    },
    reset() {
      records.clear();
      throttle.clear();
      requestLog.length = 0;
      queuedFaults.length = 0;
      failRate = 0;
      auto = null;
    },
    async stop() {
      callbacks.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}
