/**
 * `node ops/fakes/wechat-api/main.ts`: the fake WeChat API as a standalone
 * process for local runs and browser tests. Point the gateway's
 * WECHAT_API_BASE at the printed URL with the same WECHAT_APPID/WECHAT_SECRET.
 */
import { z } from 'zod';
import { parseEnv } from '../../../core/src/config/env.ts';
import { startFakeWechatApi } from './fake-wechat-api.ts';

const env = parseEnv(
  {
    FAKE_WECHAT_PORT: z.coerce.number().int().min(0).max(65535).default(9101),
    WECHAT_APPID: z.string().min(1).default('wxdev0000000000000'),
    WECHAT_SECRET: z.string().min(1).default('dev-secret-not-for-production'),
  },
  process.env,
);

const fake = await startFakeWechatApi({ appid: env.WECHAT_APPID, secret: env.WECHAT_SECRET, port: env.FAKE_WECHAT_PORT });
console.log(`fake WeChat API for appid ${env.WECHAT_APPID} listening on ${fake.url}`);

let closing = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (closing) return;
  closing = true;
  console.log(`${signal}: closing fake WeChat API`);
  await fake.close();
  process.exit(0);
}
process.once('SIGTERM', (signal) => void shutdown(signal));
process.once('SIGINT', (signal) => void shutdown(signal));
