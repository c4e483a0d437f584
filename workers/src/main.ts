import { createServer, type Server } from 'node:http';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import cron, { type ScheduledTask } from 'node-cron';
import { runUntilSignalled } from '../../core/src/runtime/run-until-signalled.ts';
import { clockFromSettings, type Clock } from '../../core/src/clock.ts';
import { clockSettingsFrom, mysqlSettingsFrom } from '../../core/src/config/env.ts';
import type { LifecycleDeps } from '../../core/src/lifecycle/deps.ts';
import { ensureInventory } from '../../core/src/lifecycle/reconcile.ts';
import { createLogger, type Logger } from '../../core/src/logging.ts';
import { createDb } from '../../db/src/connection.ts';
import { createRedis, whenReady } from '../../db/redis/connection.ts';
import { redisKeys } from '../../db/redis/keys.ts';
import { loadWorkerConfig, type WorkerConfig } from './config.ts';
import { JobNames, Queues, type RebuildInventoryPayload } from './jobs/contracts.ts';
import { IntentRelay } from './jobs/intent-relay.ts';
import { createPersistHandler } from './jobs/persist-bookings.ts';
import { LeaderLease } from './maintenance/leader-lease.ts';
import { createMaintenanceTasks } from './maintenance/tasks.ts';
import { startMetricsPublisher } from './runtime/metrics-publisher.ts';
import { wechatPayFromSettings } from '../../core/src/wechatpay/from-config.ts';
import type { SettlementPayload } from './jobs/contracts.ts';
import { createSettlementHandler } from './settlement/settlement-jobs.ts';
import { createSettlementSweeps } from './settlement/settlement-sweeps.ts';
import { base64Key } from '../../core/src/config/env.ts';
import type { NotifyDeps } from '../../core/src/lifecycle/notify-deps.ts';
import { smsSenderFromSettings } from '../../core/src/sms/settings.ts';
import { createSubscribeMessageSender, subscribeChannel } from '../../core/src/wechat-messages/index.ts';
import { createAccessTokenCache } from '../../db/redis/access-token-cache.ts';
import type { SendNotificationPayload } from './jobs/contracts.ts';
import { createNotifyHandler } from './notify/notify-jobs.ts';
import { createNotifyTasks } from './notify/notify-tasks.ts';
import { createWaitlistTasks } from './waitlist/waitlist-tasks.ts';
import { createWorkerMetrics } from './runtime/metrics.ts';

