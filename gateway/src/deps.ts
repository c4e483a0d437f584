import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/src/clock.ts';
import type { Logger } from '../../core/src/logging.ts';
import type { WechatPay } from '../../core/src/wechatpay/from-config.ts';
import type { PhoneKeys } from '../../core/src/pii/phone.ts';
import type { Database } from '../../db/src/database.ts';
import type { RedisKeys } from '../../db/redis/keys.ts';
import type { CatalogCache } from './catalog/catalog-cache.ts';
import type { TokenService } from './auth/tokens.ts';
import type { GatewayMetrics } from './metrics.ts';

export interface WechatLogin {
  code2Session(code: string): Promise<{ openid: string; unionid: string | null }>;
  /** The bound mainland number behind a getPhoneNumber button code. */
  getPhoneNumber(code: string): Promise<string>;
}

/** Everything the HTTP layer uses, built once by server.ts (or by a test). */
export interface GatewayDeps {
  clock: Clock;
  log: Logger;
  db: Kysely<Database>;
  /** Fail-fast connection: commands error at once while Redis is away (→ 503). */
  redis: Redis;
  keys: RedisKeys;
  persistQueue: Queue;
  maintenanceQueue: Queue;
  settlementQueue: Queue;
  /** Subscribe-message / SMS template id per notification kind (the mini program asks consent for these). */
  subscribeTemplates: Record<string, string>;
  smsTemplates: Record<string, string>;
  /** Path token of the SMS delivery callback; undefined = callback off. */
  smsCallbackToken: string | undefined;
  /** WeChat Pay; null when not configured (online payment then answers 503). */
  payments: WechatPay | null;
  catalog: CatalogCache;
  tokens: TokenService;
  wechat: WechatLogin;
  metrics: GatewayMetrics;
  phoneKeys: PhoneKeys;
  newBookingId(storeId: number): string;
  serveDemoPage: boolean;
  /** Origins answered with CORS headers (config CORS_ORIGINS); empty = no CORS. */
  corsOrigins: readonly string[];
  /** False while shutting down: /readyz fails first so the load balancer drains us. */
  accepting: { value: boolean };
}
