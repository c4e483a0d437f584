import { z } from 'zod';
import type { ClockSettings } from '../clock.ts';
import { smsEnv } from '../sms/settings.ts';

/**
 * Shared pieces of every process's configuration. Each process composes the
 * fragments it needs in its own `config.ts`, parses `process.env` once at boot
 * and passes the frozen result down; nothing else reads the environment.
 */

/** Values that are fine on a laptop and fatal in production. */
const DEV_DEFAULTS = new Set<string>();

export function devDefault(value: string): string {
  DEV_DEFAULTS.add(value);
  return value;
}

const intFromEnv = (fallback: number) => z.coerce.number().int().default(fallback);

export const runtimeEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const mysqlEnv = {
  MYSQL_HOST: z.string().default('127.0.0.1'),
  MYSQL_PORT: intFromEnv(3306),
  MYSQL_USER: z.string().default('root'),
  MYSQL_PASSWORD: z.string().default(''),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only').default('zhiyue'),
  MYSQL_POOL_SIZE: intFromEnv(10),
};

export const redisEnv = {
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379/0'),
  /** Every key this deployment writes starts with it; tests use a fresh one per run. */
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('zy'),
};

export const clockEnv = {
  /** system | fixed (frozen at CLOCK_AT) | start-at (starts at CLOCK_AT, then runs) | offset (CLOCK_OFFSET_MS). */
  CLOCK_MODE: z.enum(['system', 'fixed', 'offset', 'start-at']).default('system'),
  CLOCK_AT: z.string().datetime({ offset: true }).optional(),
  CLOCK_OFFSET_MS: intFromEnv(0),
};

export const phoneKeyEnv = {
  PHONE_KEY_ID: intFromEnv(1),
  /** base64 of 32 random bytes (AES-256-GCM). */
  PHONE_ENC_KEY: z.string().default(devDefault('ZGV2LW9ubHktcGhvbmUta2V5LWRvLW5vdC11c2UhISE=')),
  /** base64 of 32 random bytes (HMAC blind index). */
  PHONE_INDEX_KEY: z.string().default(devDefault('ZGV2LW9ubHktaW5kZXgta2V5LWRvLW5vdC11c2UhISE=')),
};

export function clockSettingsFrom(env: { CLOCK_MODE: string; CLOCK_AT?: string | undefined; CLOCK_OFFSET_MS: number }): ClockSettings {
  switch (env.CLOCK_MODE) {
    case 'fixed':
    case 'start-at':
      if (!env.CLOCK_AT) throw new Error(`CLOCK_MODE=${env.CLOCK_MODE} needs CLOCK_AT`);
      return { mode: env.CLOCK_MODE, at: Date.parse(env.CLOCK_AT) };
    case 'offset':
      return { mode: 'offset', offsetMs: env.CLOCK_OFFSET_MS };
    default:
      return { mode: 'system' };
  }
}

export function base64Key(value: string, name: string): Buffer {
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error(`${name} must be base64 of exactly 32 bytes`);
  return key;
}

/**
 * Parses and freezes a process's configuration; throws one readable error
 * listing every bad variable, and refuses development secrets in production.
 */
export function parseEnv<S extends z.ZodRawShape>(shape: S, source: Record<string, string | undefined>): Readonly<z.output<z.ZodObject<S>>> {
  // An empty variable (`MYSQL_PORT=`) means "not set": it takes the default instead of coercing to 0.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = z.object(shape).safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${problems}`);
  }
  const config = result.data as Record<string, unknown>;
  if (config.NODE_ENV === 'production') {
    const insecure = Object.entries(config).filter(([, v]) => typeof v === 'string' && DEV_DEFAULTS.has(v)).map(([k]) => k);
    if (insecure.length > 0) throw new Error(`development defaults are not allowed in production: ${insecure.join(', ')}`);
  }
  return Object.freeze(result.data);
}

/** The MySQL connection settings out of a parsed configuration. */
export function mysqlSettingsFrom(env: {
  MYSQL_HOST: string;
  MYSQL_PORT: number;
  MYSQL_USER: string;
  MYSQL_PASSWORD: string;
  MYSQL_DATABASE: string;
  MYSQL_POOL_SIZE: number;
}) {
  return { host: env.MYSQL_HOST, port: env.MYSQL_PORT, user: env.MYSQL_USER, password: env.MYSQL_PASSWORD, database: env.MYSQL_DATABASE, poolSize: env.MYSQL_POOL_SIZE };
}

/**
 * WeChat Pay API v3. Either every key setting is given or none: without them
 * the product runs pay-at-store only (online payment answers 503).
 */
export const wechatPayEnv = {
  WECHATPAY_API_BASE: z.string().url().default('https://api.mch.weixin.qq.com'),
  WECHATPAY_MCHID: z.string().regex(/^\d{1,32}$/).optional(),
  /** The mini program the orders are paid in (bound to the mchid). */
  WECHATPAY_APPID: z.string().optional(),
  WECHATPAY_SERIAL: z.string().optional(),
  WECHATPAY_PRIVATE_KEY_PATH: z.string().optional(),
  WECHATPAY_PUBLIC_KEY_ID: z.string().optional(),
  WECHATPAY_PUBLIC_KEY_PATH: z.string().optional(),
  WECHATPAY_APIV3_KEY: z.string().optional(),
  WECHATPAY_NOTIFY_URL: z.string().url().optional(),
  WECHATPAY_REFUND_NOTIFY_URL: z.string().url().optional(),
  WECHATPAY_TIMEOUT_MS: intFromEnv(5000),
};

/** "REMINDER:1001,BOOKING_CONFIRMED:1002" → { REMINDER: '1001', … }: provider template ids per notification kind. */
const templateMap = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const map: Record<string, string> = {};
    for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [kind, id] = pair.split(':');
      if (!kind || !id) {
        ctx.addIssue({ code: 'custom', message: `expected KIND:templateId, got "${pair}"` });
        continue;
      }
      map[kind.trim()] = id.trim();
    }
    return map;
  });

/**
 * Notification channels. SMS goes through Tencent Cloud (SecretId/Key, app id, sign name, approved
 * template per kind); subscribe messages through the WeChat server API with the mini program's
 * appid/secret and the template chosen per kind. A channel without its settings is off.
 */
export const notifyEnv = {
  ...smsEnv,
  SMS_TEMPLATES: templateMap,
  /** Unguessable path token of the delivery-status callback URL (Tencent signs nothing there). */
  SMS_CALLBACK_TOKEN: z.string().min(16).optional(),
  SUBSCRIBE_TEMPLATES: templateMap,
  MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
  /** The mini program page a subscribe message opens. */
  MINIPROGRAM_BOOKING_PAGE: z.string().default('pages/booking/detail'),
};
