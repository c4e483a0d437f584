/**
 * A local stand-in for the WeChat server API (api.weixin.qq.com) that speaks
 * the real protocol: the same paths, query and body fields, HTTP 200 with
 * `{errcode, errmsg}` on failure, single-use 5-minute codes and stable access
 * tokens. Tests and the mini program's H5 build point WECHAT_API_BASE at it.
 *
 * The `/__fake__/*` endpoints stand in for the phone (wx.login, the
 * getPhoneNumber button) and for test control; they do not exist upstream.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { type Clock, systemClock } from '../../../core/src/clock.ts';

export type FakeWechatFault = null | 'system-busy' | 'http-500' | 'slow';

export interface FakeWechatApiOptions {
  appid: string;
  secret: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  clock?: Clock;
}

export interface FakeWechatStats {
  code2Session: number;
  stableToken: number;
  phone: number;
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
  close(): Promise<void>;
}

const CODE_TTL_MS = 5 * 60_000;
const TOKEN_TTL_MS = 7200 * 1000;
/** The platform hands out a new stable token this long before the old one expires; both work meanwhile. */
const TOKEN_ROTATE_BEFORE_MS = 5 * 60_000;
const LOGIN_CALLS_PER_MINUTE = 100;
const SLOW_DELAY_MS = 5_000;
/** Above this many outstanding codes, old ones are forgotten so a long-running fake stays small. */
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

const userBody = z.object({ user: z.string().min(1).max(200) });
const phoneBody = z.object({ phone: z.string().min(1).max(30) });
const faultBody = z.object({ fault: z.enum(FAULTS).nullable() });
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
  const counts: FakeWechatStats = { code2Session: 0, stableToken: 0, phone: 0 };
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

  /** Counts the request, then plays the current fault before the real handler runs. */
  function upstream(counter: keyof FakeWechatStats) {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      counts[counter] += 1;
      const active = fault;
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
        if (gone) return;
      }
      if (active === 'http-500') {
        res.status(500).type('html').send('<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center></body></html>');
        return;
      }
      if (active === 'system-busy') return fail(res, ERR.systemBusy);
      next();
    };
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
    const accessToken = queryString(req.query.access_token);
    if (!accessToken) return fail(res, ERR.tokenMissing);
    const expiresAt = tokens.get(accessToken);
    if (expiresAt === undefined) return fail(res, ERR.invalidCredential);
    if (expiresAt <= clock.now()) return fail(res, ERR.tokenExpired);

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
    api.setFault(body.data.fault);
    res.json({ fault: body.data.fault });
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from fetch would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
  return api;
}
