/**
 * `npm run fake:wechatpay`: the fake WeChat Pay server as a standalone
 * process for local runs and the demo stack. Keys live in
 * FAKE_WECHATPAY_KEY_DIR (created on first start, reused afterwards), so a
 * gateway configured from the printed values keeps working across restarts.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../../../core/src/config/env.ts';
import { generateTestKeys } from '../../../core/src/wechatpay/testing/keys.ts';
import { startFakeWechatPay } from './fake-wechat-pay.ts';
import { hasKeyFiles, KEY_FILES, readKeyFiles, writeKeyFiles } from './key-files.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const env = parseEnv(
  {
    // 9102 is the workers' HTTP port in the stack.
    FAKE_WECHATPAY_PORT: z.coerce.number().int().min(0).max(65535).default(9103),
    FAKE_WECHATPAY_KEY_DIR: z.string().min(1).default(path.join(root, '.run', 'fake-wechatpay')),
    WECHATPAY_MCHID: z.string().regex(/^\d{1,32}$/).default('1900000109'),
    WECHAT_APPID: z.string().min(1).default('wxdev0000000000000'),
    /** Comma-separated seconds between notify retries; WeChat's own schedule when unset. */
    FAKE_WECHATPAY_NOTIFY_RETRY_SECONDS: z.string().regex(/^\d+(,\d+)*$/).optional(),
    FAKE_WECHATPAY_REFUND_SETTLE_MS: z.coerce.number().int().min(0).default(3000),
    FAKE_WECHATPAY_FAIL_RATE: z.coerce.number().min(0).max(1).default(0),
  },
  process.env,
);

const keyDir = path.resolve(env.FAKE_WECHATPAY_KEY_DIR);
let keys;
if (hasKeyFiles(keyDir)) {
  keys = await readKeyFiles(keyDir);
} else {
  keys = generateTestKeys({ mchid: env.WECHATPAY_MCHID, appid: env.WECHAT_APPID });
  await writeKeyFiles(keyDir, keys);
}

const fake = await startFakeWechatPay({
  port: env.FAKE_WECHATPAY_PORT,
  keys,
  refundSettleDelayMs: env.FAKE_WECHATPAY_REFUND_SETTLE_MS,
  failRate: env.FAKE_WECHATPAY_FAIL_RATE,
  ...(env.FAKE_WECHATPAY_NOTIFY_RETRY_SECONDS ? { notifyRetryScheduleMs: env.FAKE_WECHATPAY_NOTIFY_RETRY_SECONDS.split(',').map((s) => Number(s) * 1000) } : {}),
});

console.log(`fake WeChat Pay for mchid ${keys.mchid} / appid ${keys.appid} listening on ${fake.url}`);
console.log(`keys in ${keyDir}; merchant side:`);
console.log(`  WECHATPAY_API_BASE=${fake.url}`);
console.log(`  WECHATPAY_MCHID=${keys.mchid}`);
console.log(`  WECHATPAY_SERIAL=${keys.merchantSerialNo}`);
console.log(`  WECHATPAY_PRIVATE_KEY_PATH=${path.join(keyDir, KEY_FILES.merchantPrivateKey)}`);
console.log(`  WECHATPAY_PUBLIC_KEY_ID=${keys.wechatpayPublicKeyId}`);
console.log(`  WECHATPAY_PUBLIC_KEY_PATH=${path.join(keyDir, KEY_FILES.wechatpayPublicKey)}`);
console.log(`  WECHATPAY_APIV3_KEY: see ${path.join(keyDir, KEY_FILES.config)}`);
console.log(`control API: ${fake.url}/__fake__/ (see ops/fakes/wechat-pay/README.md)`);

let closing = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (closing) return;
  closing = true;
  console.log(`${signal}: closing fake WeChat Pay`);
  await fake.stop();
  process.exit(0);
}
process.once('SIGTERM', (signal) => void shutdown(signal));
process.once('SIGINT', (signal) => void shutdown(signal));
