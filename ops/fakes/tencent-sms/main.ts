/**
 * `npm run fake:sms`: the fake Tencent Cloud SMS endpoint as a standalone
 * process for local runs and the demo stack. Credentials are fixed dev
 * values (or taken from the environment), so a client configured from the
 * printed settings keeps working across restarts. It runs on the system
 * clock: the SDK signs with the system time whatever clock the stack uses.
 */
import { z } from 'zod';
import { parseEnv } from '../../../core/src/config/env.ts';
import { FAKE_SMS_DEFAULTS, startFakeTencentSms } from './fake-tencent-sms.ts';
import { DEFAULT_TEMPLATES } from './templates.ts';

const env = parseEnv(
  {
    // 9102 is the workers' HTTP port, 9103 the fake WeChat Pay.
    FAKE_SMS_PORT: z.coerce.number().int().min(0).max(65535).default(9104),
    TENCENTCLOUD_SECRET_ID: z.string().min(1).default(FAKE_SMS_DEFAULTS.secretId),
    TENCENTCLOUD_SECRET_KEY: z.string().min(1).default(FAKE_SMS_DEFAULTS.secretKey),
    SMS_SDK_APP_ID: z.string().regex(/^\d+$/).default(FAKE_SMS_DEFAULTS.smsSdkAppId),
    SMS_SIGN_NAME: z.string().min(1).default(FAKE_SMS_DEFAULTS.signName),
    /** Where delivery reports are POSTed (the gateway's callback route with its token). */
    FAKE_SMS_CALLBACK_URL: z.url().optional(),
    /** Report every accepted message automatically with this success rate (0–1); unset = only on request. */
    FAKE_SMS_AUTO_DELIVER: z.coerce.number().min(0).max(1).optional(),
    FAKE_SMS_AUTO_DELIVER_DELAY_MS: z.coerce.number().int().min(0).default(2000),
    FAKE_SMS_FAIL_RATE: z.coerce.number().min(0).max(1).default(0),
  },
  process.env,
);

const fake = await startFakeTencentSms({
  port: env.FAKE_SMS_PORT,
  secretId: env.TENCENTCLOUD_SECRET_ID,
  secretKey: env.TENCENTCLOUD_SECRET_KEY,
  smsSdkAppId: env.SMS_SDK_APP_ID,
  signName: env.SMS_SIGN_NAME,
  callbackUrl: env.FAKE_SMS_CALLBACK_URL ?? null,
  failRate: env.FAKE_SMS_FAIL_RATE,
});
if (env.FAKE_SMS_AUTO_DELIVER !== undefined) fake.autoDeliver({ successRate: env.FAKE_SMS_AUTO_DELIVER, delayMs: env.FAKE_SMS_AUTO_DELIVER_DELAY_MS });

console.log(`fake Tencent Cloud SMS (SendSms ${'2021-01-11'}) for SmsSdkAppId ${fake.smsSdkAppId} listening on ${fake.url}`);
console.log('client side:');
console.log(`  TENCENTCLOUD_SECRET_ID=${fake.secretId}`);
console.log(`  TENCENTCLOUD_SECRET_KEY=${fake.secretKey}`);
console.log('  SMS_REGION=ap-guangzhou');
console.log(`  SMS_ENDPOINT=${fake.endpoint}`);
console.log('  SMS_PROTOCOL=http://');
console.log(`  SMS_SDK_APP_ID=${fake.smsSdkAppId}`);
console.log(`  SMS_SIGN_NAME=${fake.signName}`);
for (const [id, template] of Object.entries(DEFAULT_TEMPLATES)) console.log(`  SMS_TEMPLATE_${template.name}=${id}`);
console.log(`  (production-identical signing instead: SMS_ENDPOINT=sms.tencentcloudapi.com:${fake.port} SMS_CONNECT_TO=127.0.0.1)`);
console.log(`status callbacks: ${env.FAKE_SMS_CALLBACK_URL ?? 'none yet (POST /__fake__/callback-url)'}`);
console.log(`control API: ${fake.url}/__fake__/ (see ops/fakes/tencent-sms/README.md)`);

let closing = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (closing) return;
  closing = true;
  console.log(`${signal}: closing fake Tencent Cloud SMS`);
  await fake.stop();
  process.exit(0);
}
process.once('SIGTERM', (signal) => void shutdown(signal));
process.once('SIGINT', (signal) => void shutdown(signal));
