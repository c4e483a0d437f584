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
  /**
   * Browser origins allowed to call the API cross-origin (the mini program's H5 build): a comma-separated
   * list of exact origins (scheme://host[:port]). Empty = CORS off. Unset: DEV_CORS_ORIGINS in development,
   * off otherwise (see loadGatewayConfig).
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const origins = text.split(',').map((o) => o.trim()).filter(Boolean);
      for (const origin of origins) {
        if (!URL.canParse(origin) || new URL(origin).origin !== origin) ctx.addIssue({ code: 'custom', message: `not an exact origin (scheme://host[:port], no path): "${origin}"` });
      }
      return Object.freeze(origins);
    }),
};

/** The H5 host of ops/src/h5-host.ts on its default port. */
export const DEV_CORS_ORIGINS = 'http://127.0.0.1:8088,http://localhost:8088';

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(source: Record<string, string | undefined>) {
  // parseEnv treats an empty variable as unset; here "set but empty" must mean off, so the
  // development default applies only when the variable is absent altogether.
  const development = (source.NODE_ENV || 'development') === 'development';
  const cors = source.CORS_ORIGINS === undefined && development ? { CORS_ORIGINS: DEV_CORS_ORIGINS } : {};
  return parseEnv(schema, { ...source, ...cors });
}
