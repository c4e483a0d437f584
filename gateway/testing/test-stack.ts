import { createLogger } from '../../core/src/logging.ts';
import { createTestEnv, type TestEnv } from '../../db/testing/test-env.ts';
import { startFakeWechatApi, type FakeWechatApi } from '../../ops/fakes/wechat-api/fake-wechat-api.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateTestKeys } from '../../core/src/wechatpay/testing/keys.ts';
import { type FakeWechatPay, type FakeWechatPayOptions, startFakeWechatPay } from '../../ops/fakes/wechat-pay/fake-wechat-pay.ts';
import { merchantSettings, writeKeyFiles } from '../../ops/fakes/wechat-pay/key-files.ts';
import { type FakeTencentSms, startFakeTencentSms } from '../../ops/fakes/tencent-sms/fake-tencent-sms.ts';
import { systemClock } from '../../core/src/clock.ts';

/** Subscribe templates of the test stack: keyword ids as core/src/notifications/payloads.ts fills them. */
export const SUBSCRIBE_TEMPLATES: Record<string, readonly string[]> = {
  'tmpl-confirmed': ['thing1', 'thing2', 'time3', 'thing4'],
  'tmpl-changed': ['thing1', 'thing2', 'time3', 'thing4'],
  'tmpl-cancelled': ['thing1', 'thing2', 'time3', 'thing4'],
  'tmpl-reminder': ['thing1', 'thing2', 'time3', 'thing4'],
  'tmpl-refund': ['thing1', 'thing2', 'amount3', 'thing4'],
  'tmpl-review': ['thing1', 'thing2', 'time3', 'thing4'],
};
const SUBSCRIBE_BY_KIND =
  'BOOKING_CONFIRMED:tmpl-confirmed,BOOKING_CHANGED:tmpl-changed,BOOKING_CANCELLED:tmpl-cancelled,REMINDER:tmpl-reminder,REFUND_ISSUED:tmpl-refund,REVIEW_REQUEST:tmpl-review';
const SMS_BY_KIND = 'BOOKING_CONFIRMED:2100002,BOOKING_CHANGED:2100003,BOOKING_CANCELLED:2100004,REMINDER:2100005,REFUND_ISSUED:2100006,WAITLIST_OFFER:2100007,REVIEW_REQUEST:2100008';
export const SMS_CALLBACK_TOKEN = 'test-sms-callback-token-0123456789';
import { loadWorkerConfig } from '../../workers/src/config.ts';
import { type RunningWorkers, startWorkers } from '../../workers/src/main.ts';
import { loadGatewayConfig } from '../src/config.ts';
import { type RunningGateway, startGateway } from '../src/server.ts';

const APPID = 'wxtest000000000001';
const SECRET = 'test-secret';
export const JWT_SECRET = 'test-jwt-secret-0123456789-0123456789';

/** Shared settings of a test stack's processes: its own database and key prefix. */
export function stackEnv(env: TestEnv, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MYSQL_HOST: env.mysql.host,
    MYSQL_PORT: String(env.mysql.port),
    MYSQL_USER: env.mysql.user,
    MYSQL_PASSWORD: env.mysql.password,
    MYSQL_DATABASE: env.mysql.database,
    REDIS_URL: env.redisUrl,
    REDIS_KEY_PREFIX: env.prefix,
    ...extra,
  };
}

