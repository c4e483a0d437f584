/**
 * A local stand-in for the WeChat server API (api.weixin.qq.com) that speaks
 * the real protocol: the same paths, query and body fields, HTTP 200 with
 * `{errcode, errmsg}` on failure, single-use 5-minute codes and stable access
 * tokens. Tests and the mini program's H5 build point WECHAT_API_BASE at it.
 *
 * The `/__fake__/*` endpoints stand in for the phone (wx.login, the
 * getPhoneNumber button, the subscribe popup) and for test control; they do
 * not exist upstream.
 *
 * Subscribe messages (`/cgi-bin/message/subscribe/send`, wechat-and-libraries.md
 * §4): templates are configured (id → keyword ids; the kind is the keyword's
 * prefix, as upstream), values are checked against the §4.1 limits (47003),
 * and each `accept` a user gave for a template allows exactly one message
 * (§4.2): without one left, 43101. The field rules here are written apart from
 * core/src/wechat-messages/fields.ts on purpose, so a bug there is not copied
 * into the fake that is meant to catch it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { type Clock, systemClock } from '../../../core/src/clock.ts';

export type FakeWechatFault = null | 'system-busy' | 'http-500' | 'slow';
/** A queued fault for subscribe/send: one of the global faults, or any errcode (e.g. 45009). */
export type FakeSubscribeFault = Exclude<FakeWechatFault, null> | { errcode: number; errmsg?: string };

export interface FakeWechatApiOptions {
  appid: string;
  secret: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  clock?: Clock;
  /** Subscribe templates: id → keyword ids (`thing1`, `time2`, …). */
  subscribeTemplates?: Record<string, readonly string[]>;
  /** Fraction (0–1) of subscribe/send calls answered -1 system busy. */
  failRate?: number;
  /** Seed of the failRate draws, for reproducible runs. */
  seed?: number;
}

export interface FailNextOptions {
  /**
   * Deliver the message (consent spent, logged) and answer the fault anyway: "did it send?" after a
   * timeout. A request refused on its own merits (43101, 47003…) keeps that answer and uses the fault up.
   */
  afterApplying?: boolean;
}

export interface FakeSubscribeMessage {
  msgid: string;
  touser: string;
  templateId: string;
  page: string | undefined;
  miniprogramState: string;
  lang: string;
  /** keyword → value, as received. */
  data: Record<string, string>;
  sentAt: number;
}

export interface FakeWechatStats {
  code2Session: number;
  stableToken: number;
  phone: number;
  subscribeSend: number;
}

export interface FakeWechatApi {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:9101. */
  url: string;
  /** What wx.login returns on the phone of `user` (any seed string). */
  issueLoginCode(user: string): string;
  /** What the getPhoneNumber button returns; `phone` is `13812345678` or `+852 51234567`. */
  issuePhoneCode(phone: string): string;
  openidFor(user: string): string;
  /** Only users whose seed starts with `union-` are bound to an Open Platform account. */
  unionidFor(user: string): string | null;
  setFault(fault: FakeWechatFault): void;
  /** Every access token stops working at once, as after a force_refresh elsewhere. */
  invalidateAccessTokens(): void;
  /** Requests received per upstream endpoint, failed and faulted ones included. */
  stats(): FakeWechatStats;
  addSubscribeTemplate(templateId: string, keywords: readonly string[]): void;
  /** The user tapped "accept" for this template `count` times (wx.requestSubscribeMessage); returns the consents left. */
  grantConsent(openid: string, templateId: string, count?: number): number;
  remainingConsent(openid: string, templateId: string): number;
  /** The next `count` subscribe/send calls fail (after token checks, before the body is looked at). */
  failNext(count: number, fault?: FakeSubscribeFault, options?: FailNextOptions): void;
  setFailRate(rate: number, seed?: number): void;
  /** Every subscribe message delivered, oldest first. */
  sentMessages(): FakeSubscribeMessage[];
  close(): Promise<void>;
}

const CODE_TTL_MS = 5 * 60_000;
const TOKEN_TTL_MS = 7200 * 1000;
/** The platform hands out a new stable token this long before the old one expires; both work meanwhile. */
const TOKEN_ROTATE_BEFORE_MS = 5 * 60_000;
const LOGIN_CALLS_PER_MINUTE = 100;
const SLOW_DELAY_MS = 5_000;
/** Above this many outstanding codes (or logged messages), old ones are forgotten so a long-running fake stays small. */
const PRUNE_THRESHOLD = 10_000;

