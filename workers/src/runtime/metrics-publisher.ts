import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';

/**
 * Workers publish their metrics (prom-client JSON) to Redis every few seconds,
 * and the gateway's /metrics merges them with AggregatorRegistry, so one
 * scrape shows requests, reservations, queue lag and persist latency
 * together. Each worker also serves its own /metrics for per-process views.
 */
export function startMetricsPublisher(redis: Redis, keys: { member: string; members: string }, registry: Registry, intervalMs = 5000): () => Promise<void> {
  const { member: key, members } = keys;
  const publish = async () => {
    try {
      const json = JSON.stringify(await registry.getMetricsAsJSON());
      await redis.multi().set(key, json, 'PX', intervalMs * 3).sadd(members, key).exec();
    } catch {
      // Redis away: the gateway shows no worker metrics until it is back, which is itself the signal.
    }
  };
  void publish();
  const timer = setInterval(publish, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.multi().del(key).srem(members, key).exec().catch(() => undefined);
  };
}
