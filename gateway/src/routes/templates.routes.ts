import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';
import { format, messagesFor, negotiateLocale } from '../../../core/src/i18n/index.ts';
import { applyTemplate } from '../../../core/src/lifecycle/apply-template.ts';
import { INDUSTRY_TEMPLATES, summarize, TEMPLATE_KEYS, templateByKey } from '../../../core/src/templates/index.ts';
import { isValidTimeZone } from '../../../core/src/time/zoned.ts';
import { requireStaff, staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { parse } from '../http/validate.ts';

const StoreFromTemplateBody = z
  .object({
    template: z.string().trim().min(1).max(40).meta({ description: `Template key: ${TEMPLATE_KEYS.join(', ')}`, example: 'hair_salon' }),
    name: z.string().trim().min(1).max(100).meta({ example: '悦容美发·徐汇店' }),
    address: z.string().trim().min(1).max(255),
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    timezone: z.string().max(64).default('Asia/Shanghai'),
    phone: z.string().trim().min(1).max(32).optional(),
  })
  .strict()
  .meta({ id: 'StoreFromTemplate' });

const TemplateSummarySchema = z
  .object({
    key: z.string(),
    name: z.string(),
    industry: z.string(),
    description: z.string(),
    allocation: z.string(),
    resourceTypes: z.array(z.object({ key: z.string(), kind: z.string(), label: z.string(), count: z.number().int(), capacity: z.number().int() })),
    services: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        durationMinutes: z.number().int(),
        priceFen: z.number().int(),
        maxPartySize: z.number().int(),
        payment: z.enum(['none', 'deposit', 'full']),
        hasForm: z.boolean(),
      }),
    ),
    limitations: z.array(z.string()),
  })
  .meta({ id: 'IndustryTemplate' });

const StoreFromTemplateSchema = z
  .object({
    store: z.object({ id: z.number().int(), name: z.string(), industry: z.string(), timezone: z.string(), address: z.string(), lat: z.number(), lng: z.number() }),
    template: z.string(),
    replayed: z.boolean(),
    resources: z.array(z.object({ id: z.number().int(), typeKey: z.string(), kind: z.string(), name: z.string() })),
    services: z.array(z.object({ id: z.number().int(), key: z.string(), name: z.string() })),
    counts: z.record(z.string(), z.number().int()),
  })
  .meta({ id: 'StoreFromTemplateResult' });

describeRoute({
  method: 'get',
  path: '/v1/templates',
  summary: 'Industry templates a new store can start from, with their resources and services',
  ok: { status: 200, schema: z.object({ templates: z.array(TemplateSummarySchema) }), description: 'Every template' },
});
describeRoute({
  method: 'post',
  path: '/v1/merchant/stores/from-template',
  summary: 'Open a new store of the caller’s merchant from an industry template (owner only)',
  description:
    'One MySQL transaction creates the store, its resources with skills, weekly hours, services with requirements, a payment and cancellation policy per service, booking forms, the allocation strategy (and per-resource caps) and, if the merchant has none yet, notification settings; then the store’s inventory is materialized. ' +
    'A retry with the same store name returns the store the first attempt made (200, replayed: true) instead of creating another.',
  auth: true,
  request: { body: { content: { 'application/json': { schema: StoreFromTemplateBody } } } },
  ok: { status: 201, schema: StoreFromTemplateSchema, description: 'Created (200 with replayed: true for a retry)' },
  errors: [400, 401, 403],
});

export function templateRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const owners = requireStaff(deps.tokens, ['owner']);
  const summaries = INDUSTRY_TEMPLATES.map(summarize);

  router.get('/v1/templates', (_req, res) => {
    res.json({ templates: summaries });
  });

  router.post('/v1/merchant/stores/from-template', owners, async (req, res) => {
    const body = parse(StoreFromTemplateBody, req.body ?? {}, 'body');
    const m = messagesFor(negotiateLocale(req.headers['accept-language'])).templates;
    const template = templateByKey(body.template);
    if (!template) {
      throw new AppError('VALIDATION_FAILED', `unknown template ${body.template}`, {
        issues: [{ path: 'body.template', message: format(m.unknown, { template: body.template, known: TEMPLATE_KEYS.join(', ') }) }],
      });
    }
    if (!isValidTimeZone(body.timezone)) {
      throw new AppError('VALIDATION_FAILED', `invalid time zone ${body.timezone}`, { issues: [{ path: 'body.timezone', message: m.timezone }] });
    }
    const staff = staffOf(res);
    // A store-scoped owner manages one store; opening another is for the merchant-wide owner.
    if (staff.storeId !== null) throw new AppError('FORBIDDEN', 'store-scoped staff cannot open stores');
    const outcome = await applyTemplate(
      { db: deps.db, redis: deps.redis, keys: deps.keys, clock: deps.clock },
      template,
      { merchantId: staff.merchantId, staffId: staff.staffId, name: body.name, address: body.address, lat: body.lat, lng: body.lng, timezone: body.timezone, phone: body.phone },
    );
    if (!outcome.ok) {
      throw new AppError('VALIDATION_FAILED', 'store name taken', { issues: [{ path: 'body.name', message: format(m.nameTaken, { name: body.name }) }] });
    }
    const { applied } = outcome;
    deps.catalog.invalidate(applied.storeId);
    res.status(applied.replayed ? 200 : 201).json({
      store: { id: applied.storeId, name: body.name, industry: template.industry, timezone: body.timezone, address: body.address, lat: body.lat, lng: body.lng },
      template: template.key,
      replayed: applied.replayed,
      resources: applied.resources,
      services: applied.services,
      counts: applied.counts,
    });
  });

  return router;
}
