/**
 * `npm run stack`: runs the fake WeChat API, the fake WeChat Pay, the fake
 * Tencent Cloud SMS, the gateway and the workers as child processes (as
 * production would run them: separate processes), prints where to look, and
 * stops them gracefully on Ctrl-C / SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../../core/src/config/env.ts';
import { FAKE_SMS_DEFAULTS } from '../fakes/tencent-sms/fake-tencent-sms.ts';
import { hasKeyFiles, merchantSettings, readKeyFiles, writeKeyFiles } from '../fakes/wechat-pay/key-files.ts';

const root = path.resolve(import.meta.dirname, '../..');
const h5Built = existsSync(path.join(root, 'miniprogram/dist/h5/index.html'));

/**
 * Subscribe templates of the fake WeChat: keyword ids exactly as core/src/notifications/payloads.ts
 * fills them (the same shapes as gateway/testing/test-stack.ts), and the kind each one serves.
 */
const DEMO_SUBSCRIBE_TEMPLATES: Record<string, { kind: string; keywords: readonly string[] }> = {
  'zy-demo-booking-confirmed': { kind: 'BOOKING_CONFIRMED', keywords: ['thing1', 'thing2', 'time3', 'thing4'] },
  'zy-demo-booking-changed': { kind: 'BOOKING_CHANGED', keywords: ['thing1', 'thing2', 'time3', 'thing4'] },
  'zy-demo-booking-cancelled': { kind: 'BOOKING_CANCELLED', keywords: ['thing1', 'thing2', 'time3', 'thing4'] },
  'zy-demo-booking-reminder': { kind: 'REMINDER', keywords: ['thing1', 'thing2', 'time3', 'thing4'] },
  'zy-demo-refund-issued': { kind: 'REFUND_ISSUED', keywords: ['thing1', 'thing2', 'amount3', 'thing4'] },
  'zy-demo-review-request': { kind: 'REVIEW_REQUEST', keywords: ['thing1', 'thing2', 'time3', 'thing4'] },
};
/** The fake SMS's default templates (ops/fakes/tencent-sms/templates.ts) per notification kind. */
const DEMO_SMS_TEMPLATES =
  'BOOKING_CONFIRMED:2100002,BOOKING_CHANGED:2100003,BOOKING_CANCELLED:2100004,REMINDER:2100005,REFUND_ISSUED:2100006,WAITLIST_OFFER:2100007,REVIEW_REQUEST:2100008';

const env = parseEnv(
  {
    HTTP_PORT: z.coerce.number().int().default(8080),
    WORKER_HTTP_PORT: z.coerce.number().int().default(9102),
    FAKE_WECHAT_PORT: z.coerce.number().int().default(9101),
    /** Set to a real base URL to log in against WeChat itself instead of the local fake. */
    WECHAT_API_BASE: z.string().url().optional(),
    /** The mini program: customers log in with it and pay in it (WECHATPAY_APPID). Same default as the gateway. */
    WECHAT_APPID: z.string().min(1).default('wxdev0000000000000'),
    /** Its secret: the gateway (phone numbers) and the notify workers (subscribe messages) fetch access tokens with it. */
    WECHAT_SECRET: z.string().min(1).default('dev-secret-not-for-production'),
    FAKE_WECHATPAY_PORT: z.coerce.number().int().default(9103),
    FAKE_WECHATPAY_KEY_DIR: z.string().min(1).default(path.join(root, '.run', 'fake-wechatpay')),
    /**
     * Set to a real WeChat Pay base URL (with every other WECHATPAY_* setting in the environment) to pay
     * there instead of the local fake; the gateway and workers then get the environment as it is.
     */
    WECHATPAY_API_BASE: z.string().url().optional(),
    FAKE_SMS_PORT: z.coerce.number().int().default(9104),
    /**
     * Set (with every other TENCENTCLOUD_* / SMS_* setting in the environment) to send SMS through
     * Tencent Cloud itself; the stack then starts no fake and the children get the environment as it is.
     */
    TENCENTCLOUD_SECRET_ID: z.string().min(1).optional(),
    /** Path token of the SMS delivery-report URL; random per run with the fake. */
    SMS_CALLBACK_TOKEN: z.string().min(16).optional(),
    /** The mini program's H5 build (ops/up builds it); the gateway's development CORS default allows this port. */
    H5_PORT: z.coerce.number().int().default(8088),
  },
  process.env,
);
const wechatBase = env.WECHAT_API_BASE ?? `http://127.0.0.1:${env.FAKE_WECHAT_PORT}`;
const fakePay = !env.WECHATPAY_API_BASE;
const wechatPayBase = env.WECHATPAY_API_BASE ?? `http://127.0.0.1:${env.FAKE_WECHATPAY_PORT}`;
const keyDir = path.resolve(root, env.FAKE_WECHATPAY_KEY_DIR);
const fakeSms = !env.TENCENTCLOUD_SECRET_ID;
const smsBase = `http://127.0.0.1:${env.FAKE_SMS_PORT}`;
const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

