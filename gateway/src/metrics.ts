import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AggregatorRegistry, Counter, Gauge, Histogram, type MetricObjectWithValues, type MetricValue, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../../core/src/clock.ts';

export function createGatewayMetrics(queues: Queue[], clock: Clock) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'zhiyue_gateway_' });
  const metrics = {
    registry,
    requests: new Counter({
      name: 'zhiyue_http_requests_total',
      help: 'HTTP requests by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'zhiyue_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    reservations: new Counter({
      name: 'zhiyue_reservations_total',
      help: 'Booking requests by outcome of the reserve step',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'zhiyue_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of queues) {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
      }
    },
  });
  new Gauge({
    name: 'zhiyue_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job still waiting in each queue (queue lag)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      for (const queue of queues) {
        const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
        this.set({ queue: queue.name }, oldest ? Math.max(0, clock.now() - oldest.timestamp) / 1000 : 0);
      }
    },
  });
  return metrics;
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

/** This process's metrics merged with what the worker processes published to Redis. */
export async function mergedMetrics(registry: Registry, redis: Redis, membersKey: string): Promise<{ contentType: string; body: string }> {
  const own = await registry.getMetricsAsJSON();
  const workers: MetricObjectWithValues<MetricValue<string>>[][] = [];
  try {
    const keys = await redis.smembers(membersKey);
    const values = keys.length > 0 ? await redis.mget(...keys) : [];
    const gone = keys.filter((_, i) => !values[i]);
    if (gone.length > 0) await redis.srem(membersKey, ...gone); // publishers that died without saying goodbye
    for (const value of values) if (value) workers.push(JSON.parse(value) as MetricObjectWithValues<MetricValue<string>>[]);
  } catch {
    // Redis away: serve our own metrics; the missing worker series are the signal.
  }
  const merged = AggregatorRegistry.aggregate([own, ...workers] as Parameters<typeof AggregatorRegistry.aggregate>[0]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}
