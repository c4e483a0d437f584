import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Metrics of a worker process. The gateway merges them into its /metrics (see metrics-publisher.ts). */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'zhiyue_worker_' });
  return {
    registry,
    persistLatency: new Histogram({
      name: 'zhiyue_persist_latency_seconds',
      help: 'Time from the gateway accepting a booking to its MySQL commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    queueLag: new Histogram({
      name: 'zhiyue_queue_lag_seconds',
      help: 'Time a job waited in the queue before a worker started it',
      labelNames: ['queue'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    persistOutcomes: new Counter({
      name: 'zhiyue_persist_outcomes_total',
      help: 'Bookings written by the persist worker, by resulting status (duplicate = the row already existed)',
      labelNames: ['status', 'duplicate'],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'zhiyue_persist_batch_size',
      help: 'Bookings per MySQL transaction',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    }),
    intentsRelayed: new Counter({
      name: 'zhiyue_intents_relayed_total',
      help: 'Accepted bookings moved from the intent streams into the persist queue (how = read, or claimed from a relay that died)',
      labelNames: ['how'],
      registers: [registry],
    }),
    transactionRetries: new Counter({
      name: 'zhiyue_mysql_transaction_retries_total',
      help: 'Transactions rerun after a deadlock or a lost connection',
      registers: [registry],
    }),
    sweeps: new Counter({
      name: 'zhiyue_holds_swept_total',
      help: 'Expired holds settled by the sweeper, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconciledCells: new Counter({
      name: 'zhiyue_reconcile_cells_total',
      help: 'Inventory cells compared by the reconciler, and those rewritten because Redis drifted',
      labelNames: ['result'],
      registers: [registry],
    }),
    settlements: new Counter({
      name: 'zhiyue_settlement_jobs_total',
      help: 'Settlement jobs by kind and result (confirmed, revived, refund, expired, refund_success, mismatch, …)',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    wechatPayCalls: new Histogram({
      name: 'zhiyue_wechatpay_call_seconds',
      help: 'WeChat Pay API calls by path template and outcome',
      labelNames: ['method', 'path', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'zhiyue_notifications_total',
      help: 'Notification send jobs by result (sent, skipped, failed, deferred, retry, …) and channel used',
      labelNames: ['result', 'channel'],
      registers: [registry],
    }),
    rebuilds: new Counter({
      name: 'zhiyue_inventory_rebuilds_total',
      help: 'Stores whose Redis inventory was rebuilt from MySQL',
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
