import type { Request, RequestHandler } from 'express';
import type { Counter, Histogram } from 'prom-client';
import type { GatewayMetrics } from '../metrics.ts';

/**
 * Counts requests and their latency by route pattern. Label children are
 * looked up once per (method, route, status) and reused: prom-client would
 * otherwise hash the label object on every request of the hot path.
 */
export function requestMetrics(metrics: GatewayMetrics): RequestHandler {
  // Per matched route object (one per route definition, possibly several methods), then per method: the hot
  // path builds no label strings. Requests no route matched share one map.
  const byRoute = new WeakMap<object, Map<string, RouteSeries>>();
  const unmatched = new Map<string, RouteSeries>();
  const seriesOf = (req: Request): RouteSeries => {
    const route = req.route as object | undefined;
    let byMethod = route ? byRoute.get(route) : unmatched;
    if (!byMethod) {
      byMethod = new Map();
      byRoute.set(route!, byMethod);
    }
    let series = byMethod.get(req.method);
    if (!series) {
      const pattern = route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      series = { pattern, timer: metrics.requestDuration.labels(req.method, pattern), counters: new Map() };
      byMethod.set(req.method, series);
    }
    return series;
  };
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const series = seriesOf(req);
      let counter = series.counters.get(res.statusCode);
      if (!counter) {
        counter = metrics.requests.labels(req.method, series.pattern, String(res.statusCode));
        series.counters.set(res.statusCode, counter);
      }
      counter.inc();
      series.timer.observe((performance.now() - started) / 1000);
    });
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  };
}

interface RouteSeries {
  pattern: string;
  timer: ReturnType<Histogram['labels']>;
  counters: Map<number, ReturnType<Counter['labels']>>;
}
