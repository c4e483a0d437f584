import type { Request, RequestHandler } from 'express';
import type { Counter, Histogram } from 'prom-client';
import type { GatewayMetrics } from '../metrics.ts';

/**
 * Counts requests and their latency by route pattern. Label children are
 * looked up once per (method, route, status) and reused: prom-client would
 * otherwise hash the label object on every request of the hot path.
 */
export function requestMetrics(metrics: GatewayMetrics): RequestHandler {
  // Keyed by the matched route object (one per route definition), so the hot path builds no label strings.
  const byRoute = new WeakMap<object, RouteSeries>();
  const unmatched = new Map<string, RouteSeries>();
  const seriesOf = (req: Request): RouteSeries => {
    const route = req.route as object | undefined;
    let series = route ? byRoute.get(route) : unmatched.get(req.method);
    if (!series) {
      const pattern = route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      series = { method: req.method, pattern, timer: metrics.requestDuration.labels(req.method, pattern), counters: new Map() };
      if (route) byRoute.set(route, series);
      else unmatched.set(req.method, series);
    }
    return series;
  };
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const series = seriesOf(req);
      // One route object serves every method it was defined for (router.route(path).get().post()).
      const forMethod = series.method === req.method ? series : methodSeries(series, req.method, metrics);
      let counter = forMethod.counters.get(res.statusCode);
      if (!counter) {
        counter = metrics.requests.labels(req.method, forMethod.pattern, String(res.statusCode));
        forMethod.counters.set(res.statusCode, counter);
      }
      counter.inc();
      forMethod.timer.observe((performance.now() - started) / 1000);
    });
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  };
}

interface RouteSeries {
  method: string;
  pattern: string;
  timer: ReturnType<Histogram['labels']>;
  counters: Map<number, ReturnType<Counter['labels']>>;
  others?: Map<string, RouteSeries>;
}

function methodSeries(series: RouteSeries, method: string, metrics: GatewayMetrics): RouteSeries {
  series.others ??= new Map();
  let other = series.others.get(method);
  if (!other) {
    other = { method, pattern: series.pattern, timer: metrics.requestDuration.labels(method, series.pattern), counters: new Map() };
    series.others.set(method, other);
  }
  return other;
}
