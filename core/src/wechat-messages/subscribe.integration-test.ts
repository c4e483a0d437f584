import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenCache } from '../../../db/redis/access-token-cache.ts';
import { createRedis, whenReady } from '../../../db/redis/connection.ts';
import { createTestEnv, type TestEnv } from '../../../db/testing/test-env.ts';
import { type FakeWechatApi, startFakeWechatApi } from '../../../ops/fakes/wechat-api/fake-wechat-api.ts';
import { ELLIPSIS, formatAmountFen, formatTimeValue } from './fields.ts';
import { createSubscribeMessageSender, type SubscribeMessageSender } from './sender.ts';
import type { SubscribeMessage } from './types.ts';

const APPID = 'wxsubscribe0000000';
const SECRET = 'subscribe-secret';
const REMINDER = 'tmpl-booking-reminder';
const REMINDER_KEYWORDS = ['thing1', 'time2', 'character_string3', 'amount4'] as const;

let env: TestEnv;
let fake: FakeWechatApi;
const connections: Redis[] = [];
let users = 0;

beforeAll(async () => {
  env = await createTestEnv('wxsubscribe');
  fake = await startFakeWechatApi({ appid: APPID, secret: SECRET, clock: env.clock, subscribeTemplates: { [REMINDER]: REMINDER_KEYWORDS } });
});

afterAll(async () => {
  await fake?.close();
  for (const redis of connections) redis.disconnect();
  await env?.cleanup();
});

afterEach(() => {
  fake.setFault(null);
  fake.setFailRate(0);
});

function sender(options: { redis?: Redis; secret?: string; timeoutMs?: number } = {}): SubscribeMessageSender {
  const tokenCache = createAccessTokenCache({ redis: options.redis ?? env.redis, keys: env.keys.wechatAccessToken(APPID), pollMs: 10 });
  return createSubscribeMessageSender({ baseUrl: fake.url, appid: APPID, secret: options.secret ?? SECRET, timeoutMs: options.timeoutMs ?? 2_000, tokenCache });
}

/** A user of the mini program nobody else in this file uses. */
function newOpenid(): string {
  users += 1;
  return fake.openidFor(`subscriber-${users}`);
}

function reminder(openid: string, data: Partial<Record<(typeof REMINDER_KEYWORDS)[number], string>> & Record<string, string> = {}): SubscribeMessage {
  return {
    openid,
    templateId: REMINDER,
    page: 'pages/booking/detail?id=01JD5X8Q4R2M3N4P5Q6R7S8T9V-7',
    miniprogramState: 'formal',
    lang: 'zh_CN',
    data: {
      thing1: '瑜伽私教课',
      time2: formatTimeValue(Date.parse('2026-12-02T02:00:00Z'), 'Asia/Shanghai'),
      character_string3: '01JD5X8Q4R2M3N4P5Q6R7S8T9V-7',
      amount4: formatAmountFen(8800),
      ...data,
    },
  };
}

/** Forgets the shared token in Redis and at the fake, so the next send starts cold. */
async function coldStart(): Promise<void> {
  fake.invalidateAccessTokens();
  await env.redis.del(env.keys.wechatAccessToken(APPID).token);
}

describe('consent', () => {
  it('when the user accepted once, then one message is sent and a second one gets NO_CONSENT', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER);
    const wechat = sender();

    const first = await wechat.send(reminder(openid));
    const second = await wechat.send(reminder(openid));

    expect(first).toMatchObject({ kind: 'sent', msgid: expect.stringMatching(/^\d+$/) });
    const delivered = fake.sentMessages().filter((m) => m.touser === openid);
    expect(delivered).toHaveLength(1);
    // The 64-bit msgid survives to the digit (a JS number would round it).
    expect(first).toStrictEqual({ kind: 'sent', msgid: delivered[0]!.msgid });
    expect(delivered[0]).toMatchObject({
      templateId: REMINDER,
      page: 'pages/booking/detail?id=01JD5X8Q4R2M3N4P5Q6R7S8T9V-7',
      miniprogramState: 'formal',
      lang: 'zh_CN',
      data: { thing1: '瑜伽私教课', time2: '2026年12月02日 10:00', character_string3: '01JD5X8Q4R2M3N4P5Q6R7S8T9V-7', amount4: '88.00元' },
    });
    expect(second).toStrictEqual({ kind: 'failed', errcode: 43101, errmsg: expect.stringContaining('user refuse to accept the msg'), reason: 'NO_CONSENT', retryable: false });
    expect(fake.remainingConsent(openid, REMINDER)).toBe(0);
  });

  it('when the user accepted twice, then exactly two messages go out', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER, 2);
    const wechat = sender();
    const results = [await wechat.send(reminder(openid)), await wechat.send(reminder(openid)), await wechat.send(reminder(openid))];
    expect(results.map((r) => (r.kind === 'sent' ? 'sent' : r.reason))).toEqual(['sent', 'sent', 'NO_CONSENT']);
  });
});

