import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../../core/src/clock.ts';
import {
  createSmsSender,
  parseStatusCallback,
  type SmsExchange,
  type SmsMessage,
  type SmsSenderConfig,
  type SmsSendResult,
  type SmsStatusReport,
  STATUS_CALLBACK_ANSWER,
} from '../../../core/src/sms/index.ts';
import { type FakeTencentSms, startFakeTencentSms } from './fake-tencent-sms.ts';
import { tc3AuthorizationHeader } from './tc3.ts';

// The SDK signs with the system time, so the fake's clock starts there; tests move it to skew or age throttles.
const clock = manualClock(Date.now());
let fake: FakeTencentSms;
let receiver: Receiver;
const exchanges: SmsExchange[] = [];
const results: SmsSendResult[] = [];
let phoneSeq = 0;
const usedPhones: string[] = [];

const CONFIRMED = '2100002';
const REMINDER = '2100005';
const VERIFICATION = '2100001';
const PARAMS = ['静安寺店', '剪发 60 分钟', '12月1日 10:00'];

interface Receiver {
  url: string;
  reports: SmsStatusReport[];
  bodies: string[];
  /** The next `count` callbacks are answered `status` without being read. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

/** A merchant-side status-callback route: parses with the real parser and answers Tencent's expected body. */
async function startReceiver(): Promise<Receiver> {
  const reports: SmsStatusReport[] = [];
  const bodies: string[] = [];
  let failures = { count: 0, status: 500 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failures.count > 0) {
        failures.count -= 1;
        return void res.writeHead(failures.status).end();
      }
      const body = Buffer.concat(chunks);
      bodies.push(body.toString('utf8'));
      reports.push(...parseStatusCallback(body));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(STATUS_CALLBACK_ANSWER));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms/status/test-token`,
    reports,
    bodies,
    failNext(count, status) {
      failures = { count, status };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function config(overrides: Partial<SmsSenderConfig> = {}): SmsSenderConfig {
  return {
    secretId: fake.secretId,
    secretKey: fake.secretKey,
    region: 'ap-guangzhou',
    endpoint: fake.endpoint,
    protocol: 'http://',
    smsSdkAppId: fake.smsSdkAppId,
    signName: fake.signName,
    timeoutMs: 5_000,
    ...overrides,
  };
}

async function send(message: Partial<SmsMessage> & { phone: string }, overrides: Partial<SmsSenderConfig> = {}): Promise<SmsSendResult> {
  const sender = createSmsSender(config(overrides), { clock, onExchange: (e) => exchanges.push(e) });
  const result = await sender.send({ templateId: CONFIRMED, params: PARAMS, sessionContext: `notif-${phoneSeq}`, ...message });
  results.push(result);
  return result;
}

/** A fresh mainland number per call, so one test's throttle windows never reach another's. */
function nextPhone(): string {
  phoneSeq += 1;
  const phone = `1380013${String(phoneSeq).padStart(4, '0')}`;
  usedPhones.push(phone);
  return phone;
}

function accepted(result: SmsSendResult): Extract<SmsSendResult, { kind: 'accepted' }> {
  if (result.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(result)}`);
  return result;
}