const FAULTS = ['system-busy', 'http-500', 'slow'] as const;

interface IssuedCode<T> {
  subject: T;
  issuedAt: number;
  used: boolean;
}

interface PhoneSubject {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

interface WechatError {
  errcode: number;
  errmsg: string;
}

const ERR = {
  systemBusy: { errcode: -1, errmsg: 'system error' },
  invalidCredential: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' },
  invalidGrantType: { errcode: 40002, errmsg: 'invalid grant_type' },
  invalidAppid: { errcode: 40013, errmsg: 'invalid appid' },
  invalidCode: { errcode: 40029, errmsg: 'invalid code' },
  invalidSecret: { errcode: 40125, errmsg: 'invalid appsecret' },
  codeUsed: { errcode: 40163, errmsg: 'code been used' },
  codeBlocked: { errcode: 40226, errmsg: 'code blocked' },
  tokenMissing: { errcode: 41001, errmsg: 'access_token missing' },
  appidMissing: { errcode: 41002, errmsg: 'appid missing' },
  secretMissing: { errcode: 41004, errmsg: 'appsecret missing' },
  codeMissing: { errcode: 41008, errmsg: 'missing code' },
  tokenExpired: { errcode: 42001, errmsg: 'access_token expired' },
  minuteQuota: { errcode: 45011, errmsg: 'api minute-quota reach limit mustslower retry next minute' },
  dataFormat: { errcode: 47001, errmsg: 'data format error' },
  invalidOpenid: { errcode: 40003, errmsg: 'invalid openid' },
  invalidTemplate: { errcode: 40037, errmsg: 'invalid template_id' },
  noConsent: { errcode: 43101, errmsg: 'user refuse to accept the msg' },
} as const satisfies Record<string, WechatError>;

/** WeChat appends a request id to every errmsg; logs that keep it are easier to match with support tickets. */
function fail(res: Response, error: WechatError): void {
  res.json({ errcode: error.errcode, errmsg: `${error.errmsg} rid: ${randomBytes(12).toString('hex')}` });
}

function queryString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function hmac28(key: string, value: string): string {
  return ('o' + createHmac('sha256', key).update(value).digest('base64url')).slice(0, 28);
}

function parsePhone(phone: string): PhoneSubject {
  const international = /^\+(\d{1,4}) (\d{4,15})$/.exec(phone);
  if (international) {
    const [, countryCode = '', pure = ''] = international;
    return { phoneNumber: `+${countryCode} ${pure}`, purePhoneNumber: pure, countryCode };
  }
  if (/^1\d{10}$/.test(phone)) return { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' };
  throw new Error(`fake WeChat: phone must look like 13812345678 or "+852 51234567", got ${JSON.stringify(phone)}`);
}

/** mulberry32: the same failRate draws for the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- subscribe field rules (wechat-and-libraries.md §4.1), independent of core's fitField ----

const SYMBOL = String.raw`!-\/:-@\[-\x60{-~`;
const POINT_DATE = String.raw`(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2})`;
const POINT_TIME = String.raw`(?:[01]?\d|2[0-3]):[0-5]\d`;
const TIME_VALUE = new RegExp(`^(?:${POINT_DATE} ?)?${POINT_TIME}(?: ?~ ?(?:${POINT_DATE} ?)?${POINT_TIME})?$`, 'u');
const DATE_VALUE = new RegExp(`^${POINT_DATE}(?: ?${POINT_TIME})?(?: ?~ ?${POINT_DATE}(?: ?${POINT_TIME})?)?$`, 'u');

/** Whether upstream would take `value` for a keyword of this prefix; unknown prefixes only need a value. */
function subscribeValueValid(keyword: string, value: string): boolean {
  const length = Array.from(value).length;
  if (length === 0) return false;
  const kind = /^([a-z_]+?)\d+$/u.exec(keyword)?.[1];
  switch (kind) {
    case 'thing':
      return length <= 20;
    case 'number':
      return /^\d+(?:\.\d+)?$/u.test(value) && length <= 32;
    case 'letter':
      return /^[A-Za-z]{1,32}$/u.test(value);
    case 'symbol':
      return new RegExp(`^[${SYMBOL}]{1,5}$`, 'u').test(value);
    case 'character_string':
      return new RegExp(`^[0-9A-Za-z${SYMBOL}]{1,32}$`, 'u').test(value);
    case 'time':
      return TIME_VALUE.test(value);
    case 'date':
      return DATE_VALUE.test(value);
    case 'amount': {
      const match = /^[¥￥$€£]?(\d+)(?:\.(\d+))?元?$/u.exec(value);
      return match !== null && (match[1] ?? '').length + (match[2] ?? '').length <= 10;
    }
    case 'phone_number':
      return new RegExp(`^[0-9${SYMBOL}]{1,17}$`, 'u').test(value);
    case 'car_number':
      return length <= 8 && !/\s/u.test(value);
    case 'name':
      return /\p{Script=Han}/u.test(value) ? length <= 10 : length <= 20;
    case 'phrase':
      return /^\p{Script=Han}{1,5}$/u.test(value);
    default:
      return true;
  }
}

const userBody = z.object({ user: z.string().min(1).max(200) });
const phoneBody = z.object({ phone: z.string().min(1).max(30) });
const subscribeFaultSchema = z.union([z.enum(FAULTS), z.object({ errcode: z.number().int(), errmsg: z.string().optional() })]);
const faultBody = z.object({
  /** The global fault of every upstream endpoint; absent leaves it as it is. */
  fault: z.enum(FAULTS).nullable().optional(),
  /** Queued faults for subscribe/send. */
  failNext: z.object({ count: z.number().int().min(1).max(1000), fault: subscribeFaultSchema.optional(), afterApplying: z.boolean().optional() }).optional(),
  failRate: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
});
const consentBody = z
  .object({
    openid: z.string().min(1).optional(),
    /** The wx.login seed instead of the openid, for the browser build. */
    user: z.string().min(1).optional(),
    templateId: z.string().min(1),
    count: z.number().int().min(1).max(1000).optional(),
  })
  .refine((body) => (body.openid === undefined) !== (body.user === undefined), 'give exactly one of openid and user');
const subscribeSendBody = z.object({
  touser: z.string().optional(),
  template_id: z.string().optional(),
  page: z.string().optional(),
  miniprogram_state: z.unknown().optional(),
  lang: z.unknown().optional(),
  data: z.unknown().optional(),
});
const OPENID = /^o[A-Za-z0-9_-]{27}$/u;
const MINIPROGRAM_STATES = new Set(['developer', 'trial', 'formal']);
const LANGS = new Set(['zh_CN', 'en_US', 'zh_HK', 'zh_TW']);
const stableTokenBody = z.object({
  grant_type: z.string().optional(),
  appid: z.string().optional(),
  secret: z.string().optional(),
  force_refresh: z.boolean().optional(),
});
const phoneNumberBody = z.object({ code: z.string().min(1), openid: z.string().optional() });

export async function startFakeWechatApi(options: FakeWechatApiOptions): Promise<FakeWechatApi> {
  const { appid, secret } = options;
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';

  let fault: FakeWechatFault = null;
  const counts: FakeWechatStats = { code2Session: 0, stableToken: 0, phone: 0, subscribeSend: 0 };
  const templates = new Map<string, readonly string[]>(Object.entries(options.subscribeTemplates ?? {}));
  /** `<openid> <templateId>` → one-time consents left. */
  const consents = new Map<string, number>();
  const sent: FakeSubscribeMessage[] = [];
  const queuedFaults: { fault: FakeSubscribeFault; afterApplying: boolean }[] = [];
  let failRate = options.failRate ?? 0;
  let random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  const consentKey = (openid: string, templateId: string) => `${openid} ${templateId}`;
  const loginCodes = new Map<string, IssuedCode<string>>();
  const phoneCodes = new Map<string, IssuedCode<PhoneSubject>>();
  /** token → expiry (ms); several can be valid at once during rotation. */
  const tokens = new Map<string, number>();
  let latestToken: string | null = null;
  const loginCalls = new Map<string, { minute: number; count: number }>();

  function issue<T>(codes: Map<string, IssuedCode<T>>, code: string, subject: T): string {
    const now = clock.now();
    if (codes.size >= PRUNE_THRESHOLD) {
      for (const [key, entry] of codes) if (now - entry.issuedAt > 2 * CODE_TTL_MS) codes.delete(key);
    }
    codes.set(code, { subject, issuedAt: now, used: false });
    return code;
  }

  const openidFor = (user: string) => hmac28(appid, user);
  // A unionid belongs to the Open Platform account, not to this app, hence a key other than the appid.
  const unionidFor = (user: string) => (user.startsWith('union-') ? hmac28('fake-open-platform', user) : null);

  /** Fixed one-minute windows: the real limit says "retry next minute". */
  function overMinuteQuota(user: string): boolean {
    const minute = Math.floor(clock.now() / 60_000);
    const entry = loginCalls.get(user);
    if (!entry || entry.minute !== minute) {
      loginCalls.set(user, { minute, count: 1 });
      return false;
    }
    entry.count += 1;
    return entry.count > LOGIN_CALLS_PER_MINUTE;
  }

  function newToken(): { token: string; expiresAt: number } {
    const now = clock.now();
    for (const [token, expiresAt] of tokens) if (expiresAt <= now) tokens.delete(token);
    const token = randomBytes(96).toString('base64url');
    const expiresAt = now + TOKEN_TTL_MS;
    tokens.set(token, expiresAt);
    latestToken = token;
    return { token, expiresAt };
  }

  function checkApp(givenAppid: string | undefined, givenSecret: string | undefined): WechatError | null {
    if (!givenAppid) return ERR.appidMissing;
    if (!givenSecret) return ERR.secretMissing;
    if (givenAppid !== appid) return ERR.invalidAppid;
    if (givenSecret !== secret) return ERR.invalidSecret;
    return null;
  }

  /** Answers with the fault (true), or lets the request through (false). A 'slow' fault only delays. */
  async function playFault(active: FakeSubscribeFault | null, res: Response): Promise<boolean> {
    if (active !== null && typeof active === 'object') {
      fail(res, { errcode: active.errcode, errmsg: active.errmsg ?? 'fake fault' });
      return true;
    }
    if (active === 'slow') {
      let gone = false;
      await new Promise<void>((resolve) => {
        // The caller usually times out first; stop waiting then, so close() is not held up.
        const done = () => {
          gone = !res.writableEnded;
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          res.off('close', done);
          resolve();
        }, SLOW_DELAY_MS);
        res.once('close', done);
      });
      if (gone) return true;
    }
    if (active === 'http-500') {
      res.status(500).type('html').send('<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center></body></html>');
      return true;
    }
    if (active === 'system-busy') {
      fail(res, ERR.systemBusy);
      return true;
    }
    return false;
  }

  /** Counts the request, then plays the current fault before the real handler runs. */
  function upstream(counter: keyof FakeWechatStats) {
    return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
      counts[counter] += 1;
      if (await playFault(fault, res)) return;
      next();
    };
  }