export interface RunningWorkers {
  /** Port of this process's /metrics and /healthz. */
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the worker pools named in WORKER_ROLES. `stop()` is the graceful
 * shutdown: stop taking jobs and cron ticks, finish the jobs in hand (bounded
 * by SHUTDOWN_GRACE_MS), flush the batcher, then close Redis and MySQL.
 */
export async function startWorkers(config: WorkerConfig, options: { clock?: Clock; log?: Logger } = {}): Promise<RunningWorkers> {
  const log = options.log ?? createLogger({ name: 'workers', level: config.LOG_LEVEL });
  const clock = options.clock ?? clockFromSettings(clockSettingsFrom(config));
  const keys = redisKeys(config.REDIS_KEY_PREFIX);
  const db = createDb(mysqlSettingsFrom(config));
  const redis = createRedis({ url: config.REDIS_URL, failFast: false, name: 'workers' });
  redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
  await whenReady(redis, 30_000);
  const deps: LifecycleDeps = { db, redis, keys, clock };
  const metrics = createWorkerMetrics();
  const connections: Redis[] = [];
  const bullConnection = () => {
    const connection = createRedis({ url: config.REDIS_URL, failFast: false, name: 'workers-bullmq' });
    connection.on('error', () => undefined); // reported once through the main connection
    connections.push(connection);
    return connection;
  };

  const workers: Worker[] = [];
  const tasks: ScheduledTask[] = [];
  let lease: LeaderLease | undefined;
  let settlementLease: LeaderLease | undefined;
  let notifyLease: LeaderLease | undefined;
  let waitlistLease: LeaderLease | undefined;
  const queues: Queue[] = [];
  let relay: IntentRelay | undefined;
  let relayQueue: Queue | undefined;

  if (config.WORKER_ROLES.includes('persist')) {
    workers.push(
      new Worker(Queues.persist, createPersistHandler(deps, metrics, log), {
        connection: bullConnection(),
        prefix: keys.queuePrefix,
        concurrency: config.PERSIST_CONCURRENCY,
        lockDuration: config.WORKER_LOCK_DURATION_MS,
        stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
        // A job that stalls twice (its worker died twice mid-job) is failed; its holds then expire visibly.
        maxStalledCount: 2,
      }),
    );
    relayQueue = new Queue(Queues.persist, { connection: bullConnection(), prefix: keys.queuePrefix });
    relay = new IntentRelay(
      { db, blocking: bullConnection(), redis, keys, queue: relayQueue, log, metrics },
      { batch: config.RELAY_BATCH, blockMs: config.RELAY_BLOCK_MS, lingerMs: config.RELAY_LINGER_MS, claimAfterMs: config.RELAY_CLAIM_AFTER_MS },
    );
    relay.start();
  }

  if (config.WORKER_ROLES.includes('maintenance')) {
    workers.push(
      new Worker<RebuildInventoryPayload>(
        Queues.maintenance,
        async (job) => {
          if (job.name !== JobNames.rebuildInventory) throw new Error(`unknown maintenance job ${job.name}`);
          const rebuilt = await ensureInventory(deps, job.data.storeId);
          if (rebuilt) {
            metrics.rebuilds.inc();
            log.warn({ storeId: job.data.storeId, reason: job.data.reason }, 'rebuilt store inventory on request');
          }
          return rebuilt;
        },
        { connection: bullConnection(), prefix: keys.queuePrefix, concurrency: 4 },
      ),
    );
    lease = new LeaderLease(redis, keys.lease('maintenance'), config.LEADER_LEASE_MS);
    await lease.start();
    const maintenance = createMaintenanceTasks(deps, metrics, log, { reconcileStoresPerTick: config.RECONCILE_STORES_PER_TICK });
    const leaderOnly = (name: string, work: () => Promise<void>) => async () => {
      if (!lease?.isLeader) return;
      try {
        await work();
      } catch (error) {
        log.error({ err: error, task: name }, 'maintenance task failed');
      }
    };
    tasks.push(
      cron.schedule(config.SWEEP_CRON, leaderOnly('release-expired', maintenance.sweepExpiredHolds), { name: 'release-expired', noOverlap: true }),
      cron.schedule(config.RECONCILE_CRON, leaderOnly('reconcile', maintenance.reconcile), { name: 'reconcile', noOverlap: true }),
      cron.schedule(config.MATERIALIZE_CRON, leaderOnly('materialize', maintenance.materialize), { name: 'materialize', noOverlap: true }),
    );
    // The waitlist has its own lease, so its ticks never wait behind a long reconcile.
    const maintenanceQueue = new Queue<RebuildInventoryPayload>(Queues.maintenance, { connection: bullConnection(), prefix: keys.queuePrefix });
    queues.push(maintenanceQueue);
    waitlistLease = new LeaderLease(redis, keys.lease('waitlist'), config.LEADER_LEASE_MS);
    await waitlistLease.start();
    const waitlist = createWaitlistTasks(deps, maintenanceQueue, log, { offerWindowMs: config.WAITLIST_OFFER_MINUTES * 60_000 });
    tasks.push(
      cron.schedule(
        config.WAITLIST_CRON,
        async () => {
          if (!waitlistLease?.isLeader) return;
          try {
            await waitlist.tick();
          } catch (error) {
            log.error({ err: error, task: 'waitlist' }, 'waitlist tick failed');
          }
        },
        { name: 'waitlist', noOverlap: true },
      ),
    );
  }

  const wechatPay = config.WORKER_ROLES.includes('settlement')
    ? wechatPayFromSettings(config, {
        clock,
        onExchange: (e) => metrics.wechatPayCalls.observe({ method: e.method, path: e.path.replace(/\/[A-Za-z0-9_-]{6,}(?=\/|$)/g, '/:id'), outcome: e.errorCode ?? String(e.status) }, e.durationMs / 1000),
      })
    : null;
  if (config.WORKER_ROLES.includes('settlement') && !wechatPay) log.warn('settlement role skipped: WeChat Pay is not configured (WECHATPAY_*)');
  if (wechatPay) {
    const settlementQueue = new Queue<SettlementPayload>(Queues.settlement, { connection: bullConnection(), prefix: keys.queuePrefix });
    queues.push(settlementQueue);
    const moneyDeps = { ...deps, provider: wechatPay.provider };
    workers.push(
      new Worker<SettlementPayload>(Queues.settlement, createSettlementHandler(moneyDeps, settlementQueue, metrics, log), {
        connection: bullConnection(),
        prefix: keys.queuePrefix,
        concurrency: config.SETTLEMENT_CONCURRENCY,
        lockDuration: config.WORKER_LOCK_DURATION_MS,
        stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
        maxStalledCount: 3,
      }),
    );
    settlementLease = new LeaderLease(redis, keys.lease('settlement'), config.LEADER_LEASE_MS);
    await settlementLease.start();
    const sweeps = createSettlementSweeps(deps, settlementQueue, { queryAfterMs: config.PAYMENT_QUERY_AFTER_MS });
    const settlementLeaderOnly = (name: string, work: () => Promise<unknown>) => async () => {
      if (!settlementLease?.isLeader) return;
      try {
        await work();
      } catch (error) {
        log.error({ err: error, task: name }, 'settlement sweep failed');
      }
    };
    tasks.push(
      cron.schedule(config.PAYMENT_DEADLINE_CRON, settlementLeaderOnly('payment-deadlines', sweeps.deadlines), { name: 'payment-deadlines', noOverlap: true }),
      cron.schedule(config.PAYMENT_QUERY_CRON, settlementLeaderOnly('payment-query', sweeps.staleMoney), { name: 'payment-query', noOverlap: true }),
      cron.schedule(config.BILL_RECONCILE_CRON, settlementLeaderOnly('bill-reconcile', sweeps.bill), { name: 'bill-reconcile', noOverlap: true, timezone: 'Asia/Shanghai' }),
    );
  }

  if (config.WORKER_ROLES.includes('notify')) {
    const notifyQueue = new Queue<SendNotificationPayload>(Queues.notify, { connection: bullConnection(), prefix: keys.queuePrefix });
    queues.push(notifyQueue);
    const sms = smsSenderFromSettings(config, { clock });
    const subscribe =
      config.WECHAT_APPID && config.WECHAT_SECRET
        ? subscribeChannel(
            createSubscribeMessageSender({
              baseUrl: config.WECHAT_API_BASE,
              appid: config.WECHAT_APPID,
              secret: config.WECHAT_SECRET,
              timeoutMs: config.WECHAT_TIMEOUT_MS,
              tokenCache: createAccessTokenCache({ redis, keys: keys.wechatAccessToken(config.WECHAT_APPID) }),
            }),
            { miniprogramState: config.MINIPROGRAM_STATE, lang: 'zh_CN' },
          )
        : null;
    if (!sms) log.warn('SMS is not configured (TENCENTCLOUD_*, SMS_*): customer pushes use subscribe messages only');
    if (!subscribe) log.warn('subscribe messages are not configured (WECHAT_APPID/WECHAT_SECRET): customer pushes use SMS only');
    const notifyDeps: NotifyDeps = {
      ...deps,
      sms,
      subscribe,
      templates: { sms: config.SMS_TEMPLATES, subscribe: config.SUBSCRIBE_TEMPLATES },
      phoneKeys: { keyId: config.PHONE_KEY_ID, encryptionKey: base64Key(config.PHONE_ENC_KEY, 'PHONE_ENC_KEY'), indexKey: base64Key(config.PHONE_INDEX_KEY, 'PHONE_INDEX_KEY') },
      bookingPage: config.MINIPROGRAM_BOOKING_PAGE,
    };
    workers.push(
      new Worker<SendNotificationPayload>(Queues.notify, createNotifyHandler(notifyDeps, metrics, log), {
        connection: bullConnection(),
        prefix: keys.queuePrefix,
        concurrency: config.NOTIFY_CONCURRENCY,
        // Short locks: a send whose worker died is retried within seconds, inside the SMS provider's
        // 30-second same-content window that tells a recovered send from a duplicate.
        lockDuration: Math.min(config.WORKER_LOCK_DURATION_MS, 5000),
        stalledInterval: Math.min(config.WORKER_STALLED_INTERVAL_MS, 5000),
        maxStalledCount: 3,
        limiter: { max: config.NOTIFY_RATE_PER_SECOND, duration: 1000 },
      }),
    );
    notifyLease = new LeaderLease(redis, keys.lease('notify'), config.LEADER_LEASE_MS);
    await notifyLease.start();
    const notifyTasks = createNotifyTasks(deps, notifyQueue, { stuckAfterMs: config.NOTIFY_STUCK_AFTER_MS, gapGraceMs: config.NOTIFY_EVENT_GAP_GRACE_MS });
    const notifyLeaderOnly = (name: string, work: () => Promise<unknown>) => async () => {
      if (!notifyLease?.isLeader) return;
      try {
        await work();
      } catch (error) {
        log.error({ err: error, task: name }, 'notification task failed');
      }
    };
    tasks.push(
      cron.schedule(config.NOTIFY_PLAN_CRON, notifyLeaderOnly('notify-plan', notifyTasks.plan), { name: 'notify-plan', noOverlap: true }),
      cron.schedule(config.NOTIFY_SWEEP_CRON, notifyLeaderOnly('notify-sweep', notifyTasks.sweep), { name: 'notify-sweep', noOverlap: true }),
      cron.schedule('*/10 * * * * *', notifyLeaderOnly('notify-stuck', notifyTasks.redriveStuck), { name: 'notify-stuck', noOverlap: true }),
      cron.schedule(config.DIGEST_CRON, notifyLeaderOnly('notify-digests', notifyTasks.digests), { name: 'notify-digests', noOverlap: true }),
    );
  }

  for (const worker of workers) {
    worker.on('error', (error) => log.warn({ err: error, queue: worker.name }, 'worker error'));
    worker.on('failed', (job, error) => log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job failed'));
  }

  const stopPublishing = startMetricsPublisher(redis, keys.workerMetrics(`${process.pid}-${lease?.owner ?? 'persist'}`), metrics.registry);
  const server = await listen(config.WORKER_HTTP_PORT, metrics.registry);
  const port = (server.address() as { port: number }).port;
  log.info({ roles: config.WORKER_ROLES, port, node: process.version }, 'workers started');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info('workers stopping');
      for (const task of tasks) await task.stop();
      // The relay first: intents it has read are added and acknowledged before the queue closes.
      await relay?.stop();
      await relayQueue?.close();
      const closing = Promise.all(workers.map((w) => w.close()));
      const graceful = await Promise.race([closing.then(() => true), delay(config.SHUTDOWN_GRACE_MS).then(() => false)]);
      if (!graceful) {
        log.warn('grace period over: abandoning jobs still running (they will be redelivered)');
        await Promise.all(workers.map((w) => w.close(true)));
      }
      for (const queue of queues) await queue.close();
      await lease?.stop();
      await settlementLease?.stop();
      await notifyLease?.stop();
      await waitlistLease?.stop();
      await stopPublishing();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // BullMQ leaves connections it was given open; they are ours to close.
      for (const connection of [...connections, redis]) await connection.quit().catch(() => connection.disconnect());
      await db.destroy();
      log.info('workers stopped');
    })();
    return stopping;
  };
  return { port, stop };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function listen(port: number, registry: Registry): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('content-type', registry.contentType);
      res.end(await registry.metrics());
    } else if (req.url === '/healthz') {
      res.end('ok');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (import.meta.main) await runUntilSignalled(() => startWorkers(loadWorkerConfig(process.env)));
