import { Router } from 'express';
import { z } from 'zod';
import type { StoreCatalog } from '../../../core/src/catalog/types.ts';
import { AppError } from '../../../core/src/errors.ts';
import type { AcceptDeps } from '../../../core/src/lifecycle/accept.ts';
import { insertUrgently } from '../../../core/src/lifecycle/urgent-insertion.ts';
import { DEFAULT_VIP_CUTOFF_MINUTES } from '../../../core/src/priority/admission.ts';
import {
  customerExists,
  listAudit,
  listMembers,
  loadPriority,
  removeMember,
  saveServicePriority,
  saveWeeklyLimit,
  upsertMember,
} from '../../../db/src/repositories/priority.repository.ts';
import type { AuditLogRow, MerchantMemberRow } from '../../../db/src/tables/priority.table.ts';
import { JobNames, rebuildJobId, rebuildJobOptions } from '../../../workers/src/jobs/contracts.ts';
import { requireStaff, staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { BookingAcceptedSchema, IdempotencyHeaders } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';
import { ownStoreCatalog } from '../stores/own-store.ts';

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const bodyId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const StoreParams = z.object({ storeId: id }).strict();
const StoreServiceParams = z.object({ storeId: id, serviceId: id }).strict();
const MemberParams = z.object({ customerId: id }).strict();
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();
const AuditQuery = z.object({ storeId: id.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();

const MemberBody = z.object({ tier: z.enum(['vip']), note: z.string().trim().max(200).default('') }).strict();
const MemberSchema = z.object({ customerId: z.number().int(), tier: z.enum(['vip']), note: z.string(), since: z.string() }).meta({ id: 'MerchantMember' });
const VipReserveBody = z
  .object({
    vipReservedUnits: z.number().int().min(0).max(1000).meta({ description: 'Units of each cell of the service held back for VIPs; 0 = none' }),
    vipCutoffMinutes: z.number().int().min(0).max(43_200).default(DEFAULT_VIP_CUTOFF_MINUTES).meta({ description: 'The share opens to everyone this long before the slot' }),
  })
  .strict();
const WeeklyLimitBody = z.object({ customerWeeklyLimit: z.number().int().min(0).max(1000).meta({ description: 'Bookings per customer per ISO week at this store; 0 = none' }) }).strict();
const PrioritySchema = z
  .object({
    storeId: z.number().int(),
    customerWeeklyLimit: z.number().int(),
    customerDailyLimit: z.number().int(),
    services: z.array(z.object({ serviceId: z.number().int(), name: z.string(), vipReservedUnits: z.number().int(), vipCutoffMinutes: z.number().int() })),
  })
  .meta({ id: 'StorePriority' });
const UrgentBody = z
  .object({
    storeId: bodyId,
    serviceId: bodyId,
    customerId: bodyId,
    startAt: z.iso.datetime({ offset: true, error: 'startAt 须为带时区的 ISO 8601 时间' }),
    partySize: z.number().int().min(1).max(100).default(1),
    resourceId: bodyId.optional(),
    note: z.string().trim().max(200).default(''),
    reason: z.string({ error: '紧急插单须填写原因' }).trim().min(2, '紧急插单须填写原因（至少 2 个字）').max(500),
  })
  .strict();
const AuditSchema = z
  .object({ id: z.number().int(), storeId: z.number().int().nullable(), actorStaffId: z.number().int(), action: z.string(), target: z.string(), reason: z.string(), at: z.string() })
  .meta({ id: 'AuditEntry' });

const managersOnly = [400, 401, 403, 404] as const;
describeRoute({
  method: 'get',
  path: '/v1/merchant/members',
  summary: 'The merchant’s members (VIP tier) (owner or manager)',
  auth: true,
  request: { query: ListQuery },
  ok: { status: 200, schema: z.object({ members: z.array(MemberSchema) }), description: 'Members by customer id' },
  errors: [400, 401, 403],
});
describeRoute({
  method: 'put',
  path: '/v1/merchant/members/{customerId}',
  summary: 'Make a customer a member of the merchant (tier vip) (owner or manager)',
  description: 'VIP members may book the VIP-reserved share of a service before its cut-off, at every store of the merchant.',
  auth: true,
  request: { params: MemberParams, body: { content: { 'application/json': { schema: MemberBody } } } },
  ok: { status: 200, schema: MemberSchema, description: 'The membership' },
  errors: [...managersOnly],
});
describeRoute({
  method: 'delete',
  path: '/v1/merchant/members/{customerId}',
  summary: 'End a membership (owner or manager)',
  auth: true,
  request: { params: MemberParams },
  ok: { status: 200, schema: z.object({ customerId: z.number().int(), removed: z.boolean() }), description: 'removed = false when there was none' },
  errors: [400, 401, 403],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/stores/{storeId}/priority',
  summary: 'VIP-reserved shares per service and the per-customer limits of a store (owner or manager)',
  auth: true,
  request: { params: StoreParams },
  ok: { status: 200, schema: PrioritySchema, description: 'Settings' },
  errors: [...managersOnly],
});
describeRoute({
  method: 'put',
  path: '/v1/merchant/stores/{storeId}/services/{serviceId}/vip-reserve',
  summary: 'Hold units of a service’s cells back for VIP members until a cut-off (owner or manager)',
  description:
    'Before the cut-off (default 24 h before the slot) a customer who is not a VIP member may only use capacity − vipReservedUnits of each cell the booking takes; VIPs and staff urgent insertions may use all; after the cut-off everyone may. Checked atomically in the reserve step (409 VIP_RESERVED); MySQL still checks capacity only.',
  auth: true,
  request: { params: StoreServiceParams, body: { content: { 'application/json': { schema: VipReserveBody } } } },
  ok: { status: 200, schema: PrioritySchema, description: 'Saved' },
  errors: [...managersOnly],
});
describeRoute({
  method: 'put',
  path: '/v1/merchant/stores/{storeId}/booking-limits',
  summary: 'Most bookings one customer may hold at the store per ISO week (owner or manager)',
  description: 'Checked and counted atomically in the reserve step like the daily limit (429 CUSTOMER_WEEKLY_LIMIT_REACHED); a cancel or expiry gives the count back. Per-staff daily limits are the allocation daily caps.',
  auth: true,
  request: { params: StoreParams, body: { content: { 'application/json': { schema: WeeklyLimitBody } } } },
  ok: { status: 200, schema: PrioritySchema, description: 'Saved' },
  errors: [...managersOnly],
});
describeRoute({
  method: 'post',
  path: '/v1/merchant/bookings/urgent',
  summary: 'Urgent insertion: book for a customer (owner or manager), with a mandatory reason',
  description:
    'Same reserve step as every booking (all or nothing, never above capacity or a daily cap), but may use the VIP-reserved share, ignores the minimum notice and is not refused by the customer’s daily/weekly limits (it still counts against them). Writes an append-only audit entry (GET /v1/merchant/audit-log). A retry with the same Idempotency-Key returns the same booking and entry.',
  auth: true,
  request: { headers: IdempotencyHeaders, body: { content: { 'application/json': { schema: UrgentBody } } } },
  ok: { status: 202, schema: BookingAcceptedSchema.extend({ auditId: z.number().int() }), description: 'Accepted, PENDING until persisted' },
  errors: [400, 401, 403, 404, 409, 422, 503],
});
describeRoute({
  method: 'get',
  path: '/v1/merchant/audit-log',
  summary: 'Audit entries of privileged staff actions, newest first (owner or manager)',
  auth: true,
  request: { query: AuditQuery },
  ok: { status: 200, schema: z.object({ entries: z.array(AuditSchema) }), description: 'Entries' },
  errors: [400, 401, 403],
});

const memberView = (row: MerchantMemberRow): z.infer<typeof MemberSchema> => ({ customerId: row.customer_id, tier: row.tier, note: row.note, since: row.created_at.toISOString() });
const auditView = (row: AuditLogRow): z.infer<typeof AuditSchema> => ({
  id: row.id,
  storeId: row.store_id,
  actorStaffId: row.actor_staff_id,
  action: row.action,
  target: row.target,
  reason: row.reason,
  at: row.at.toISOString(),
});

export function merchantPriorityRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const managers = requireStaff(deps.tokens, ['owner', 'manager']);
  const acceptDeps: AcceptDeps = {
    db: deps.db,
    redis: deps.redis,
    keys: deps.keys,
    clock: deps.clock,
    newBookingId: deps.newBookingId,
    requestRebuild: async (storeId) => {
      await deps.maintenanceQueue.add(JobNames.rebuildInventory, { storeId, reason: 'reserve found no epoch' }, { ...rebuildJobOptions, jobId: rebuildJobId(storeId) });
    },
  };

  const ownStore = (res: Parameters<typeof staffOf>[0], storeId: number) => ownStoreCatalog(deps, res, storeId);

  async function view(catalog: StoreCatalog): Promise<z.infer<typeof PrioritySchema>> {
    // From MySQL, not the cached catalog, so a PUT answers what it saved.
    const priority = await loadPriority(deps.db, catalog.store.id);
    return {
      storeId: catalog.store.id,
      customerWeeklyLimit: priority.customerWeeklyLimit,
      customerDailyLimit: catalog.store.perCustomerDailyLimit,
      services: [...catalog.services.values()].map((s) => ({
        serviceId: s.id,
        name: s.name,
        vipReservedUnits: priority.services.get(s.id)?.vipReservedUnits ?? 0,
        vipCutoffMinutes: priority.services.get(s.id)?.vipCutoffMinutes ?? DEFAULT_VIP_CUTOFF_MINUTES,
      })),
    };
  }

  router.get('/v1/merchant/members', managers, async (req, res) => {
    const { limit } = parse(ListQuery, req.query, 'query');
    res.json({ members: (await listMembers(deps.db, staffOf(res).merchantId, limit)).map(memberView) });
  });

  router.put('/v1/merchant/members/:customerId', managers, async (req, res) => {
    const { customerId } = parse(MemberParams, req.params, 'params');
    const body = parse(MemberBody, req.body ?? {}, 'body');
    const { merchantId } = staffOf(res);
    if (!(await customerExists(deps.db, customerId))) throw new AppError('NOT_FOUND', `customer ${customerId} not found`);
    await upsertMember(deps.db, merchantId, customerId, body.tier, body.note, new Date(deps.clock.now()));
    const row = (await listMembers(deps.db, merchantId, 500)).find((m) => m.customer_id === customerId);
    res.json(memberView(row!));
  });

  router.delete('/v1/merchant/members/:customerId', managers, async (req, res) => {
    const { customerId } = parse(MemberParams, req.params, 'params');
    res.json({ customerId, removed: await removeMember(deps.db, staffOf(res).merchantId, customerId) });
  });

  router.get('/v1/merchant/stores/:storeId/priority', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    res.json(await view(await ownStore(res, storeId)));
  });

  router.put('/v1/merchant/stores/:storeId/services/:serviceId/vip-reserve', managers, async (req, res) => {
    const { storeId, serviceId } = parse(StoreServiceParams, req.params, 'params');
    const body = parse(VipReserveBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    if (!catalog.services.has(serviceId)) throw new AppError('SERVICE_NOT_FOUND', `service ${serviceId} is not offered by store ${storeId}`);
    await saveServicePriority(deps.db, { merchantId: catalog.store.merchantId, storeId, serviceId, ...body }, new Date(deps.clock.now()));
    deps.catalog.invalidate(storeId);
    res.json(await view(catalog));
  });

  router.put('/v1/merchant/stores/:storeId/booking-limits', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const { customerWeeklyLimit } = parse(WeeklyLimitBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    await saveWeeklyLimit(deps.db, catalog.store.merchantId, storeId, customerWeeklyLimit, new Date(deps.clock.now()));
    deps.catalog.invalidate(storeId);
    res.json(await view(catalog));
  });

  router.post('/v1/merchant/bookings/urgent', managers, async (req, res) => {
    const { 'idempotency-key': idempotencyKey } = parse(IdempotencyHeaders, req.headers, 'headers');
    const body = parse(UrgentBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, body.storeId);
    const { result, audit } = await insertUrgently(acceptDeps, catalog, {
      staffId: staffOf(res).staffId,
      customerId: body.customerId,
      serviceId: body.serviceId,
      startMs: Date.parse(body.startAt),
      partySize: body.partySize,
      resourceId: body.resourceId,
      note: body.note,
      reason: body.reason,
      idempotencyKey,
    });
    res.status(202).json({ bookingId: result.bookingId, status: result.status, auditId: audit.id });
  });

  router.get('/v1/merchant/audit-log', managers, async (req, res) => {
    const { storeId, limit } = parse(AuditQuery, req.query, 'query');
    const staff = staffOf(res);
    // Store-bound managers see their store's entries only.
    const scope = staff.storeId ?? storeId;
    if (staff.storeId !== null && storeId !== undefined && storeId !== staff.storeId) throw new AppError('STORE_NOT_FOUND', `store ${storeId} not found`);
    res.json({ entries: (await listAudit(deps.db, staff.merchantId, { storeId: scope, limit })).map(auditView) });
  });

  return router;
}