describe('access token', () => {
  it('caches the stable token in Redis for expires_in − 300 s and reuses it', async () => {
    await coldStart();
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER, 2);
    const before = fake.stats();

    await sender().send(reminder(openid));
    await sender().send(reminder(openid));

    expect(fake.stats().stableToken - before.stableToken).toBe(1);
    const ttl = await env.redis.pttl(env.keys.wechatAccessToken(APPID).token);
    expect(ttl).toBeGreaterThan(6_900_000 - 10_000);
    expect(ttl).toBeLessThanOrEqual(6_900_000);
  });

  it('when WeChat revokes the token, then the sender refreshes it once and the retry is sent', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER);
    const wechat = sender();
    await wechat.send(reminder(newOpenid())); // warm cache (this one has no consent)
    const revoked = await env.redis.get(env.keys.wechatAccessToken(APPID).token);
    fake.invalidateAccessTokens();
    const before = fake.stats();

    const result = await wechat.send(reminder(openid));

    expect(result.kind).toBe('sent');
    const after = fake.stats();
    expect(after.stableToken - before.stableToken).toBe(1);
    expect(after.subscribeSend - before.subscribeSend).toBe(2);
    const cached = await env.redis.get(env.keys.wechatAccessToken(APPID).token);
    expect(cached).not.toBeNull();
    expect(cached).not.toBe(revoked);
  });

  it('when 42001 comes back once, then one refresh and a retry; when the token is refused twice, TOKEN_REJECTED (retryable)', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER);
    const wechat = sender();
    await wechat.send(reminder(newOpenid()));

    fake.failNext(1, { errcode: 42001, errmsg: 'access_token expired' });
    await expect(wechat.send(reminder(openid))).resolves.toMatchObject({ kind: 'sent' });

    fake.grantConsent(openid, REMINDER);
    fake.failNext(2, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
    const before = fake.stats();
    const refused = await wechat.send(reminder(openid));
    expect(refused).toMatchObject({ kind: 'failed', errcode: 40001, reason: 'TOKEN_REJECTED', retryable: true });
    // One refresh, one retry: no loop.
    expect(fake.stats().stableToken - before.stableToken).toBe(1);
    expect(fake.stats().subscribeSend - before.subscribeSend).toBe(2);
    expect(fake.remainingConsent(openid, REMINDER)).toBe(1);
  });

  it('when many workers on separate connections send at once, then the token is fetched once (cold start and after a revocation)', async () => {
    const processes = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const redis = createRedis({ url: env.redisUrl, failFast: false, name: 'subscribe-worker' });
        connections.push(redis);
        await whenReady(redis);
        return sender({ redis });
      }),
    );
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER, 40);
    const burst = () => Promise.all(Array.from({ length: 20 }, (_, i) => processes[i % processes.length]!.send(reminder(openid))));

    await coldStart();
    let before = fake.stats();
    const cold = await burst();
    expect(cold.every((r) => r.kind === 'sent')).toBe(true);
    expect(fake.stats().stableToken - before.stableToken).toBe(1);

    fake.invalidateAccessTokens();
    before = fake.stats();
    const revoked = await burst();
    expect(revoked.every((r) => r.kind === 'sent')).toBe(true);
    expect(fake.stats().stableToken - before.stableToken).toBe(1);
    expect(fake.stats().subscribeSend - before.subscribeSend).toBe(40);
    expect(fake.remainingConsent(openid, REMINDER)).toBe(0);
  });

  it('reports a wrong secret as CONFIG (not retryable) and a busy token endpoint as SYSTEM (retryable)', async () => {
    await coldStart();
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER);
    await expect(sender({ secret: 'wrong' }).send(reminder(openid))).resolves.toMatchObject({ kind: 'failed', errcode: 40125, reason: 'CONFIG', retryable: false });

    fake.setFault('system-busy');
    await expect(sender().send(reminder(openid))).resolves.toMatchObject({ kind: 'failed', errcode: -1, reason: 'SYSTEM', retryable: true });
    fake.setFault(null);
    await expect(sender().send(reminder(openid))).resolves.toMatchObject({ kind: 'sent' });
  });
});