function run(name: string, script: string, extraEnv: Record<string, string>): void {
  const child = spawn(process.execPath, [path.join(root, script)], { cwd: root, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `${name.padEnd(8)}|`;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${prefix} exited (${signal ?? code}); stopping the stack`);
    void stop(1);
  });
  children.push({ name, child });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('stack: stopping (SIGTERM to every process, they finish in-flight work)…');
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
        }),
    ),
  );
  process.exit(exitCode);
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

const gateway = `http://127.0.0.1:${env.HTTP_PORT}`;

/**
 * Starts the fake WeChat Pay (it creates its keys on first start, then reuses them), waits until it
 * answers, then reads the keys it uses: the WECHATPAY_* settings of the gateway and the workers.
 */
async function startFakeWechatPay(): Promise<Record<string, string>> {
  // Orders carry the mini program's appid and the fake refuses any other: keys made under another
  // WECHAT_APPID get the current one (the appid is configuration, not key material).
  if (hasKeyFiles(keyDir)) {
    const stored = await readKeyFiles(keyDir);
    if (stored.appid !== env.WECHAT_APPID) await writeKeyFiles(keyDir, { ...stored, appid: env.WECHAT_APPID });
  }
  run('wxpay', 'ops/fakes/wechat-pay/main.ts', {
    FAKE_WECHATPAY_PORT: String(env.FAKE_WECHATPAY_PORT),
    FAKE_WECHATPAY_KEY_DIR: keyDir,
    WECHAT_APPID: env.WECHAT_APPID,
  });
  await waitFor(`${wechatPayBase}/__fake__/health`, 30_000);
  const keys = await readKeyFiles(keyDir);
  return { ...merchantSettings(keyDir, keys, wechatPayBase, gateway), WECHATPAY_APPID: env.WECHAT_APPID };
}

/**
 * Starts the fake Tencent Cloud SMS (on the system clock: the SDK signs with real time) with delivery
 * reports going to the gateway's callback route and every message reported after 2 s (98 % delivered),
 * and returns the TENCENTCLOUD_* / SMS_* settings of the gateway and the workers.
 */
async function startFakeSms(): Promise<Record<string, string>> {
  const callbackToken = env.SMS_CALLBACK_TOKEN ?? randomBytes(24).toString('base64url');
  const credentials = {
    TENCENTCLOUD_SECRET_ID: FAKE_SMS_DEFAULTS.secretId,
    TENCENTCLOUD_SECRET_KEY: FAKE_SMS_DEFAULTS.secretKey,
    SMS_SDK_APP_ID: FAKE_SMS_DEFAULTS.smsSdkAppId,
    SMS_SIGN_NAME: FAKE_SMS_DEFAULTS.signName,
  };
  run('sms', 'ops/fakes/tencent-sms/main.ts', {
    ...credentials,
    FAKE_SMS_PORT: String(env.FAKE_SMS_PORT),
    FAKE_SMS_CALLBACK_URL: `${gateway}/v1/notifications/sms/status/${callbackToken}`,
    FAKE_SMS_AUTO_DELIVER: '0.98',
    FAKE_SMS_AUTO_DELIVER_DELAY_MS: '2000',
  });
  await waitFor(`${smsBase}/__fake__/health`, 30_000);
  return {
    ...credentials,
    SMS_ENDPOINT: `127.0.0.1:${env.FAKE_SMS_PORT}`,
    SMS_PROTOCOL: 'http://',
    SMS_TEMPLATES: DEMO_SMS_TEMPLATES,
    SMS_CALLBACK_TOKEN: callbackToken,
  };
}

// With real WeChat the subscribe templates (SUBSCRIBE_TEMPLATES) come from the environment.
const subscribeSettings: Record<string, string> = env.WECHAT_API_BASE
  ? {}
  : { SUBSCRIBE_TEMPLATES: Object.entries(DEMO_SUBSCRIBE_TEMPLATES).map(([id, t]) => `${t.kind}:${id}`).join(',') };
const wechatSettings = { WECHAT_API_BASE: wechatBase, WECHAT_APPID: env.WECHAT_APPID, WECHAT_SECRET: env.WECHAT_SECRET };

if (!env.WECHAT_API_BASE) {
  run('wechat', 'ops/fakes/wechat-api/main.ts', {
    FAKE_WECHAT_PORT: String(env.FAKE_WECHAT_PORT),
    WECHAT_APPID: env.WECHAT_APPID,
    WECHAT_SECRET: env.WECHAT_SECRET,
    FAKE_WECHAT_SUBSCRIBE_TEMPLATES: JSON.stringify(Object.fromEntries(Object.entries(DEMO_SUBSCRIBE_TEMPLATES).map(([id, t]) => [id, t.keywords]))),
  });
}
try {
  // With a real provider the WECHATPAY_* (TENCENTCLOUD_*, SMS_*) settings come from the environment the children inherit.
  const [wechatPay, sms] = await Promise.all([fakePay ? startFakeWechatPay() : {}, fakeSms ? startFakeSms() : {}]);
  // Gateway and notify workers get the same WeChat, SMS and subscribe settings.
  const notify = { ...wechatSettings, ...sms, ...subscribeSettings };
  run('gateway', 'gateway/src/server.ts', { HTTP_PORT: String(env.HTTP_PORT), ...wechatPay, ...notify });
  // Settlement crons keep their defaults: deadlines every 2 s, silent orders queried every 20 s, the bill at 10:30.
  // Notify crons too: plan and sweep every second, merchant digests every 5 minutes.
  run('workers', 'workers/src/main.ts', { WORKER_HTTP_PORT: String(env.WORKER_HTTP_PORT), ...wechatPay, ...notify });
  // The consumer mini program (H5 build) talks to this gateway and plays the phone against the fakes above.
  if (h5Built) run('h5', 'ops/src/h5-host.ts', { H5_PORT: String(env.H5_PORT) });
  await waitFor(`${gateway}/readyz`, 60_000);
  await waitFor(`http://127.0.0.1:${env.WORKER_HTTP_PORT}/healthz`, 60_000);
} catch (error) {
  console.error(`stack: ${(error as Error).message}`);
  await stop(1);
}
// The demo page assumes the fakes' default ports; other ports go to it in the query string.
const demoQuery = new URLSearchParams();
if (!env.WECHAT_API_BASE && env.FAKE_WECHAT_PORT !== 9101) demoQuery.set('wechat', wechatBase);
if (fakePay && env.FAKE_WECHATPAY_PORT !== 9103) demoQuery.set('wechatpay', wechatPayBase);
if (fakeSms && env.FAKE_SMS_PORT !== 9104) demoQuery.set('sms', smsBase);
console.log(`
  智约 Zhiyue is running (Node ${process.version})

  Demo page        ${gateway}/${demoQuery.size > 0 ? `?${demoQuery}` : ''}
  Mini program     ${h5Built ? `http://127.0.0.1:${env.H5_PORT}/  (H5 build; open with a phone-sized window)` : 'not built (npm run build:mini:h5)'}
  API (OpenAPI)    ${gateway}/openapi.json
  Readiness        ${gateway}/readyz
  Metrics          ${gateway}/metrics        (gateway + workers)
  Worker metrics   http://127.0.0.1:${env.WORKER_HTTP_PORT}/metrics
  WeChat API       ${wechatBase}${env.WECHAT_API_BASE ? '' : '  (local fake)'}
  WeChat Pay       ${wechatPayBase}${fakePay ? `  (local fake: payer and control API under /__fake__/, keys in ${path.relative(root, keyDir) || keyDir})` : ''}
  Tencent SMS      ${fakeSms ? `${smsBase}  (local fake: sent messages at /__fake__/sent, delivery reports to the gateway after 2 s)` : 'Tencent Cloud (TENCENTCLOUD_* / SMS_* from the environment)'}
  Subscribe msgs   ${env.WECHAT_API_BASE ? 'SUBSCRIBE_TEMPLATES from the environment' : `${wechatBase}/__fake__/subscribe-messages  (templates ${Object.keys(DEMO_SUBSCRIBE_TEMPLATES).length}, consents via /__fake__/subscribe-consent)`}

  Merchant logins  salon.owner, clinic.owner, fitness.owner, flash.owner, salon.front — password zhiyue-demo
  Load test        npm run loadtest -- flash-sale      (in another terminal)

  Ctrl-C stops everything.
`);