export interface TestStack {
  env: TestEnv;
  wechat: FakeWechatApi;
  /** The fake WeChat Pay the gateway and workers talk to (its own keys, real signatures). */
  pay: FakeWechatPay;
  /** WECHATPAY_* settings of this stack, for starting extra worker processes. */
  payEnv: Record<string, string>;
  /** The fake Tencent Cloud SMS (system clock: the SDK signs with real time). */
  sms: FakeTencentSms;
  /** SMS, subscribe and WeChat settings of this stack's notify workers, for starting extra worker processes. */
  notifyEnv: Record<string, string>;
  gateway: RunningGateway;
  workers: RunningWorkers | null;
  url: string;
  /** Logs a consumer in through the fake WeChat; the same user always gets the same customer. */
  login(user: string): Promise<string>;
  staffLogin(username: string, password: string): Promise<string>;
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** Gateway (and optionally workers) in-process against the real MariaDB and Redis, with the fake WeChat API. */
export async function startTestStack(
  label: string,
  options: {
    workers?: boolean;
    workerEnv?: Record<string, string>;
    /** Extra gateway settings, applied last (e.g. CORS_ORIGINS for a browser test's H5 origin). */
    gatewayEnv?: Record<string, string>;
    pay?: Omit<FakeWechatPayOptions, 'clock' | 'keys' | 'port'>;
  } = {},
): Promise<TestStack> {
  const env = await createTestEnv(label);
  const wechat = await startFakeWechatApi({ appid: APPID, secret: SECRET, port: 0, clock: env.clock, subscribeTemplates: SUBSCRIBE_TEMPLATES });
  const sms = await startFakeTencentSms({ port: 0, clock: systemClock, limits: { perHour: null, perDay: null }, callbackRetryScheduleMs: [200, 500] });
  const log = createLogger({ name: 'test', level: 'silent' });
  const keys = generateTestKeys({ appid: APPID });
  const keyDir = await mkdtemp(path.join(tmpdir(), 'zy-wxpay-'));
  await writeKeyFiles(keyDir, keys);
  const pay = await startFakeWechatPay({ port: 0, clock: env.clock, keys, refundSettleDelayMs: 50, notifyRetryScheduleMs: [200, 500, 1000, 2000], ...options.pay });
  // The notify URL names the gateway's port, so the port is chosen before the gateway starts.
  const httpPort = await freePort();
  const payEnv = merchantSettings(keyDir, keys, pay.url, `http://127.0.0.1:${httpPort}`);
  sms.setCallbackUrl(`http://127.0.0.1:${httpPort}/v1/notifications/sms/status/${SMS_CALLBACK_TOKEN}`);
  const notifyEnv = {
    WECHAT_APPID: APPID,
    WECHAT_SECRET: SECRET,
    WECHAT_API_BASE: wechat.url,
    TENCENTCLOUD_SECRET_ID: sms.secretId,
    TENCENTCLOUD_SECRET_KEY: sms.secretKey,
    SMS_ENDPOINT: sms.endpoint,
    SMS_PROTOCOL: 'http://',
    SMS_SDK_APP_ID: sms.smsSdkAppId,
    SMS_SIGN_NAME: sms.signName,
    SMS_TEMPLATES: SMS_BY_KIND,
    SUBSCRIBE_TEMPLATES: SUBSCRIBE_BY_KIND,
  };
  const gateway = await startGateway(
    loadGatewayConfig(
      stackEnv(env, { HTTP_PORT: String(httpPort), WECHAT_APPID: APPID, WECHAT_SECRET: SECRET, WECHAT_API_BASE: wechat.url, JWT_SECRET, CATALOG_CACHE_TTL_MS: '0', CONSUMER_TOKEN_TTL_SECONDS: '86400', STAFF_TOKEN_TTL_SECONDS: '86400', ...payEnv,
        SMS_CALLBACK_TOKEN, SMS_TEMPLATES: SMS_BY_KIND, SUBSCRIBE_TEMPLATES: SUBSCRIBE_BY_KIND, ...options.gatewayEnv }),
    ),
    { clock: env.clock, log },
  );
  const workers =
    options.workers === false
      ? null
      : await startWorkers(
          loadWorkerConfig(
            stackEnv(env, {
              WORKER_HTTP_PORT: '0',
              // Sweeps run on the manual clock, so they only expire what a test moved past its deadline.
              SWEEP_CRON: '* * * * * *',
              RECONCILE_CRON: '0 0 0 1 1 *',
              MATERIALIZE_CRON: '0 0 0 1 1 *',
              LEADER_LEASE_MS: '3000',
              PAYMENT_DEADLINE_CRON: '* * * * * *',
              PAYMENT_QUERY_CRON: '* * * * * *',
              BILL_RECONCILE_CRON: '0 0 0 1 1 *',
              NOTIFY_PLAN_CRON: '* * * * * *',
              NOTIFY_SWEEP_CRON: '* * * * * *',
              NOTIFY_EVENT_GAP_GRACE_MS: '500',
              DIGEST_CRON: '0 0 0 1 1 *',
              ...payEnv,
              ...notifyEnv,
              ...options.workerEnv,
            }),
          ),
          { clock: env.clock, log },
        );
  const url = gateway.url;

  async function request(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (opts.rawBody !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics)
    }
    return { status: response.status, body: parsed as any, headers: response.headers };
  }

  return {
    env,
    wechat,
    pay,
    payEnv,
    sms,
    notifyEnv,
    gateway,
    workers,
    url,
    request,
    async login(user) {
      const response = await request('POST', '/v1/auth/wechat/login', { body: { code: wechat.issueLoginCode(user) } });
      if (response.status !== 200) throw new Error(`login failed: ${JSON.stringify(response.body)}`);
      return response.body.token as string;
    },
    async staffLogin(username, password) {
      const response = await request('POST', '/v1/merchant/auth/login', { body: { username, password } });
      if (response.status !== 200) throw new Error(`staff login failed: ${JSON.stringify(response.body)}`);
      return response.body.token as string;
    },
    async stop() {
      await workers?.stop();
      await gateway.stop();
      await wechat.close();
      await pay.stop();
      await sms.stop();
      await rm(keyDir, { recursive: true, force: true });
      await env.cleanup();
    },
  };
}

/** Polls a booking until it leaves PENDING. */
export async function waitForOutcome(stack: TestStack, token: string, bookingId: string, timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await stack.request('GET', `/v1/bookings/${bookingId}`, { token });
    if (status !== 200) throw new Error(`GET booking ${bookingId}: ${status} ${JSON.stringify(body)}`);
    if (body.status !== 'PENDING') return body;
    if (Date.now() > deadline) throw new Error(`booking ${bookingId} still PENDING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
