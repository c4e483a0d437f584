import express, { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenLocally } from '../../testing/listen.ts';
import { manualClock } from '../../../core/src/clock.ts';
import { createGatewayMetrics } from '../metrics.ts';
import { requestMetrics } from './request-metrics.ts';

describe('requestMetrics', () => {
  const metrics = createGatewayMetrics([], manualClock(Date.UTC(2026, 10, 30)));
  let base = '';
  let close = async () => {};

  beforeAll(async () => {
    const app = express();
    app.use(requestMetrics(metrics));
    const router = Router();
    // One route object answering two methods: each method must get its own series.
    router
      .route('/things/:id')
      .get((_req, res) => {
        res.json({ ok: true });
      })
      .post((_req, res) => {
        res.status(202).json({ ok: true });
      });
    router.get('/fail', (_req, res) => {
      res.status(503).json({ ok: false });
    });
    app.use('/v1', router);
    ({ base, close } = await listenLocally(app));
  });
  afterAll(() => close());

  it('counts by method, route pattern and status, and times by method and pattern', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${base}/v1/things/${i}`);
    await fetch(`${base}/v1/things/9`, { method: 'POST' });
    await fetch(`${base}/v1/fail`);
    await fetch(`${base}/v1/fail`);
    await fetch(`${base}/nowhere`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const text = await metrics.registry.metrics();
    expect(text).toContain('zhiyue_http_requests_total{method="GET",route="/v1/things/:id",status="200"} 3');
    expect(text).toContain('zhiyue_http_requests_total{method="POST",route="/v1/things/:id",status="202"} 1');
    expect(text).toContain('zhiyue_http_requests_total{method="GET",route="/v1/fail",status="503"} 2');
    expect(text).toContain('zhiyue_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('zhiyue_http_request_duration_seconds_count{method="GET",route="/v1/things/:id"} 3');
    expect(text).toContain('zhiyue_http_request_duration_seconds_count{method="POST",route="/v1/things/:id"} 1');
  });
});
