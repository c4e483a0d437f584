/**
 * `node ops/fakes/wechat-api/main.ts`: the fake WeChat API as a standalone
 * process for local runs and browser tests. Point the gateway's
 * WECHAT_API_BASE at the printed URL with the same WECHAT_APPID/WECHAT_SECRET.
 */
import { z } from 'zod';
import { parseEnv } from '../../../core/src/config/env.ts';
import { startFakeWechatApi } from './fake-wechat-api.ts';

/**
 * The demo's 预约 templates: keyword ids exactly as core/src/notifications/payloads.ts fills them
 * (service, store, time, remark; amount instead of time for refunds). `npm run stack` passes the
 * same set in FAKE_WECHAT_SUBSCRIBE_TEMPLATES and maps kinds to them in SUBSCRIBE_TEMPLATES.
 */
const DEMO_SUBSCRIBE_TEMPLATES: Record<string, string[]> = {
  'zy-demo-booking-confirmed': ['thing1', 'thing2', 'time3', 'thing4'],
  'zy-demo-booking-changed': ['thing1', 'thing2', 'time3', 'thing4'],
  'zy-demo-booking-cancelled': ['thing1', 'thing2', 'time3', 'thing4'],
  'zy-demo-booking-reminder': ['thing1', 'thing2', 'time3', 'thing4'],
  'zy-demo-refund-issued': ['thing1', 'thing2', 'amount3', 'thing4'],
  'zy-demo-review-request': ['thing1', 'thing2', 'time3', 'thing4'],
};

const env = parseEnv(
  {
    FAKE_WECHAT_PORT: z.coerce.number().int().min(0).max(65535).default(9101),
    WECHAT_APPID: z.string().min(1).default('wxdev0000000000000'),
    WECHAT_SECRET: z.string().min(1).default('dev-secret-not-for-production'),
    /** JSON `{ "<template id>": ["thing1", "time2", …] }`; default: the demo templates above. */
    FAKE_WECHAT_SUBSCRIBE_TEMPLATES: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return DEMO_SUBSCRIBE_TEMPLATES;
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          json = undefined;
        }
        const parsed = z.record(z.string().min(1), z.array(z.string().regex(/^[a-z_]+\d+$/))).safeParse(json);
        if (!parsed.success) {
          ctx.addIssue({ code: 'custom', message: 'expected {"<template id>": ["thing1", "time2", …]}' });
          return z.NEVER;
        }
        return parsed.data;
      }),
  },
  process.env,
);

const fake = await startFakeWechatApi({
  appid: env.WECHAT_APPID,
  secret: env.WECHAT_SECRET,
  port: env.FAKE_WECHAT_PORT,
  subscribeTemplates: env.FAKE_WECHAT_SUBSCRIBE_TEMPLATES,
});
console.log(`fake WeChat API for appid ${env.WECHAT_APPID} listening on ${fake.url}`);
console.log(`subscribe templates: ${Object.keys(env.FAKE_WECHAT_SUBSCRIBE_TEMPLATES).join(', ')}`);

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
