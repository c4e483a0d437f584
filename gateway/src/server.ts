import { createServer, type Server } from 'node:http';
import { Queue } from 'bullmq';
import { runUntilSignalled } from '../../core/src/runtime/run-until-signalled.ts';
import { clockFromSettings, type Clock } from '../../core/src/clock.ts';
import { base64Key, clockSettingsFrom, mysqlSettingsFrom } from '../../core/src/config/env.ts';
import { bookingIdFactory } from '../../core/src/ids.ts';
import { createLogger, type Logger } from '../../core/src/logging.ts';
import { createDb } from '../../db/src/connection.ts';
import { createRedis, whenReady } from '../../db/redis/connection.ts';
import { redisKeys } from '../../db/redis/keys.ts';
import { redisNonceStore } from '../../db/redis/nonce-store.ts';
import { wechatPayFromSettings } from '../../core/src/wechatpay/from-config.ts';
import { Queues } from '../../workers/src/jobs/contracts.ts';
import { buildApp } from './app.ts';
import { createTokenService } from './auth/tokens.ts';
import { createWechatClient } from './auth/wechat-client.ts';
import { CatalogCache } from './catalog/catalog-cache.ts';
import { type GatewayConfig, loadGatewayConfig } from './config.ts';
import type { GatewayDeps } from './deps.ts';
import { createGatewayMetrics } from './metrics.ts';

export interface RunningGateway {
  url: string;
  port: number;
  deps: GatewayDeps;
  stop(): Promise<void>;
}

/**
 * Builds the gateway's dependencies from config and starts listening.
 * `stop()` is the graceful shutdown: fail /readyz, stop accepting
 * connections, let in-flight requests finish, then close queues, Redis and
 * MySQL. Calling it twice returns the same promise.
 */
export async function startGateway(config: GatewayConfig, options: { clock?: Clock; log?: Logger } = {}): Promise<RunningGateway> {
  const log = options.log ?? createLogger({ name: 'gateway', level: config.LOG_LEVEL });
  const clock = options.clock ?? clockFromSettings(clockSettingsFrom(config));
  const keys = redisKeys(config.REDIS_KEY_PREFIX);
  const db = createDb(mysqlSettingsFrom(config));
  const redis = createRedis({ url: config.REDIS_URL, failFast: true, name: 'gateway' });
  const queueConnection = createRedis({ url: config.REDIS_URL, failFast: true, name: 'gateway-producer' });
  for (const connection of [redis, queueConnection]) connection.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
  await Promise.all([whenReady(redis), whenReady(queueConnection)]);
  const queueOptions = { connection: queueConnection, prefix: keys.queuePrefix };
  const persistQueue = new Queue(Queues.persist, queueOptions);
  const maintenanceQueue = new Queue(Queues.maintenance, queueOptions);
  const settlementQueue = new Queue(Queues.settlement, queueOptions);
  for (const queue of [persistQueue, maintenanceQueue, settlementQueue]) queue.on('error', (error) => log.warn({ err: error, queue: queue.name }, 'queue error'));

  const deps: GatewayDeps = {
    clock,
    log,
    db,
    redis,
    keys,
    persistQueue,
    maintenanceQueue,
    settlementQueue,
    subscribeTemplates: config.SUBSCRIBE_TEMPLATES,
    smsTemplates: config.SMS_TEMPLATES,
    smsCallbackToken: config.SMS_CALLBACK_TOKEN,
    payments: wechatPayFromSettings(config, { clock, nonceStore: redisNonceStore(redis, keys) }),
    catalog: new CatalogCache(db, config.CATALOG_CACHE_TTL_MS),
    tokens: createTokenService({
      secret: config.JWT_SECRET,
      issuer: config.JWT_ISSUER,
      clock,
      ttlSeconds: { customer: config.CONSUMER_TOKEN_TTL_SECONDS, staff: config.STAFF_TOKEN_TTL_SECONDS },
    }),
    wechat: createWechatClient({ baseUrl: config.WECHAT_API_BASE, appid: config.WECHAT_APPID, secret: config.WECHAT_SECRET, timeoutMs: config.WECHAT_TIMEOUT_MS, clock }),
    metrics: createGatewayMetrics([persistQueue, maintenanceQueue], clock),
    phoneKeys: {
      keyId: config.PHONE_KEY_ID,
      encryptionKey: base64Key(config.PHONE_ENC_KEY, 'PHONE_ENC_KEY'),
      indexKey: base64Key(config.PHONE_INDEX_KEY, 'PHONE_INDEX_KEY'),
    },
    newBookingId: bookingIdFactory(clock),
    serveDemoPage: config.SERVE_DEMO_PAGE,
    corsOrigins: config.CORS_ORIGINS,
    accepting: { value: true },
  };

  const app = buildApp(deps);
  app.set('trust proxy', config.TRUST_PROXY);
  const server = createServer(app);
  // Longer than a typical load balancer's idle timeout, so the balancer closes idle connections first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.HTTP_PORT, config.HTTP_HOST, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const url = `http://${config.HTTP_HOST}:${port}`;
  log.info({ url, node: process.version }, 'gateway listening');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      deps.accepting.value = false;
      await closeServer(server);
      await Promise.all([persistQueue.close(), maintenanceQueue.close(), settlementQueue.close()]);
      await Promise.all([redis.quit().catch(() => redis.disconnect()), queueConnection.quit().catch(() => queueConnection.disconnect())]);
      await db.destroy();
      log.info('gateway stopped');
    })();
    return stopping;
  };
  return { url, port, deps, stop };
}

/** Stops accepting connections, closes idle keep-alive ones, and waits for requests in flight. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // Connections that stay busy past the grace period are cut; their clients see a reset and retry.
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  });
}

if (import.meta.main) await runUntilSignalled(() => startGateway(loadGatewayConfig(process.env)));
