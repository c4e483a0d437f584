import type { RequestHandler } from 'express';
import type { Counter, Histogram } from 'prom-client';
import type { GatewayMetrics } from '../metrics.ts';

/**
 * Counts requests and their latency by route pattern. Label children are
 * looked up once per (method, route, status) and reused: prom-client would
 * otherwise hash the label object on every request of the hot path.
 */
export function requestMetrics(metrics: GatewayMetrics): RequestHandler {
  const counters = new Map<string, ReturnType<Counter['labels']>>();
  const timers = new Map<string, ReturnType<Histogram['labels']>>();
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const timerKey = `${req.method} ${route}`;
      const counterKey = `${timerKey} ${res.statusCode}`;
      let counter = counters.get(counterKey);
      if (!counter) {
        counter = metrics.requests.labels(req.method, route, String(res.statusCode));
        counters.set(counterKey, counter);
      }
      let timer = timers.get(timerKey);
      if (!timer) {
        timer = metrics.requestDuration.labels(req.method, route);
        timers.set(timerKey, timer);
      }
      counter.inc();
      timer.observe((performance.now() - started) / 1000);
    });
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  };
}
