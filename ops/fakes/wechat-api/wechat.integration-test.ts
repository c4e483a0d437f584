import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../core/src/clock.ts';
import { AppError, isAppError } from '../../../core/src/errors.ts';
import { createWechatClient, type WechatClient } from '../../../gateway/src/auth/wechat-client.ts';
import { type FakeWechatApi, startFakeWechatApi } from './fake-wechat-api.ts';

const APPID = 'wxtest1234567890ab';
const SECRET = 'test-secret';
const clock = manualClock(Date.parse('2026-12-01T02:00:00Z'));
let fake: FakeWechatApi;

function client(overrides: { secret?: string; appid?: string; timeoutMs?: number; baseUrl?: string } = {}): WechatClient {
  return createWechatClient({ baseUrl: fake.url, appid: APPID, secret: SECRET, timeoutMs: 2_000, clock, ...overrides });
}

/** The rejection itself, so its class and fields can be asserted; fails the test if the call succeeds. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const TEMPLATE = 'tmpl-fake-test';

beforeAll(async () => {
  fake = await startFakeWechatApi({ appid: APPID, secret: SECRET, port: 0, clock, subscribeTemplates: { [TEMPLATE]: ['thing1', 'time2', 'phrase3'] } });
});

afterAll(async () => {
  await fake?.close();
});

afterEach(() => {
  fake.setFault(null);
  fake.setFailRate(0);
});

describe('code2Session', () => {
  it('returns the deterministic openid and no session_key', async () => {
    const wechat = client();
    const first = await wechat.code2Session(fake.issueLoginCode('alice'));
    const second = await wechat.code2Session(fake.issueLoginCode('alice'));
    const other = await wechat.code2Session(fake.issueLoginCode('bob'));

    expect(first).toStrictEqual({ openid: fake.openidFor('alice'), unionid: null });
    expect(second.openid).toBe(first.openid);
    expect(other.openid).not.toBe(first.openid);
    expect(first.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
  });

  it('depends on the appid, as openids do upstream', async () => {
    const otherApp = await startFakeWechatApi({ appid: 'wxother000000000000', secret: SECRET, clock });
    try {
      expect(otherApp.openidFor('alice')).not.toBe(fake.openidFor('alice'));
    } finally {
      await otherApp.close();
    }
  });

  it('returns a unionid for users bound to an Open Platform account', async () => {
    const result = await client().code2Session(fake.issueLoginCode('union-carol'));
    expect(result.unionid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(result).toStrictEqual({ openid: fake.openidFor('union-carol'), unionid: fake.unionidFor('union-carol') });
  });

  it('rejects a reused code with LOGIN_FAILED', async () => {
    const wechat = client();
    const code = fake.issueLoginCode('dave');
    await wechat.code2Session(code);
    const error = await rejectionOf(wechat.code2Session(code));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'LOGIN_FAILED', message: expect.stringContaining('40163') });
  });

  it('rejects an unknown code with LOGIN_FAILED', async () => {
    const error = await rejectionOf(client().code2Session('not-a-code'));
    expect(error).toMatchObject({ code: 'LOGIN_FAILED', message: expect.stringContaining('40029') });
  });

  it('rejects a code older than 5 minutes with LOGIN_FAILED', async () => {
    const wechat = client();
    const fresh = fake.issueLoginCode('erin');
    const stale = fake.issueLoginCode('erin');
    clock.advance(4 * 60_000);
    await expect(wechat.code2Session(fresh)).resolves.toMatchObject({ openid: fake.openidFor('erin') });
    clock.advance(2 * 60_000);
    const error = await rejectionOf(wechat.code2Session(stale));
    expect(error).toMatchObject({ code: 'LOGIN_FAILED', message: expect.stringContaining('40029') });
  });

  it('maps a blocked user to LOGIN_BLOCKED', async () => {
    const error = await rejectionOf(client().code2Session(fake.issueLoginCode('blocked-mallory')));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'LOGIN_BLOCKED', message: expect.stringContaining('40226') });
  });

  it('maps more than 100 calls a minute for one user to LOGIN_RATE_LIMITED', async () => {
    const wechat = client();
    // Start of a fresh minute, so the window cannot roll over halfway through.
    clock.set(Math.ceil(clock.now() / 60_000) * 60_000);
    for (let i = 0; i < 100; i += 1) await wechat.code2Session(fake.issueLoginCode('frank'));
    const spare = fake.issueLoginCode('frank');
    const error = await rejectionOf(wechat.code2Session(spare));
    expect(error).toMatchObject({ code: 'LOGIN_RATE_LIMITED', details: { retryAfterSeconds: 60 } });
    // The limit is per user and per minute.
    await expect(wechat.code2Session(fake.issueLoginCode('grace'))).resolves.toMatchObject({ openid: fake.openidFor('grace') });
    clock.advance(60_000);
    await expect(wechat.code2Session(spare)).resolves.toMatchObject({ openid: fake.openidFor('frank') });
  });

  it('reports a wrong secret or appid as a plain Error, not an AppError', async () => {
    for (const [overrides, errcode] of [
      [{ secret: 'wrong-secret' }, '40125'],
      [{ appid: 'wxwrong00000000000' }, '40013'],
    ] as const) {
      const error = await rejectionOf(client(overrides).code2Session(fake.issueLoginCode('heidi')));
      expect(error).toBeInstanceOf(Error);
      expect(isAppError(error)).toBe(false);
      expect((error as Error).message).toContain(errcode);
      expect((error as Error).message).not.toContain(overrides.secret ?? SECRET);
    }
  });

  it('maps system busy and HTTP 500 to UPSTREAM_UNAVAILABLE', async () => {
    for (const [fault, reason] of [
      ['system-busy', /errcode -1 system error/],
      ['http-500', /unavailable: HTTP 500$/],
    ] as const) {
      fake.setFault(fault);
      const error = await rejectionOf(client().code2Session(fake.issueLoginCode('ivan')));
      expect(error, fault).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(reason) });
    }
    fake.setFault(null);
    await expect(client().code2Session(fake.issueLoginCode('ivan'))).resolves.toMatchObject({ openid: fake.openidFor('ivan') });
  });

  it('gives up on a slow server after timeoutMs with UPSTREAM_UNAVAILABLE', async () => {
    fake.setFault('slow');
    const started = performance.now();
    const error = await rejectionOf(client({ timeoutMs: 200 }).code2Session(fake.issueLoginCode('judy')));
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('timed out') });
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('maps a refused connection to UPSTREAM_UNAVAILABLE', async () => {
    const port = await freePort();
    const error = await rejectionOf(client({ baseUrl: `http://127.0.0.1:${port}` }).code2Session('any'));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('answers a missing grant_type with errcode 40002, HTTP 200', async () => {
    const query = new URLSearchParams({ appid: APPID, secret: SECRET, js_code: fake.issueLoginCode('ken') });
    const response = await fetch(`${fake.url}/sns/jscode2session?${query}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ errcode: 40002 });
  });
});

describe('phone number', () => {
  it('returns the pure phone number', async () => {
    await expect(client().getPhoneNumber(fake.issuePhoneCode('13812345678'))).resolves.toBe('13812345678');
    await expect(client().getPhoneNumber(fake.issuePhoneCode('+852 51234567'))).resolves.toBe('51234567');
  });

  it('rejects a reused or stale phone code with LOGIN_FAILED', async () => {
    const wechat = client();
    const code = fake.issuePhoneCode('13900000001');
    await expect(wechat.getPhoneNumber(code)).resolves.toBe('13900000001');
    expect(await rejectionOf(wechat.getPhoneNumber(code))).toMatchObject({ code: 'LOGIN_FAILED' });

    const stale = fake.issuePhoneCode('13900000002');
    clock.advance(6 * 60_000);
    expect(await rejectionOf(wechat.getPhoneNumber(stale))).toMatchObject({ code: 'LOGIN_FAILED' });
  });

  it('reuses one cached access token for several lookups, fetched once for concurrent callers', async () => {
    const wechat = client();
    const before = fake.stats();
    const numbers = await Promise.all([
      wechat.getPhoneNumber(fake.issuePhoneCode('13800000001')),
      wechat.getPhoneNumber(fake.issuePhoneCode('13800000002')),
    ]);
    await wechat.getPhoneNumber(fake.issuePhoneCode('13800000003'));
    const after = fake.stats();
    expect(numbers).toEqual(['13800000001', '13800000002']);
    expect(after.stableToken - before.stableToken).toBe(1);
    expect(after.phone - before.phone).toBe(3);
  });

  it('fetches a new token and retries once when WeChat rejects the cached one', async () => {
    const wechat = client();
    await wechat.getPhoneNumber(fake.issuePhoneCode('13800000004'));
    fake.invalidateAccessTokens();
    const before = fake.stats();
    await expect(wechat.getPhoneNumber(fake.issuePhoneCode('13800000005'))).resolves.toBe('13800000005');
    const after = fake.stats();
    expect(after.stableToken - before.stableToken).toBe(1);
    expect(after.phone - before.phone).toBe(2);

    // The replacement is cached in turn.
    await wechat.getPhoneNumber(fake.issuePhoneCode('13800000006'));
    expect(fake.stats().stableToken).toBe(after.stableToken);
  });

  it('refreshes the token 5 minutes before it expires', async () => {
    // A token fresh from the platform, so its remaining lifetime is the full 7200 s.
    fake.invalidateAccessTokens();
    const wechat = client();
    await wechat.getPhoneNumber(fake.issuePhoneCode('13800000007'));
    const before = fake.stats();
    clock.advance((7200 - 301) * 1000);
    await wechat.getPhoneNumber(fake.issuePhoneCode('13800000008'));
    expect(fake.stats().stableToken).toBe(before.stableToken);
    clock.advance(2_000);
    await wechat.getPhoneNumber(fake.issuePhoneCode('13800000009'));
    const after = fake.stats();
    expect(after.stableToken - before.stableToken).toBe(1);
    expect(after.phone - before.phone).toBe(2);
  });

  it('reports a wrong secret while fetching the token as a plain Error', async () => {
    const error = await rejectionOf(client({ secret: 'wrong-secret' }).getPhoneNumber(fake.issuePhoneCode('13800000010')));
    expect(isAppError(error)).toBe(false);
    expect((error as Error).message).toContain('40125');
  });

  it('maps a busy token endpoint to UPSTREAM_UNAVAILABLE', async () => {
    fake.setFault('system-busy');
    const error = await rejectionOf(client().getPhoneNumber(fake.issuePhoneCode('13800000011')));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('stable_token') });
  });
});

describe('control endpoints', () => {
  it('issue codes over HTTP for the browser build, with CORS', async () => {
    const preflight = await fetch(`${fake.url}/__fake__/login-code`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');

    const post = (path: string, body: unknown) =>
      fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const login = (await (await post('/__fake__/login-code', { user: 'web-user' })).json()) as { code: string };
    const phone = (await (await post('/__fake__/phone-code', { phone: '13700000000' })).json()) as { code: string };
    await expect(client().code2Session(login.code)).resolves.toStrictEqual({ openid: fake.openidFor('web-user'), unionid: null });
    await expect(client().getPhoneNumber(phone.code)).resolves.toBe('13700000000');

    expect((await post('/__fake__/phone-code', { phone: 'not a phone' })).status).toBe(400);
  });
});

describe('subscribe/send (raw protocol)', () => {
  async function token(): Promise<string> {
    const response = await fetch(`${fake.url}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: APPID, secret: SECRET, force_refresh: false }),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async function send(accessToken: string | null, body: Record<string, unknown>): Promise<{ status: number; text: string; json: { errcode: number; errmsg: string } }> {
    const query = accessToken === null ? '' : `?access_token=${encodeURIComponent(accessToken)}`;
    const response = await fetch(`${fake.url}/cgi-bin/message/subscribe/send${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as { errcode: number; errmsg: string } };
  }

  const message = (touser: string, data: Record<string, string> = {}) => ({
    touser,
    template_id: TEMPLATE,
    page: 'pages/index/index',
    miniprogram_state: 'developer',
    lang: 'zh_CN',
    data: Object.fromEntries(Object.entries({ thing1: '剪发', time2: '2026年12月02日 10:00', phrase3: '已确认', ...data }).map(([k, value]) => [k, { value }])),
  });

  it('checks the access token first: missing 41001, unknown 40001, expired 42001 (HTTP 200)', async () => {
    const openid = fake.openidFor('sub-token');
    fake.grantConsent(openid, TEMPLATE);
    expect((await send(null, message(openid))).json.errcode).toBe(41001);
    const unknown = await send('nope', message(openid));
    expect(unknown.status).toBe(200);
    expect(unknown.json.errcode).toBe(40001);
    fake.invalidateAccessTokens();
    const old = await token();
    clock.advance(7200 * 1000);
    expect((await send(old, message(openid))).json.errcode).toBe(42001);
    expect(fake.remainingConsent(openid, TEMPLATE)).toBe(1);
  });

  it('spends one consent per message and then answers 43101', async () => {
    const openid = fake.openidFor('sub-consent');
    const accessToken = await token();
    expect((await send(accessToken, message(openid))).json).toMatchObject({ errcode: 43101, errmsg: expect.stringMatching(/^user refuse to accept the msg rid: /) });
    expect(fake.grantConsent(openid, TEMPLATE)).toBe(1);
    expect(fake.grantConsent(openid, TEMPLATE, 2)).toBe(3);
    for (let i = 0; i < 3; i += 1) expect((await send(accessToken, message(openid))).json.errcode).toBe(0);
    expect((await send(accessToken, message(openid))).json.errcode).toBe(43101);
    expect(fake.sentMessages().filter((m) => m.touser === openid)).toHaveLength(3);
  });

  it('answers a 64-bit msgid that a JS number cannot hold exactly', async () => {
    const openid = fake.openidFor('sub-msgid');
    fake.grantConsent(openid, TEMPLATE);
    const { text } = await send(await token(), message(openid));
    const msgid = /"msgid":(\d+)/.exec(text)?.[1];
    expect(msgid).toBe(fake.sentMessages().at(-1)?.msgid);
    expect(text).toBe(`{"errcode":0,"errmsg":"ok","msgid":${msgid}}`);
  });

  it('refuses bad openids, templates, states and field values without spending consent', async () => {
    const openid = fake.openidFor('sub-invalid');
    fake.grantConsent(openid, TEMPLATE);
    const accessToken = await token();
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ ...message(openid), touser: 'someone' }, 40003, /^invalid openid/],
      [{ ...message(openid), template_id: 'unknown' }, 40037, /^invalid template_id/],
      [{ ...message(openid), miniprogram_state: 'beta' }, 47003, /^argument invalid! miniprogram_state invalid/],
      [{ ...message(openid), lang: 'fr_FR' }, 47003, /^argument invalid! lang invalid/],
      [message(openid, { thing1: '一二三四五六七八九十一二三四五六七八九十一' }), 47003, /^argument invalid! data\.thing1\.value invalid/],
      [message(openid, { time2: '明天上午' }), 47003, /^argument invalid! data\.time2\.value invalid/],
      [message(openid, { phrase3: '等待商家确认' }), 47003, /^argument invalid! data\.phrase3\.value invalid/],
      [message(openid, { thing4: 'extra' }), 47003, /^argument invalid! data\.thing4 not in template/],
      [{ ...message(openid), data: { thing1: { value: 'only one' } } }, 47003, /^argument invalid! data\.time2\.value is empty/],
      [{ ...message(openid), data: 'thing1=x' }, 47003, /^argument invalid! data invalid/],
    ];
    for (const [body, errcode, errmsg] of cases) {
      const { json } = await send(accessToken, body);
      expect(json, JSON.stringify(body)).toMatchObject({ errcode, errmsg: expect.stringMatching(errmsg) });
    }
    expect(fake.remainingConsent(openid, TEMPLATE)).toBe(1);
    expect(() => fake.grantConsent(openid, 'unknown')).toThrow(/unknown subscribe template/);
  });

  it('plays queued faults (also after delivering) and a seeded failRate, counted in stats', async () => {
    const openid = fake.openidFor('sub-faults');
    fake.grantConsent(openid, TEMPLATE, 10);
    const accessToken = await token();
    const before = fake.stats().subscribeSend;

    fake.failNext(1);
    fake.failNext(1, { errcode: 45009, errmsg: 'reach max api daily quota limit' });
    expect((await send(accessToken, message(openid))).json.errcode).toBe(-1);
    expect((await send(accessToken, message(openid))).json.errcode).toBe(45009);
    expect(fake.remainingConsent(openid, TEMPLATE)).toBe(10);

    fake.failNext(1, 'system-busy', { afterApplying: true });
    expect((await send(accessToken, message(openid))).json.errcode).toBe(-1);
    expect(fake.remainingConsent(openid, TEMPLATE)).toBe(9);

    fake.setFailRate(1);
    expect((await send(accessToken, message(openid))).json.errcode).toBe(-1);
    fake.setFailRate(0);
    expect((await send(accessToken, message(openid))).json.errcode).toBe(0);
    expect(fake.stats().subscribeSend - before).toBe(5);
  });

  it('has HTTP control endpoints: consent by openid or wx.login user, queued faults, the message log', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const openid = fake.openidFor('web-subscriber');
    expect(await (await post('/__fake__/subscribe-consent', { user: 'web-subscriber', templateId: TEMPLATE })).json()).toStrictEqual({ openid, templateId: TEMPLATE, remaining: 1 });
    expect(await (await post('/__fake__/subscribe-consent', { openid, templateId: TEMPLATE, count: 2 })).json()).toMatchObject({ remaining: 3 });
    expect((await post('/__fake__/subscribe-consent', { openid, templateId: 'unknown' })).status).toBe(400);
    expect((await post('/__fake__/subscribe-consent', { templateId: TEMPLATE })).status).toBe(400);

    expect(await (await post('/__fake__/fault', { failNext: { count: 1, fault: { errcode: 45009 } } })).json()).toMatchObject({ fault: null, failRate: 0, queued: 1 });
    const accessToken = await token();
    expect((await send(accessToken, message(openid))).json.errcode).toBe(45009);
    expect((await send(accessToken, message(openid))).json.errcode).toBe(0);
    // The old body shape still sets the global fault.
    expect(await (await post('/__fake__/fault', { fault: null })).json()).toMatchObject({ fault: null });

    const log = (await (await fetch(`${fake.url}/__fake__/subscribe-messages`)).json()) as { touser: string; data: Record<string, string> }[];
    expect(log.filter((m) => m.touser === openid)).toEqual([expect.objectContaining({ data: { thing1: '剪发', time2: '2026年12月02日 10:00', phrase3: '已确认' } })]);
  });
});
