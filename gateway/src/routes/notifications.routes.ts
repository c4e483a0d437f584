import express, { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';
import { messagesFor } from '../../../core/src/i18n/index.ts';
import { isCustomerKind, isNotificationKind, NotificationKinds, type NotificationKind } from '../../../core/src/notifications/kinds.ts';
import { smsParams, subscribeData } from '../../../core/src/notifications/payloads.ts';
import { parseOffsets } from '../../../core/src/notifications/timing.ts';
import { type NotificationFacts, render, unknownVariables } from '../../../core/src/notifications/variables.ts';
import { parseStatusCallback, STATUS_CALLBACK_ANSWER } from '../../../core/src/sms/status-callback.ts';
import { localDayBounds } from '../../../core/src/time/zoned.ts';
import {
  consentsOf,
  deliveryStats,
  grantConsents,
  listNotices,
  markRead,
  type NoticeOwner,
  optOutList,
  recordDelivery,
  setOptOut,
  settingsOf,
  templatesOf,
  unreadCount,
  upsertSettings,
  upsertTemplate,
} from '../../../db/src/repositories/notification.repository.ts';
import type { NoticeRow } from '../../../db/src/tables/notification.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { actorOf, requireCustomer, requireStaff, staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import {
  MarkReadBody,
  NoticeListQuery,
  NoticeListSchema,
  NotificationSettingsBody,
  PreferenceBody,
  StatsQuery,
  SubscriptionsBody,
  TemplateBody,
  TemplateKindParams,
} from '../http/schemas.ts';
import { parse } from '../http/validate.ts';

for (const [path, who] of [
  ['/v1/me/notices', 'customer'],
  ['/v1/merchant/notices', 'staff'],
] as const) {
  describeRoute({ method: 'get', path, summary: `In-app notices of the ${who}, newest first, with the unread count`, auth: true, request: { query: NoticeListQuery }, ok: { status: 200, schema: NoticeListSchema, description: 'Notices' }, errors: [400, 401] });
  describeRoute({
    method: 'post',
    path: `${path}/read`,
    summary: `Mark ${who} notices read ({ids} or {all: true})`,
    auth: true,
    request: { body: { content: { 'application/json': { schema: MarkReadBody } } } },
    ok: { status: 200, schema: z.object({ marked: z.number(), unread: z.number() }), description: 'Counts' },
    errors: [400, 401],
  });
}
describeRoute({
  method: 'get',
  path: '/v1/me/subscriptions',
  summary: 'Subscribe-message templates to request in wx.requestSubscribeMessage, and the one-time consents left per kind',
  auth: true,
  ok: { status: 200, description: 'Templates and remaining consents' },
  errors: [401],
});
describeRoute({
  method: 'post',
  path: '/v1/me/subscriptions',
  summary: 'Record the templates the user accepted (each accept allows one message)',
  auth: true,
  request: { body: { content: { 'application/json': { schema: SubscriptionsBody } } } },
  ok: { status: 200, description: 'Remaining consents per kind' },
  errors: [400, 401],
});
describeRoute({
  method: 'put',
  path: '/v1/me/notification-preferences',
  summary: 'Opt out of (or back into) SMS, subscribe messages or all pushes, for one merchant or all',
  auth: true,
  request: { body: { content: { 'application/json': { schema: PreferenceBody } } } },
  ok: { status: 200, description: 'Current opt-outs' },
  errors: [400, 401],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/notification-settings',
  summary: 'Reminder offsets, SMS quiet hours, review-request delay, digest time, channels',
  auth: true,
  ok: { status: 200, schema: NotificationSettingsBody, description: 'Settings' },
  errors: [401, 403],
});
describeRoute({
  method: 'put',
  path: '/v1/merchant/notification-settings',
  summary: 'Change the merchant’s notification timing and channels (owners and managers)',
  auth: true,
  request: { body: { content: { 'application/json': { schema: NotificationSettingsBody } } } },
  ok: { status: 200, schema: NotificationSettingsBody, description: 'Saved; applies to notifications planned from now on' },
  errors: [400, 401, 403],
});
describeRoute({ method: 'get', path: '/v1/merchant/notification-templates', summary: 'Every notification kind with its wording (custom or platform default)', auth: true, ok: { status: 200, description: 'Templates' }, errors: [401, 403] });
describeRoute({
  method: 'put',
  path: '/v1/merchant/notification-templates/{kind}',
  summary: 'Set the merchant’s wording of a kind, with {variables}',
  auth: true,
  request: { params: TemplateKindParams, body: { content: { 'application/json': { schema: TemplateBody } } } },
  ok: { status: 200, description: 'Saved' },
  errors: [400, 401, 403],
});
describeRoute({
  method: 'post',
  path: '/v1/merchant/notification-templates/{kind}/preview',
  summary: 'Render a wording with sample booking data: in-app text, SMS parameters, subscribe fields',
  auth: true,
  request: { params: TemplateKindParams, body: { content: { 'application/json': { schema: TemplateBody } } } },
  ok: { status: 200, description: 'Preview' },
  errors: [400, 401, 403],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/notification-stats',
  summary: 'Delivery statistics of customer messages per channel: sent, delivered, failed and skipped by reason',
  auth: true,
  request: { query: StatsQuery },
  ok: { status: 200, description: 'Statistics' },
  errors: [400, 401, 403],
});
describeRoute({ method: 'post', path: '/v1/notifications/sms/status/{token}', summary: 'Tencent Cloud SMS delivery-status callback', ok: { status: 200, description: '{"result":0,"errmsg":"OK"}' }, errors: [404] });

