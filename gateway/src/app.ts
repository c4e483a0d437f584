import path from 'node:path';
import express, { type Express } from 'express';
import type { GatewayDeps } from './deps.ts';
import { errorMiddleware, notFoundHandler } from './http/errors.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { bookingRoutes } from './routes/bookings.routes.ts';
import { merchantRoutes } from './routes/merchant.routes.ts';
import { opsRoutes } from './routes/ops.routes.ts';
import { storeRoutes } from './routes/stores.routes.ts';

/** The Express app without a listening socket; server.ts listens, tests use it directly. */
export function buildApp(deps: GatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      deps.metrics.requests.inc({ method: req.method, route, status: res.statusCode });
      deps.metrics.requestDuration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(express.json({ limit: '32kb' }));
  app.use(opsRoutes(deps));
  app.use(authRoutes(deps));
  app.use(storeRoutes(deps));
  app.use(bookingRoutes(deps));
  app.use(merchantRoutes(deps));
  if (deps.serveDemoPage) app.use(express.static(path.join(import.meta.dirname, '../public'), { index: 'index.html' }));
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.log));
  return app;
}