/** A SendSms request signed from scratch (not by the SDK), for shapes the sender never produces. */
async function rawSendSms(body: object, headerOverrides: Record<string, string> = {}): Promise<{ Response: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  const timestamp = Math.floor(clock.now() / 1000);
  const authorization = tc3AuthorizationHeader({ secretId: fake.secretId, secretKey: fake.secretKey, service: 'sms', timestamp, host: '127.0.0.1', contentType: 'application/json', payload });
  const response = await fetch(`${fake.url}/`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/json', 'X-TC-Action': 'SendSms', 'X-TC-Version': '2021-01-11', 'X-TC-Region': 'ap-guangzhou', 'X-TC-Timestamp': String(timestamp), ...headerOverrides },
    body: payload,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { Response: Record<string, unknown> };
}

beforeAll(async () => {
  receiver = await startReceiver();
  fake = await startFakeTencentSms({ port: 0, clock, callbackUrl: receiver.url, callbackRetryScheduleMs: [20, 20, 20] });
});

afterAll(async () => {
  await fake?.stop();
  await receiver?.close();
});

beforeEach(async () => {
  await fake.callbacksIdle();
  clock.set(Date.now());
  fake.failRate(0);
  fake.autoDeliver(false);
  receiver.reports.length = 0;
  receiver.bodies.length = 0;
});

describe('SendSms through the official SDK', () => {
  it('accepts a message: SerialNo, fee, RequestId, and a TC3-signed request as Tencent receives it', async () => {
    const phone = nextPhone();
    const result = accepted(await send({ phone: `+86${phone}`, sessionContext: 'notif-accept' }));
    expect(result.serialNo).toMatch(/^\d{4}:\d{27}$/);
    expect(result.fee).toBe(1);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const record = fake.sent().find((r) => r.serialNo === result.serialNo);
    expect(record).toMatchObject({ phone: `+86${phone}`, templateId: CONFIRMED, params: PARAMS, sessionContext: 'notif-accept', requestId: result.requestId });
    expect(record?.content).toBe('【智约】您在静安寺店预约的剪发 60 分钟已确认，时间12月1日 10:00，请准时到店。');

    const request = fake.requests().find((r) => r.requestId === result.requestId);
    const date = new Date(Number(request?.headers['x-tc-timestamp']) * 1000).toISOString().slice(0, 10);
    expect(request?.headers).toMatchObject({
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-region': 'ap-guangzhou',
      'content-type': 'application/json',
      'x-tc-requestclient': expect.stringMatching(/^SDK_NODEJS_4\.1\.\d+$/),
      // The SDK's service is the endpoint's first label: "127" for 127.0.0.1:PORT.
      authorization: expect.stringMatching(new RegExp(`^TC3-HMAC-SHA256 Credential=${fake.secretId}/${date}/127/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$`)),
    });
    expect(JSON.parse(request?.body ?? '{}')).toEqual({
      PhoneNumberSet: [`+86${phone}`],
      SmsSdkAppId: fake.smsSdkAppId,
      SignName: fake.signName,
      TemplateId: CONFIRMED,
      TemplateParamSet: PARAMS,
      SessionContext: 'notif-accept',
    });
  });

  it('signs exactly as in production with endpoint sms.tencentcloudapi.com:PORT + connectTo', async () => {
    const result = accepted(await send({ phone: nextPhone() }, { endpoint: `sms.tencentcloudapi.com:${fake.port}`, connectTo: '127.0.0.1' }));
    const request = fake.requests().find((r) => r.requestId === result.requestId);
    expect(request?.headers.host).toBe(`sms.tencentcloudapi.com:${fake.port}`);
    expect(request?.headers.authorization).toMatch(/\/sms\/tc3_request, /);
  });

  it('refuses a wrong SecretKey with AuthFailure.SignatureFailure (not retryable) and sends nothing', async () => {
    const before = fake.sent().length;
    const result = await send({ phone: nextPhone() }, { secretKey: 'not-the-key' });
    expect(result).toMatchObject({ kind: 'failed', code: 'AuthFailure.SignatureFailure', retryable: false, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(fake.sent()).toHaveLength(before);
  });

  it('refuses an unknown SecretId with AuthFailure.SecretIdNotFound', async () => {
    expect(await send({ phone: nextPhone() }, { secretId: 'AKIDunknown' })).toMatchObject({ code: 'AuthFailure.SecretIdNotFound', retryable: false });
  });

  it('refuses a request whose timestamp is more than 5 minutes off the fake clock, accepts one 4 minutes off', async () => {
    clock.set(Date.now() + 301_000);
    expect(await send({ phone: nextPhone() })).toMatchObject({ kind: 'failed', code: 'AuthFailure.SignatureExpire', retryable: false });
    clock.set(Date.now() - 301_000);
    expect(await send({ phone: nextPhone() })).toMatchObject({ code: 'AuthFailure.SignatureExpire' });
    clock.set(Date.now() + 240_000);
    expect((await send({ phone: nextPhone() })).kind).toBe('accepted');
  });

  it('proves the signature covers the body: the SDK request replayed byte for byte passes, one changed digit does not', async () => {
    const result = accepted(await send({ phone: nextPhone() }));
    const original = fake.requests().find((r) => r.requestId === result.requestId)!;
    const headers = Object.fromEntries(['authorization', 'content-type', 'x-tc-action', 'x-tc-version', 'x-tc-region', 'x-tc-timestamp'].map((h) => [h, original.headers[h]!]));
    const post = async (body: string, extra: Record<string, string> = {}) =>
      (await (await fetch(`${fake.url}/`, { method: 'POST', headers: { ...headers, ...extra }, body })).json()) as { Response: { Error?: { Code: string }; SendStatusSet?: { Code: string }[] } };

    // Authentic replay: authenticated, then refused per number by the 30-second rule (the same message again).
    const replay = await post(original.body);
    expect(replay.Response.Error).toBeUndefined();
    expect(replay.Response.SendStatusSet?.[0]?.Code).toBe('LimitExceeded.PhoneNumberThirtySecondLimit');

    const tampered = original.body.replace(/(\+86\d{10})(\d)/, (_whole, head: string, last: string) => `${head}${last === '9' ? '8' : '9'}`);
    expect(tampered).not.toBe(original.body);
    expect((await post(tampered)).Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
    // The timestamp is signed too.
    expect((await post(original.body, { 'x-tc-timestamp': String(Number(headers['x-tc-timestamp']) + 1) })).Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
  });

  it('checks action, version and region', async () => {
    const body = { PhoneNumberSet: [`+86${nextPhone()}`], SmsSdkAppId: fake.smsSdkAppId, SignName: fake.signName, TemplateId: CONFIRMED, TemplateParamSet: PARAMS };
    expect((await rawSendSms(body, { 'X-TC-Action': 'SendMultiGlobalSms' })).Response.Error).toMatchObject({ Code: 'InvalidAction' });
    expect((await rawSendSms(body, { 'X-TC-Version': '2019-07-11' })).Response.Error).toMatchObject({ Code: 'NoSuchVersion' });
    expect((await rawSendSms(body, { 'X-TC-Region': 'ap-shanghai' })).Response.Error).toMatchObject({ Code: 'UnsupportedRegion' });
    expect(await send({ phone: nextPhone() }, { smsSdkAppId: '1400000000' })).toMatchObject({ code: 'UnauthorizedOperation.SmsSdkAppIdVerifyFail', retryable: false });
    expect(await send({ phone: nextPhone() }, { signName: '别家' })).toMatchObject({ code: 'FailedOperation.SignatureIncorrectOrUnapproved', retryable: false });
  });
});

describe('templates and numbers', () => {
  it('refuses a parameter-count mismatch and an unknown template at request level, not retryable', async () => {
    expect(await send({ phone: nextPhone(), params: PARAMS.slice(0, 2) })).toMatchObject({ kind: 'failed', code: 'FailedOperation.TemplateIncorrectOrUnapproved', retryable: false });
    expect(await send({ phone: nextPhone(), templateId: '9999999' })).toMatchObject({ code: 'FailedOperation.TemplateIncorrectOrUnapproved' });
  });

  it('refuses non-digit verification-code parameters per number (TemplateParameterFormatError)', async () => {
    expect(await send({ phone: nextPhone(), templateId: VERIFICATION, params: ['12ab56', '5'] })).toMatchObject({ code: 'InvalidParameterValue.TemplateParameterFormatError', retryable: false, requestId: expect.any(String) });
    expect((await send({ phone: nextPhone(), templateId: VERIFICATION, params: ['123456', '5'] })).kind).toBe('accepted');
  });

  it('answers each number of a multi-number request on its own: a bad number fails inside a success response', async () => {
    const good = `+86${nextPhone()}`;
    const answer = await rawSendSms({ PhoneNumberSet: ['+8612345', good, `0086${nextPhone()}`], SmsSdkAppId: fake.smsSdkAppId, SignName: fake.signName, TemplateId: REMINDER, TemplateParamSet: PARAMS, SessionContext: 'batch-1' });
    expect(answer.Response.Error).toBeUndefined();
    expect(answer.Response.RequestId).toEqual(expect.any(String));
    const statuses = answer.Response.SendStatusSet as { Code: string; PhoneNumber: string; SerialNo: string; Fee: number; SessionContext: string; IsoCode: string }[];
    expect(statuses.map((s) => s.Code)).toEqual(['InvalidParameterValue.IncorrectPhoneNumber', 'Ok', 'Ok']);
    expect(statuses[0]).toMatchObject({ PhoneNumber: '+8612345', SerialNo: '', Fee: 0, IsoCode: '' });
    expect(statuses[1]).toMatchObject({ PhoneNumber: good, Fee: 1, SessionContext: 'batch-1', IsoCode: 'CN', Message: 'send success' });
    expect(statuses[2]?.PhoneNumber).toMatch(/^\+861380013\d{4}$/);
  });

  it('refuses more than 200 numbers and an empty set at request level', async () => {
    const base = { SmsSdkAppId: fake.smsSdkAppId, SignName: fake.signName, TemplateId: REMINDER, TemplateParamSet: PARAMS };
    expect((await rawSendSms({ ...base, PhoneNumberSet: Array.from({ length: 201 }, (_, i) => `+86139${String(i).padStart(8, '0')}`) })).Response.Error).toMatchObject({ Code: 'LimitExceeded.PhoneNumberCountLimit' });
    expect((await rawSendSms({ ...base, PhoneNumberSet: [] })).Response.Error).toMatchObject({ Code: 'MissingParameter.EmptyPhoneNumberSet' });
  });
});

describe('per-number throttling', () => {
  it('refuses the same number + template within 30 s (retryable after 30 s), allows another template, and the same after 30 s', async () => {
    const phone = nextPhone();
    accepted(await send({ phone }));
    expect(await send({ phone })).toMatchObject({ kind: 'failed', code: 'LimitExceeded.PhoneNumberThirtySecondLimit', retryable: true, retryAfterMs: 30_000, requestId: expect.any(String) });
    accepted(await send({ phone, templateId: REMINDER }));
    clock.advance(30_001);
    accepted(await send({ phone }));
  });

  it('allows 5 per number per hour by default (then OneHourLimit, retryable)', async () => {
    const phone = nextPhone();
    for (let i = 0; i < 5; i += 1) {
      accepted(await send({ phone }));
      clock.advance(31_000);
    }
    expect(await send({ phone })).toMatchObject({ code: 'LimitExceeded.PhoneNumberOneHourLimit', retryable: true, retryAfterMs: 3_600_000 });
  });

  it('stops a number at its daily limit (not retryable)', async () => {
    const daily = await startFakeTencentSms({ port: 0, clock, limits: { perHour: null, perDay: 2 } });
    try {
      const phone = nextPhone();
      const viaDaily = { endpoint: daily.endpoint };
      accepted(await send({ phone }, viaDaily));
      accepted(await send({ phone, templateId: REMINDER }, viaDaily));
      expect(await send({ phone, templateId: '2100004' }, viaDaily)).toMatchObject({ code: 'LimitExceeded.PhoneNumberDailyLimit', retryable: false, retryAfterMs: null });
    } finally {
      await daily.stop();
    }
  });
});

describe('faults', () => {
  it('failNext at request level: InternalError.Timeout and RequestLimitExceeded are retryable, nothing is sent, the next call works', async () => {
    const before = fake.sent().length;
    fake.failNext(1);
    fake.failNext(1, 'RequestLimitExceeded');
    expect(await send({ phone: nextPhone() })).toMatchObject({ kind: 'failed', code: 'InternalError.Timeout', retryable: true, requestId: expect.any(String) });
    expect(await send({ phone: nextPhone() })).toMatchObject({ code: 'RequestLimitExceeded', retryable: true });
    expect(fake.sent()).toHaveLength(before);
    accepted(await send({ phone: nextPhone() }));
  });

  it('failNext at number level: a failure inside a 200 with the given code', async () => {
    fake.failNext(1, 'LimitExceeded.PhoneNumberDailyLimit', { level: 'number' });
    const result = await send({ phone: nextPhone() });
    expect(result).toMatchObject({ kind: 'failed', code: 'LimitExceeded.PhoneNumberDailyLimit', retryable: false });
    const request = fake.requests().at(-1);
    expect(request?.outcome).toBe('Ok');
  });

  it('failRate (seeded) mixes request-level and per-number failures, all retryable; accepted ones are recorded', async () => {
    fake.failRate(0.5, 7);
    const batch: SmsSendResult[] = [];
    for (let i = 0; i < 40; i += 1) batch.push(await send({ phone: nextPhone() }));
    fake.failRate(0);
    const failures = batch.filter((r) => r.kind === 'failed');
    expect(new Set(failures.map((f) => f.code))).toEqual(new Set(['InternalError.Timeout', 'RequestLimitExceeded', 'LimitExceeded.DeliveryFrequencyLimit']));
    expect(failures.every((f) => f.retryable)).toBe(true);
    expect(failures.length).toBeGreaterThan(8);
    expect(failures.length).toBeLessThan(32);
    const serials = new Set(fake.sent().map((r) => r.serialNo));
    expect(batch.filter((r) => r.kind === 'accepted').every((r) => serials.has(r.serialNo))).toBe(true);
  });

  it('maps a timeout and a refused connection to retryable transport failures', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      expect(await send({ phone: nextPhone() }, { endpoint: `127.0.0.1:${port}`, timeoutMs: 300 })).toMatchObject({ kind: 'failed', code: 'TIMEOUT', retryable: true, requestId: null });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    expect(await send({ phone: nextPhone() }, { endpoint: `127.0.0.1:${port}` })).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });
});

describe('delivery-status callbacks', () => {
  it('delivers a report to the callback URL in the real shape, parsed by parseStatusCallback', async () => {
    const phone = nextPhone();
    const result = accepted(await send({ phone }));
    clock.advance(3_000);
    fake.deliver(result.serialNo, 'SUCCESS');
    await fake.callbacksIdle();

    expect(JSON.parse(receiver.bodies[0] ?? '[]')).toEqual([
      { user_receive_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/), nationcode: '86', mobile: phone, report_status: 'SUCCESS', errmsg: 'DELIVRD', description: '用户短信送达成功', sid: result.serialNo },
    ]);
    expect(receiver.reports).toEqual([
      { serialNo: result.serialNo, phone: `+86${phone}`, status: 'DELIVERED', errmsg: 'DELIVRD', description: '用户短信送达成功', userReceiveTime: Math.floor(clock.now() / 1000) * 1000 },
    ]);
    expect(fake.callbacks().at(-1)).toMatchObject({ received: true, attempts: [{ status: 200, result: 0 }] });
    expect(fake.sent().find((r) => r.serialNo === result.serialNo)?.report).toMatchObject({ status: 'SUCCESS' });
  });

  it('retries a callback the receiver did not take, and batches every unreported message into one callback', async () => {
    const first = accepted(await send({ phone: nextPhone() }));
    const failedOne = accepted(await send({ phone: nextPhone() }));
    fake.deliver(failedOne.serialNo, 'FAIL', { errmsg: 'MN:0001', description: '空号' });
    await fake.callbacksIdle();
    receiver.failNext(2, 503);
    const batch = fake.deliver('all');
    expect(batch.serialNos).toContain(first.serialNo);
    expect(batch.serialNos).not.toContain(failedOne.serialNo);
    await fake.callbacksIdle();
    expect(fake.callbacks().find((d) => d.deliveryId === batch.deliveryId)?.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(receiver.reports.find((r) => r.serialNo === failedOne.serialNo)).toMatchObject({ status: 'FAILED', errmsg: 'MN:0001' });
    expect(receiver.reports.find((r) => r.serialNo === first.serialNo)).toMatchObject({ status: 'DELIVERED' });
    expect(() => fake.deliver(failedOne.serialNo, 'SUCCESS')).toThrow(/already reported FAIL/);
  });

  it('autoDeliver reports every accepted message', async () => {
    fake.autoDeliver({ successRate: 1, delayMs: 10 });
    const one = accepted(await send({ phone: nextPhone() }));
    const two = accepted(await send({ phone: nextPhone() }));
    await fake.callbacksIdle();
    expect(receiver.reports.map((r) => [r.serialNo, r.status])).toEqual([
      [one.serialNo, 'DELIVERED'],
      [two.serialNo, 'DELIVERED'],
    ]);
  });
});

describe('privacy', () => {
  it('no result or exchange of this suite contains a raw phone number', () => {
    expect(exchanges.length).toBeGreaterThan(20);
    const text = JSON.stringify([results, exchanges]);
    expect(usedPhones.length).toBeGreaterThan(50);
    expect(usedPhones.filter((phone) => text.includes(phone))).toEqual([]);
    expect(exchanges.every((e) => /^(\d{3}\*{4}\d{4}|\*{4})$/.test(e.phoneMasked))).toBe(true);
  });
});