  /** Token checks shared by every API called with an access_token. */
  function tokenError(req: Request): WechatError | null {
    const accessToken = queryString(req.query.access_token);
    if (!accessToken) return ERR.tokenMissing;
    const expiresAt = tokens.get(accessToken);
    if (expiresAt === undefined) return ERR.invalidCredential;
    if (expiresAt <= clock.now()) return ERR.tokenExpired;
    return null;
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));

  app.get('/sns/jscode2session', upstream('code2Session'), (req, res) => {
    const jsCode = queryString(req.query.js_code);
    const grantType = queryString(req.query.grant_type);
    const appError = checkApp(queryString(req.query.appid), queryString(req.query.secret));
    if (appError) return fail(res, appError);
    if (grantType !== 'authorization_code') return fail(res, ERR.invalidGrantType);
    if (!jsCode) return fail(res, ERR.codeMissing);

    const entry = loginCodes.get(jsCode);
    if (!entry) return fail(res, ERR.invalidCode);
    const user = entry.subject;
    // A rejected call leaves the code unused, so the same code works once the minute is over.
    if (overMinuteQuota(user)) return fail(res, ERR.minuteQuota);
    if (entry.used) return fail(res, ERR.codeUsed);
    if (clock.now() - entry.issuedAt > CODE_TTL_MS) return fail(res, ERR.invalidCode);
    entry.used = true;
    if (user.startsWith('blocked-')) return fail(res, ERR.codeBlocked);

    const unionid = unionidFor(user);
    res.json({
      session_key: randomBytes(16).toString('base64'),
      openid: openidFor(user),
      ...(unionid ? { unionid } : {}),
    });
  });

  app.post('/cgi-bin/stable_token', upstream('stableToken'), (req, res) => {
    const body = stableTokenBody.safeParse(req.body);
    if (!body.success) return fail(res, ERR.dataFormat);
    const appError = checkApp(body.data.appid, body.data.secret);
    if (appError) return fail(res, appError);
    if (body.data.grant_type !== 'client_credential') return fail(res, ERR.invalidGrantType);

    const now = clock.now();
    let current: { token: string; expiresAt: number };
    const latestExpiry = latestToken === null ? undefined : tokens.get(latestToken);
    if (body.data.force_refresh) {
      // A forced refresh revokes every earlier token at once; that is its purpose (a leaked token).
      tokens.clear();
      current = newToken();
    } else if (latestToken !== null && latestExpiry !== undefined && latestExpiry - now > TOKEN_ROTATE_BEFORE_MS) {
      current = { token: latestToken, expiresAt: latestExpiry };
    } else {
      current = newToken();
    }
    res.json({ access_token: current.token, expires_in: Math.floor((current.expiresAt - now) / 1000) });
  });

  app.post('/wxa/business/getuserphonenumber', upstream('phone'), (req, res) => {
    const badToken = tokenError(req);
    if (badToken) return fail(res, badToken);

    const body = phoneNumberBody.safeParse(req.body);
    if (!body.success) return fail(res, ERR.dataFormat);
    const entry = phoneCodes.get(body.data.code);
    if (!entry || entry.used || clock.now() - entry.issuedAt > CODE_TTL_MS) return fail(res, ERR.invalidCode);
    entry.used = true;
    res.json({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        ...entry.subject,
        watermark: { timestamp: Math.floor(clock.now() / 1000), appid },
      },
    });
  });

  /** Queued faults first, then the failRate draw; the global `fault` has already played in upstream(). */
  async function subscribeFaults(_req: Request, res: Response, next: NextFunction): Promise<void> {
    const queued = queuedFaults.shift();
    const drawn = queued ?? (failRate > 0 && random() < failRate ? { fault: 'system-busy' as const, afterApplying: false } : undefined);
    if (drawn?.afterApplying) res.locals.faultAfterApplying = drawn.fault;
    else if (drawn && (await playFault(drawn.fault, res))) return;
    next();
  }

  function subscribeDataError(templateId: string, data: unknown): WechatError | null {
    const keywords = templates.get(templateId) ?? [];
    const invalid = (what: string): WechatError => ({ errcode: 47003, errmsg: `argument invalid! ${what}` });
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return invalid('data invalid');
    const entries = data as Record<string, unknown>;
    // Stricter than upstream may be: a keyword the template lacks is refused, so typos surface in tests.
    for (const key of Object.keys(entries)) if (!keywords.includes(key)) return invalid(`data.${key} not in template`);
    for (const key of keywords) {
      const entry = entries[key];
      const value = typeof entry === 'object' && entry !== null ? (entry as { value?: unknown }).value : undefined;
      if (typeof value !== 'string') return invalid(`data.${key}.value is empty`);
      if (!subscribeValueValid(key, value)) return invalid(`data.${key}.value invalid`);
    }
    return null;
  }

  app.post('/cgi-bin/message/subscribe/send', upstream('subscribeSend'), (req, res, next) => {
    const badToken = tokenError(req);
    if (badToken) return fail(res, badToken);
    next();
  }, subscribeFaults, async (req, res) => {
    const body = subscribeSendBody.safeParse(req.body);
    if (!body.success) return fail(res, ERR.dataFormat);
    const { touser, template_id: templateId, page, miniprogram_state: state = 'formal', lang = 'zh_CN', data } = body.data;
    if (!touser || !OPENID.test(touser)) return fail(res, ERR.invalidOpenid);
    if (!templateId || !templates.has(templateId)) return fail(res, ERR.invalidTemplate);
    if (typeof state !== 'string' || !MINIPROGRAM_STATES.has(state)) return fail(res, { errcode: 47003, errmsg: 'argument invalid! miniprogram_state invalid' });
    if (typeof lang !== 'string' || !LANGS.has(lang)) return fail(res, { errcode: 47003, errmsg: 'argument invalid! lang invalid' });
    const dataError = subscribeDataError(templateId, data);
    if (dataError) return fail(res, dataError);

    // §4.2: each accept allows one message; a failed send above spends nothing.
    const key = consentKey(touser, templateId);
    const left = consents.get(key) ?? 0;
    if (left <= 0) return fail(res, ERR.noConsent);
    if (left === 1) consents.delete(key);
    else consents.set(key, left - 1);

    // Upstream msgids are 64-bit integers, beyond a JS number's exact range.
    const msgid = (randomBytes(8).readBigUInt64BE() >> 1n).toString();
    const values = Object.fromEntries(Object.entries(data as Record<string, { value: string }>).map(([k, v]) => [k, v.value]));
    if (sent.length >= PRUNE_THRESHOLD) sent.splice(0, sent.length - PRUNE_THRESHOLD + 1);
    sent.push({ msgid, touser, templateId, page, miniprogramState: state, lang, data: values, sentAt: clock.now() });

    const after = res.locals.faultAfterApplying as FakeSubscribeFault | undefined;
    if (after !== undefined && (await playFault(after, res))) return;
    if (res.headersSent || res.destroyed) return;
    res.type('application/json').send(`{"errcode":0,"errmsg":"ok","msgid":${msgid}}`);
  });

  // Browsers (the H5 build of the mini program) call the control endpoints from another origin.
  app.use('/__fake__', (req, res, next) => {
    res.set({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type',
    });
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });

  app.post('/__fake__/login-code', (req, res) => {
    const body = userBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: z.prettifyError(body.error) });
    res.json({ code: api.issueLoginCode(body.data.user) });
  });

  app.post('/__fake__/phone-code', (req, res) => {
    const body = phoneBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: z.prettifyError(body.error) });
    let code: string;
    try {
      code = api.issuePhoneCode(body.data.phone);
    } catch (error) {
      return void res.status(400).json({ error: (error as Error).message });
    }
    res.json({ code });
  });

  app.post('/__fake__/fault', (req, res) => {
    const body = faultBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: z.prettifyError(body.error) });
    const input = body.data;
    if (input.fault !== undefined) api.setFault(input.fault);
    if (input.failRate !== undefined) api.setFailRate(input.failRate, input.seed);
    if (input.failNext) api.failNext(input.failNext.count, input.failNext.fault, input.failNext);
    res.json({ fault, failRate, queued: queuedFaults.length });
  });

  // The subscribe popup: what wx.requestSubscribeMessage reports as 'accept' for one template.
  app.post('/__fake__/subscribe-consent', (req, res) => {
    const body = consentBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: z.prettifyError(body.error) });
    const openid = body.data.openid ?? openidFor(body.data.user ?? '');
    let remaining: number;
    try {
      remaining = api.grantConsent(openid, body.data.templateId, body.data.count);
    } catch (error) {
      return void res.status(400).json({ error: (error as Error).message });
    }
    res.json({ openid, templateId: body.data.templateId, remaining });
  });

  app.get('/__fake__/subscribe-messages', (_req, res) => {
    res.json(api.sentMessages());
  });

  app.post('/__fake__/invalidate-tokens', (_req, res) => {
    api.invalidateAccessTokens();
    res.json({ ok: true });
  });

  app.get('/__fake__/stats', (_req, res) => {
    res.json(api.stats());
  });

  // Upstream answers malformed bodies with HTTP 200 and an errcode, never with an HTML 400 page.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (req.path.startsWith('/__fake__')) return void res.status(400).json({ error: String(error) });
    fail(res, ERR.dataFormat);
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const api: FakeWechatApi = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    issueLoginCode: (user) => issue(loginCodes, randomBytes(24).toString('base64url'), user),
    issuePhoneCode: (phone) => issue(phoneCodes, randomBytes(32).toString('hex'), parsePhone(phone)),
    openidFor,
    unionidFor,
    setFault: (next) => {
      fault = next;
    },
    invalidateAccessTokens: () => {
      tokens.clear();
      latestToken = null;
    },
    stats: () => ({ ...counts }),
    addSubscribeTemplate: (templateId, keywords) => {
      templates.set(templateId, [...keywords]);
    },
    grantConsent: (openid, templateId, count = 1) => {
      // Upstream the popup itself refuses an unknown template (errCode 20001).
      if (!templates.has(templateId)) throw new Error(`fake WeChat: unknown subscribe template ${templateId}`);
      if (!Number.isInteger(count) || count < 1) throw new Error(`fake WeChat: consent count must be a positive integer, got ${count}`);
      const remaining = (consents.get(consentKey(openid, templateId)) ?? 0) + count;
      consents.set(consentKey(openid, templateId), remaining);
      return remaining;
    },
    remainingConsent: (openid, templateId) => consents.get(consentKey(openid, templateId)) ?? 0,
    failNext: (count, nextFault = 'system-busy', failOptions = {}) => {
      for (let i = 0; i < count; i += 1) queuedFaults.push({ fault: nextFault, afterApplying: failOptions.afterApplying ?? false });
    },
    setFailRate: (rate, seed) => {
      if (!(rate >= 0 && rate <= 1)) throw new Error('failRate must be between 0 and 1');
      failRate = rate;
      if (seed !== undefined) random = seededRandom(seed);
    },
    sentMessages: () => sent.map((message) => ({ ...message, data: { ...message.data } })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from fetch would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
  return api;
}
