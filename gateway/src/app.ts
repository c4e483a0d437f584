import path from 'node:path';
import cors from 'cors';
import express, { type Express } from 'express';
import type { GatewayDeps } from './deps.ts';
import { requestMetrics } from './http/request-metrics.ts';
import { errorMiddleware, notFoundHandler } from './http/errors.ts';
import { isJsonRequest } from './http/json-body.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { merchantPriorityRoutes } from './routes/merchant-priority.routes.ts';
import { bookingRoutes } from './routes/bookings.routes.ts';
import { seriesRoutes } from './routes/series.routes.ts';
import { bookingFormRoutes } from './routes/booking-forms.routes.ts';
import { waitlistRoutes } from './routes/waitlist.routes.ts';
import { merchantRoutes } from './routes/merchant.routes.ts';
import { merchantAllocationRoutes } from './routes/merchant-allocation.routes.ts';
import { tableModeRoutes } from './routes/table-mode.routes.ts';
import { merchantScheduleRoutes } from './routes/merchant-schedule.routes.ts';
import { merchantServicesRoutes } from './routes/merchant-services.routes.ts';
import { opsRoutes } from './routes/ops.routes.ts';
import { merchantMoneyRoutes } from './routes/merchant-money.routes.ts';
import { PAYMENT_NOTIFY_PREFIX, paymentNotifyRoutes, paymentRoutes } from './routes/payments.routes.ts';
import { notificationRoutes, SMS_CALLBACK_PREFIX, smsCallbackRoutes } from './routes/notifications.routes.ts';
import { discoveryRoutes } from './routes/discovery.routes.ts';
import { reviewRoutes } from './routes/reviews.routes.ts';
import { storeRoutes } from './routes/stores.routes.ts';
import { templateRoutes } from './routes/templates.routes.ts';

/** The Express app without a listening socket; server.ts listens, tests use it directly. */
export function buildApp(deps: GatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use(requestMetrics(deps.metrics));
  if (deps.corsOrigins.length > 0) app.use(corsFor(deps.corsOrigins));
  // Before the JSON parser: WeChat Pay signs the exact bytes of its notifications. Mounted on their prefixes, so
  // other requests (the booking hot path above all) skip these routers on one path test.
  app.use(PAYMENT_NOTIFY_PREFIX, paymentNotifyRoutes(deps));
  app.use(SMS_CALLBACK_PREFIX, smsCallbackRoutes(deps));
  app.use(express.json({ limit: '32kb', type: isJsonRequest }));
  // The booking routes first: POST /v1/bookings is the hot path and should not walk the other routers.
  app.use(bookingRoutes(deps));
  app.use(seriesRoutes(deps));
  app.use(opsRoutes(deps));
  app.use(authRoutes(deps));
  app.use(storeRoutes(deps));
  app.use(discoveryRoutes(deps));
  app.use(merchantRoutes(deps));
  app.use(merchantAllocationRoutes(deps));
  app.use(merchantPriorityRoutes(deps));
  app.use(tableModeRoutes(deps));
  app.use(merchantScheduleRoutes(deps));
  app.use(merchantServicesRoutes(deps));
  app.use(reviewRoutes(deps));
  app.use(paymentRoutes(deps));
  app.use(merchantMoneyRoutes(deps));
  app.use(notificationRoutes(deps));
  app.use(bookingFormRoutes(deps));
  app.use(waitlistRoutes(deps));
  app.use(templateRoutes(deps));
  if (deps.serveDemoPage) app.use(express.static(path.join(import.meta.dirname, '../public'), { index: 'index.html' }));
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.log));
  return app;
}

/**
 * CORS for the mini program's H5 build (a weapp build needs none). Exact origins only; bearer tokens, not
 * cookies, so no credentials. Answers preflights (OPTIONS) itself with 204, before any router.
 */
function corsFor(origins: readonly string[]) {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Accept-Language'],
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
}
