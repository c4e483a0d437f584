import { z } from 'zod';
import { clockEnv, mysqlEnv, notifyEnv, parseEnv, phoneKeyEnv, redisEnv, runtimeEnv, wechatPayEnv } from '../../core/src/config/env.ts';

const schema = {
  ...runtimeEnv,
  ...mysqlEnv,
  ...redisEnv,
  ...clockEnv,
  ...wechatPayEnv,
  ...notifyEnv,
  ...phoneKeyEnv,
  /** The mini program's WeChat credentials: subscribe messages need its access token. */
  WECHAT_APPID: z.string().optional(),
  WECHAT_SECRET: z.string().optional(),
  WECHAT_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  WECHAT_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
  /**
   * Which pools this process runs: persist (booking writes), maintenance (sweeper, reconciler, rebuilds),
   * settlement (WeChat Pay: payments, deadlines, refunds, daily bill; only when WeChat Pay is configured).
   */
  WORKER_ROLES: z
    .string()
    .default('persist,maintenance,settlement,notify')
    .transform((v) => v.split(',').map((r) => r.trim()))
    .pipe(z.array(z.enum(['persist', 'maintenance', 'settlement', 'notify'])).min(1)),
  NOTIFY_CONCURRENCY: z.coerce.number().int().min(1).max(128).default(16),
  /** Provider calls per second across every notify worker (BullMQ's queue-wide limiter): stay under Tencent's and WeChat's quotas. */
  NOTIFY_RATE_PER_SECOND: z.coerce.number().int().min(1).default(200),
  /** Outbox tail (booking events → notification rows) and the due-row sweeper. */
  NOTIFY_PLAN_CRON: z.string().default('* * * * * *'),
  NOTIFY_SWEEP_CRON: z.string().default('* * * * * *'),
  /** Rows QUEUED/SENDING without progress this long get a fresh job. */
  NOTIFY_STUCK_AFTER_MS: z.coerce.number().int().min(1000).default(300_000),
  /** An event-id gap older than this is a rolled-back transaction, not a late commit. */
  NOTIFY_EVENT_GAP_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  DIGEST_CRON: z.string().default('0 */5 * * * *'),
  SETTLEMENT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** Payment deadlines passed → close the order, release the slot. */
  PAYMENT_DEADLINE_CRON: z.string().default('*/2 * * * * *'),
  /** Orders and refunds we have heard nothing about → ask WeChat (lost notifies). */
  PAYMENT_QUERY_CRON: z.string().default('*/20 * * * * *'),
  /** How long an unpaid order may stay silent before the query path asks WeChat about it. */
  PAYMENT_QUERY_AFTER_MS: z.coerce.number().int().min(0).default(120_000),
  /** Daily reconciliation with WeChat's trade bill of the previous China day (bills are ready after 10:00). */
  BILL_RECONCILE_CRON: z.string().default('0 30 10 * * *'),
  /** Port of this process's /metrics and /healthz; 0 = any free port. */
  WORKER_HTTP_PORT: z.coerce.number().int().min(0).default(9102),
  /** Batch jobs one persist process writes at once (each batch is one MySQL transaction when all goes well). */
  PERSIST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Most bookings the relay reads per store and per read: the upper bound of a persist batch. */
  RELAY_BATCH: z.coerce.number().int().min(1).max(5000).default(500),
  RELAY_BLOCK_MS: z.coerce.number().int().min(10).max(10_000).default(1000),
  /** Under load, the relay reads at most once per this many ms unless a store filled RELAY_BATCH: bigger, fewer batches. */
  RELAY_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(50),
  /** Entries a relay read but never acknowledged (it died) are taken over after this long. */
  RELAY_CLAIM_AFTER_MS: z.coerce.number().int().min(0).default(30_000),
  /** BullMQ lock: a job whose worker stops renewing it for this long is handed to another worker. */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** node-cron patterns (with seconds). */
  SWEEP_CRON: z.string().default('*/2 * * * * *'),
  RECONCILE_CRON: z.string().default('30 * * * * *'),
  MATERIALIZE_CRON: z.string().default('0 5 * * * *'),
  /** Stores reconciled per reconcile tick (round robin), so a tick stays bounded with thousands of stores. */
  RECONCILE_STORES_PER_TICK: z.coerce.number().int().min(1).default(200),
  LEADER_LEASE_MS: z.coerce.number().int().min(1000).default(15_000),
  /** Waitlist offers (maintenance role, own leader lease): expire offers, cascade, offer freed capacity. */
  WAITLIST_CRON: z.string().default('* * * * * *'),
  /** How long a waiter has to accept an offered place (never past the start). */
  WAITLIST_OFFER_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(20_000),
};

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(source: Record<string, string | undefined>) {
  return parseEnv(schema, source);
}