describe('field values', () => {
  it('when a thing is too long, then it is cut to 20 characters with … and sent', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER);
    const result = await sender().send(reminder(openid, { thing1: '瑜伽私教课（含器械使用与淋浴间）附赠营养咨询一次' }));
    expect(result.kind).toBe('sent');
    const thing = fake.sentMessages().find((m) => m.touser === openid)?.data.thing1;
    expect(thing).toBe(`瑜伽私教课（含器械使用与淋浴间）附赠营${ELLIPSIS}`);
    expect(Array.from(thing ?? '')).toHaveLength(20);
  });

  it('when a value cannot be fitted, then INVALID_DATA without calling WeChat, and the consent is kept', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER);
    const before = fake.stats();
    const result = await sender().send(reminder(openid, { amount4: '1,000.00元', character_string3: 'X'.repeat(33) }));
    expect(result).toStrictEqual({
      kind: 'failed',
      errcode: null,
      errmsg: expect.stringMatching(/data\.character_string3\.value: .*33.*data\.amount4\.value/),
      reason: 'INVALID_DATA',
      retryable: false,
    });
    expect(fake.stats().subscribeSend).toBe(before.subscribeSend);
    expect(fake.remainingConsent(openid, REMINDER)).toBe(1);
  });

  it('when WeChat itself refuses the data (47003), then INVALID_DATA with its errmsg, not retryable', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER);
    const result = await sender().send(reminder(openid, { thing9: 'not in this template' }));
    expect(result).toMatchObject({ kind: 'failed', errcode: 47003, errmsg: expect.stringContaining('argument invalid! data.thing9'), reason: 'INVALID_DATA', retryable: false });
    expect(fake.remainingConsent(openid, REMINDER)).toBe(1);
  });

  it('maps an unknown template and a foreign openid to INVALID_TEMPLATE and INVALID_OPENID', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER);
    await expect(sender().send({ ...reminder(openid), templateId: 'tmpl-nobody-configured' })).resolves.toMatchObject({ errcode: 40037, reason: 'INVALID_TEMPLATE', retryable: false });
    await expect(sender().send(reminder('not-an-openid'))).resolves.toMatchObject({ errcode: 40003, reason: 'INVALID_OPENID', retryable: false });
  });
});

describe('faults', () => {
  it('maps system busy, HTTP 500, the daily quota and a timeout to retryable failures that spend no consent', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER);
    const wechat = sender({ timeoutMs: 300 });
    await wechat.send(reminder(newOpenid())); // warm cache

    fake.failNext(1, 'system-busy');
    await expect(wechat.send(reminder(openid))).resolves.toMatchObject({ kind: 'failed', errcode: -1, reason: 'SYSTEM', retryable: true });
    fake.failNext(1, 'http-500');
    await expect(wechat.send(reminder(openid))).resolves.toMatchObject({ kind: 'failed', errcode: null, errmsg: expect.stringContaining('HTTP 500'), reason: 'SYSTEM', retryable: true });
    fake.failNext(1, { errcode: 45009, errmsg: 'reach max api daily quota limit' });
    await expect(wechat.send(reminder(openid))).resolves.toMatchObject({ kind: 'failed', errcode: 45009, reason: 'RATE_LIMITED', retryable: true });
    fake.failNext(1, 'slow');
    await expect(wechat.send(reminder(openid))).resolves.toMatchObject({ kind: 'failed', errcode: null, errmsg: expect.stringContaining('timed out after 300 ms'), reason: 'SYSTEM', retryable: true });

    expect(fake.remainingConsent(openid, REMINDER)).toBe(1);
    await expect(wechat.send(reminder(openid))).resolves.toMatchObject({ kind: 'sent' });
  });

  it('a failure after WeChat delivered reads as retryable too: the documented duplicate risk', async () => {
    const openid = newOpenid();
    fake.grantConsent(openid, REMINDER, 2);
    fake.failNext(1, 'http-500', { afterApplying: true });
    const result = await sender().send(reminder(openid));
    expect(result).toMatchObject({ kind: 'failed', reason: 'SYSTEM', retryable: true });
    expect(fake.sentMessages().filter((m) => m.touser === openid)).toHaveLength(1);
    expect(fake.remainingConsent(openid, REMINDER)).toBe(1);
  });

  it('maps a refused connection to SYSTEM (retryable)', async () => {
    const tokenCache = createAccessTokenCache({ redis: env.redis, keys: env.keys.wechatAccessToken(APPID) });
    const offline = createSubscribeMessageSender({ baseUrl: 'http://127.0.0.1:9', appid: APPID, secret: SECRET, timeoutMs: 1_000, tokenCache });
    // The cached token is used first, so the refusal comes from subscribe/send itself.
    await sender().send(reminder(newOpenid()));
    await expect(offline.send(reminder(newOpenid()))).resolves.toMatchObject({ kind: 'failed', errcode: null, reason: 'SYSTEM', retryable: true });
  });

  it('with a 30 % failRate, every failure is retryable and retrying delivers each message exactly once', async () => {
    fake.setFailRate(0.3, 7);
    const wechat = sender();
    const openids = Array.from({ length: 10 }, () => newOpenid());
    for (const openid of openids) fake.grantConsent(openid, REMINDER);
    let failures = 0;
    for (const openid of openids) {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const result = await wechat.send(reminder(openid));
        if (result.kind === 'sent') break;
        failures += 1;
        expect(result).toMatchObject({ reason: 'SYSTEM', retryable: true });
      }
    }
    expect(failures).toBeGreaterThan(0);
    for (const openid of openids) expect(fake.sentMessages().filter((m) => m.touser === openid)).toHaveLength(1);
  });
});
