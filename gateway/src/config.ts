import { z } from 'zod';
import { clockEnv, devDefault, mysqlEnv, notifyEnv, parseEnv, phoneKeyEnv, redisEnv, runtimeEnv, wechatPayEnv } from '../../core/src/config/env.ts';

const schema = {
  ...runtimeEnv,
  ...mysqlEnv,
  ...redisEnv,
  ...clockEnv,
  ...phoneKeyEnv,
  ...wechatPayEnv,
  SMS_CALLBACK_TOKEN: notifyEnv.SMS_CALLBACK_TOKEN,
  SMS_TEMPLATES: notifyEnv.SMS_TEMPLATES,
  SUBSCRIBE_TEMPLATES: notifyEnv.SUBSCRIBE_TEMPLATES,
  /** 0 = any free port (tests). */
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HTTP_HOST: z.string().default('127.0.0.1'),
  /** HS256 key for the tokens this gateway issues; at least 32 characters. */
  JWT_SECRET: z.string().min(32).default(devDefault('dev-only-jwt-secret-change-me-0123456789')),
  JWT_ISSUER: z.string().default('zhiyue'),
  CONSUMER_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  STAFF_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(8 * 3600),
  WECHAT_APPID: z.string().default(devDefault('wxdev0000000000000')),
  WECHAT_SECRET: z.string().default(devDefault('dev-secret-not-for-production')),
  /** Real: https://api.weixin.qq.com. Development and tests point it at the local fake. */
  WECHAT_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  WECHAT_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
  /** How long a store's catalog (services, resources) is cached in memory. */
  CATALOG_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  /** Serves the demo page at / (off in production). */
  SERVE_DEMO_PAGE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Express `trust proxy`, for client IPs behind a load balancer. */
  TRUST_PROXY: z.string().default('loopback'),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(source: Record<string, string | undefined>) {
  return parseEnv(schema, source);
}
