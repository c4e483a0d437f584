import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { mergedMetrics } from '../metrics.ts';
import { describeRoute, openapiDocument } from '../http/openapi.ts';

const ReadinessSchema = z
  .object({
    ready: z.boolean(),
    checks: z.object({ mysql: z.string(), redis: z.string(), redisEvictionPolicy: z.string(), accepting: z.string() }),
  })
  .meta({ id: 'Readiness' });

describeRoute({ method: 'get', path: '/healthz', summary: 'Liveness: the process is up', ok: { status: 200, description: 'ok' } });
describeRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: MySQL and Redis reachable, Redis refuses to evict keys, not shutting down',
  ok: { status: 200, schema: ReadinessSchema, description: 'Ready (503 with the same body when not)' },
});
describeRoute({ method: 'get', path: '/metrics', summary: 'Prometheus metrics of the gateway and the workers', ok: { status: 200, description: 'text/plain' } });
describeRoute({ method: 'get', path: '/openapi.json', summary: 'This document', ok: { status: 200, description: 'OpenAPI 3.1' } });

async function check(probe: () => Promise<string>): Promise<string> {
  try {
    return await probe();
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

export function opsRoutes(deps: GatewayDeps): Router {
  const router = Router();
  let openapi: object | undefined;

  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  router.get('/readyz', async (_req, res) => {
    const [mysql, redis, redisEvictionPolicy] = await Promise.all([
      check(async () => {
        await sql`SELECT 1`.execute(deps.db);
        return 'ok';
      }),
      check(async () => ((await deps.redis.ping()) === 'PONG' ? 'ok' : 'unexpected reply')),
      // BullMQ and our holds are correct only if Redis never evicts keys under memory pressure.
      check(async () => {
        const [, policy] = (await deps.redis.config('GET', 'maxmemory-policy')) as [string, string];
        return policy === 'noeviction' ? 'ok' : `maxmemory-policy is ${policy}, must be noeviction`;
      }),
    ]);
    const checks = { mysql, redis, redisEvictionPolicy, accepting: deps.accepting.value ? 'ok' : 'shutting down' };
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503).json({ ready, checks });
  });

  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await mergedMetrics(deps.metrics.registry, deps.redis, deps.keys.workerMetricsMembers);
    res.type(contentType).send(body);
  });

  router.get('/openapi.json', (_req, res) => {
    openapi ??= openapiDocument();
    res.json(openapi);
  });

  return router;
}