function noticeView(n: NoticeRow) {
  return { id: n.id, kind: n.kind, title: n.title, body: n.body, bookingId: n.booking_id, storeId: n.store_id, read: n.read_at !== null, createdAt: n.created_at.toISOString() };
}

const sampleFacts = (storeName: string): NotificationFacts => ({
  storeName,
  serviceName: '洗剪吹',
  startMs: Date.parse('2026-12-02T02:00:00Z'),
  timezone: 'Asia/Shanghai',
  amountFen: 8800,
  checkinCode: '123456',
  customerLabel: '顾客#1024',
  count: 12,
  date: '2026-12-02',
  deadlineMs: Date.parse('2026-12-02T01:15:00Z'),
});

export function notificationRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const customer = requireCustomer(deps.tokens);
  const anyStaff = requireStaff(deps.tokens);
  const managers = requireStaff(deps.tokens, ['owner', 'manager']);

  function customerOwner(res: express.Response): NoticeOwner {
    const actor = actorOf(res);
    if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'customers only');
    return { audience: 'customer', customerId: actor.customerId };
  }
  function staffOwner(res: express.Response): NoticeOwner {
    const staff = staffOf(res);
    return { audience: 'merchant', merchantId: staff.merchantId, storeId: staff.storeId };
  }

  for (const [base, guard, ownerOf] of [
    ['/v1/me/notices', customer, customerOwner],
    ['/v1/merchant/notices', anyStaff, staffOwner],
  ] as const) {
    router.get(base, guard, async (req, res) => {
      const query = parse(NoticeListQuery, req.query, 'query');
      const owner = ownerOf(res);
      const [rows, unread] = await Promise.all([listNotices(deps.db, owner, { unreadOnly: query.unread, beforeId: query.before, limit: query.limit }), unreadCount(deps.db, owner)]);
      res.json({ notices: rows.map(noticeView), unread });
    });
    router.post(`${base}/read`, guard, async (req, res) => {
      const body = parse(MarkReadBody, req.body ?? {}, 'body');
      const owner = ownerOf(res);
      const marked = await markRead(deps.db, owner, 'all' in body ? 'all' : body.ids, deps.clock.now());
      res.json({ marked, unread: await unreadCount(deps.db, owner) });
    });
  }

  const templateKindOf = new Map(Object.entries(deps.subscribeTemplates).map(([kind, templateId]) => [templateId, kind]));

  router.get('/v1/me/subscriptions', customer, async (_req, res) => {
    const owner = customerOwner(res) as { customerId: number };
    const remaining = Object.fromEntries((await consentsOf(deps.db, owner.customerId)).map((c) => [c.kind, c.remaining]));
    res.json({ templates: Object.entries(deps.subscribeTemplates).map(([kind, templateId]) => ({ kind, templateId, remaining: remaining[kind] ?? 0 })) });
  });

  router.post('/v1/me/subscriptions', customer, async (req, res) => {
    const { accepted } = parse(SubscriptionsBody, req.body ?? {}, 'body');
    const owner = customerOwner(res) as { customerId: number };
    const unknown = accepted.filter((t) => !templateKindOf.has(t));
    if (unknown.length > 0) {
      throw new AppError('VALIDATION_FAILED', 'unknown template ids', { issues: unknown.map((t) => ({ path: 'body.accepted', message: `未知的订阅消息模板：${t}` })) });
    }
    await inTransaction(deps.db, (trx) => grantConsents(trx, owner.customerId, accepted.map((t) => templateKindOf.get(t)!), deps.clock.now()));
    res.json({ remaining: Object.fromEntries((await consentsOf(deps.db, owner.customerId)).map((c) => [c.kind, c.remaining])) });
  });

  router.put('/v1/me/notification-preferences', customer, async (req, res) => {
    const body = parse(PreferenceBody, req.body ?? {}, 'body');
    const owner = customerOwner(res) as { customerId: number };
    await setOptOut(deps.db, owner.customerId, body.merchantId, body.channel, body.optedOut, deps.clock.now());
    res.json({ optOuts: (await optOutList(deps.db, owner.customerId)).map((o) => ({ merchantId: o.merchant_id, channel: o.channel })) });
  });

  router.get('/v1/merchant/notification-settings', anyStaff, async (_req, res) => {
    const staff = staffOf(res);
    const s = (await settingsOf(deps.db, [staff.merchantId])).get(staff.merchantId)!;
    res.json({
      reminderOffsetsMinutes: parseOffsets(s.reminder_offsets),
      quietHours: { startMinute: s.quiet_start_minute, endMinute: s.quiet_end_minute },
      reviewDelayMinutes: s.review_delay_minutes,
      digestMinute: s.digest_minute,
      smsEnabled: s.sms_enabled === 1,
      subscribeEnabled: s.subscribe_enabled === 1,
    });
  });

  router.put('/v1/merchant/notification-settings', managers, async (req, res) => {
    const body = parse(NotificationSettingsBody, req.body ?? {}, 'body');
    const staff = staffOf(res);
    await upsertSettings(
      deps.db,
      staff.merchantId,
      {
        reminder_offsets: parseOffsets(body.reminderOffsetsMinutes.join(',')).join(','),
        quiet_start_minute: body.quietHours.startMinute,
        quiet_end_minute: body.quietHours.endMinute,
        review_delay_minutes: body.reviewDelayMinutes,
        digest_minute: body.digestMinute,
        sms_enabled: body.smsEnabled ? 1 : 0,
        subscribe_enabled: body.subscribeEnabled ? 1 : 0,
      },
      deps.clock.now(),
    );
    res.json({ ...body, reminderOffsetsMinutes: parseOffsets(body.reminderOffsetsMinutes.join(',')) });
  });

  function kindOf(params: unknown): NotificationKind {
    const { kind } = parse(TemplateKindParams, params, 'params');
    if (!isNotificationKind(kind)) {
      throw new AppError('VALIDATION_FAILED', `unknown kind ${kind}`, { issues: [{ path: 'params.kind', message: `未知的通知类型，可选：${NotificationKinds.join('、')}` }] });
    }
    return kind;
  }

  function checkedTemplate(body: unknown) {
    const template = parse(TemplateBody, body ?? {}, 'body');
    const unknown = [...unknownVariables(template.title), ...unknownVariables(template.body)];
    if (unknown.length > 0) {
      throw new AppError('VALIDATION_FAILED', 'unknown variables', { issues: unknown.map((v) => ({ path: 'body', message: `不支持的变量 {${v}}` })) });
    }
    return template;
  }

  router.get('/v1/merchant/notification-templates', anyStaff, async (_req, res) => {
    const staff = staffOf(res);
    const custom = new Map((await templatesOf(deps.db, staff.merchantId)).map((t) => [t.kind, t]));
    const defaults = messagesFor('zh-CN').notifications;
    res.json({
      templates: NotificationKinds.map((kind) => {
        const own = custom.get(kind);
        return { kind, audience: isCustomerKind(kind) ? 'customer' : 'merchant', custom: own !== undefined, enabled: own ? own.enabled === 1 : true, title: own?.title ?? defaults[kind].title, body: own?.body ?? defaults[kind].body };
      }),
    });
  });

  router.put('/v1/merchant/notification-templates/:kind', managers, async (req, res) => {
    const kind = kindOf(req.params);
    const template = checkedTemplate(req.body);
    await upsertTemplate(deps.db, staffOf(res).merchantId, kind, template, deps.clock.now());
    res.json({ kind, ...template });
  });

  router.post('/v1/merchant/notification-templates/:kind/preview', anyStaff, async (req, res) => {
    const kind = kindOf(req.params);
    const template = checkedTemplate(req.body);
    const store = await deps.db.selectFrom('stores').select('name').where('merchant_id', '=', staffOf(res).merchantId).orderBy('id').executeTakeFirst();
    const facts = sampleFacts(store?.name ?? '示例门店');
    const body = render(template.body, facts);
    res.json({
      kind,
      inApp: { title: render(template.title, facts), body },
      sms: isCustomerKind(kind) ? { templateId: deps.smsTemplates[kind] ?? null, params: smsParams(kind, facts) } : null,
      subscribe: isCustomerKind(kind) ? { templateId: deps.subscribeTemplates[kind] ?? null, data: subscribeData(kind, facts, body) } : null,
    });
  });

  router.get('/v1/merchant/notification-stats', managers, async (req, res) => {
    const query = parse(StatsQuery, req.query, 'query');
    const staff = staffOf(res);
    const merchant = await deps.db.selectFrom('merchants').select('timezone').where('id', '=', staff.merchantId).executeTakeFirstOrThrow();
    const rows = await deliveryStats(deps.db, staff.merchantId, localDayBounds(query.from, merchant.timezone).start, localDayBounds(query.to, merchant.timezone).end);
    const channels: Record<string, { sent: number; delivered: number; failed: number; skipped: number; pending: number; failedByReason: Record<string, number>; skippedByReason: Record<string, number> }> = {};
    for (const row of rows) {
      const channel = row.channel ?? 'none';
      const c = (channels[channel] ??= { sent: 0, delivered: 0, failed: 0, skipped: 0, pending: 0, failedByReason: {}, skippedByReason: {} });
      if (row.status === 'SENT') c.sent += row.count;
      else if (row.status === 'DELIVERED') c.delivered += row.count;
      else if (row.status === 'FAILED') {
        c.failed += row.count;
        c.failedByReason[row.reason ?? 'UNKNOWN'] = (c.failedByReason[row.reason ?? 'UNKNOWN'] ?? 0) + row.count;
      } else if (row.status === 'SKIPPED') {
        c.skipped += row.count;
        c.skippedByReason[row.reason ?? 'UNKNOWN'] = (c.skippedByReason[row.reason ?? 'UNKNOWN'] ?? 0) + row.count;
      } else c.pending += row.count;
    }
    res.json({ from: query.from, to: query.to, timezone: merchant.timezone, channels });
  });

  return router;
}

/** Where smsCallbackRoutes is mounted (its route is relative to it). */
export const SMS_CALLBACK_PREFIX = '/v1/notifications/sms';

/** The SMS delivery callback: before the JSON parser (Tencent may send text/plain), behind an unguessable path token. */
export function smsCallbackRoutes(deps: GatewayDeps): Router {
  const router = Router();
  router.post('/status/:token', express.text({ type: () => true, limit: '256kb' }), async (req, res) => {
    if (!deps.smsCallbackToken || req.params.token !== deps.smsCallbackToken) throw new AppError('NOT_FOUND', 'no such callback');
    let reports;
    try {
      reports = parseStatusCallback(req.body);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'malformed status callback', { issues: [{ path: 'body', message: '回执格式错误' }] });
    }
    const now = deps.clock.now();
    for (const report of reports) {
      await recordDelivery(deps.db, report.serialNo, report.status === 'DELIVERED', report.status === 'FAILED' ? `SMS_UNDELIVERED:${report.errmsg}`.slice(0, 120) : null, report.userReceiveTime ?? now, now);
    }
    res.json(STATUS_CALLBACK_ANSWER);
  });
  return router;
}
