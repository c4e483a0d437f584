import { Router } from 'express';
import { z } from 'zod';
import { datesTouched, plannedSlots } from '../../../core/src/availability/slots.ts';
import { AppError } from '../../../core/src/errors.ts';
import { serviceMinutes } from '../../../core/src/inventory/plan.ts';
import { setTableMode } from '../../../core/src/lifecycle/table-mode.ts';
import { tableSlot } from '../../../core/src/restaurant/availability.ts';
import { isTableService, TableModeSchema } from '../../../core/src/restaurant/table-mode.ts';
import { isLocalDate } from '../../../core/src/time/zoned.ts';
import { readInventory } from '../../../db/redis/inventory.ts';
import { JobNames, rebuildJobId, rebuildJobOptions } from '../../../workers/src/jobs/contracts.ts';
import { requireStaff, staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { parse } from '../http/validate.ts';
import { ownStoreCatalog } from '../stores/own-store.ts';

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const StoreParams = z.object({ storeId: id }).strict();
const IdParams = z.object({ id }).strict();
const TableModeBody = TableModeSchema.extend({ pacing: z.object({ maxCovers: z.number().int().min(1).max(1000) }).strict().nullable().default(null) }).strict();
const TableModeView = z.object({ enabled: z.boolean(), tableMode: TableModeSchema.nullable() });
const TableAvailabilityQuery = z
  .object({
    serviceId: id,
    date: z.string().refine(isLocalDate, 'expected a local date YYYY-MM-DD'),
    partySize: z.coerce.number().int().min(1).max(100),
  })
  .strict();
const TableAvailabilitySchema = z.object({
  storeId: z.number().int(),
  serviceId: z.number().int(),
  date: z.string(),
  partySize: z.number().int(),
  turnMinutes: z.number().int(),
  slots: z.array(
    z.object({
      startAt: z.string(),
      endAt: z.string(),
      localTime: z.string(),
      available: z.boolean(),
      table: z.boolean(),
      tableIds: z.array(z.number().int()).nullable(),
      seats: z.number().int().nullable(),
      pacing: z.boolean(),
      coversLeft: z.number().int().nullable(),
    }),
  ),
});

const modeRules =
  'tables: each table (a room of the store) with the party sizes it seats; combinations: tables pushed together, seated as one (a booking takes every table of it or none); ' +
  'turnTimes: ascending, a party up to maxParty keeps its table that many minutes (the last entry covers larger parties); maxExtraSeats: a party never gets more empty seats than this while ' +
  'an option with fewer fits it; pacing.maxCovers: most guests arriving per 15 minutes (null = no pacing). A party gets the smallest fitting single table, else the smallest fitting combination. ' +
  'Applies to services whose requirement is a room with skill “table”.';

describeRoute({
  method: 'get',
  path: '/v1/merchant/stores/{storeId}/table-mode',
  summary: 'The restaurant’s table mode: seats per table, combinations, turn times, pacing',
  auth: true,
  request: { params: StoreParams },
  ok: { status: 200, schema: TableModeView, description: 'Table mode, or enabled=false' },
  errors: [400, 401, 403, 404],
});
describeRoute({
  method: 'put',
  path: '/v1/merchant/stores/{storeId}/table-mode',
  summary: 'Set the restaurant’s tables, combinations, turn times and pacing (owner or manager)',
  description: modeRules,
  auth: true,
  request: { params: StoreParams, body: { content: { 'application/json': { schema: TableModeBody } } } },
  ok: { status: 200, schema: TableModeView, description: 'Saved; new bookings use it within the catalog cache TTL' },
  errors: [400, 401, 403, 404],
});
describeRoute({
  method: 'get',
  path: '/v1/stores/{id}/table-availability',
  summary: 'Slots of a table service for a party size: whether a table (or combination) and pacing allow each',
  description: 'Read from the Redis inventory mirror: the tables reserve.lua would give the party now, and the covers left in the arrival window.',
  request: { params: IdParams, query: TableAvailabilityQuery },
  ok: { status: 200, schema: TableAvailabilitySchema, description: 'Slots' },
  errors: [400, 404, 503],
});

export function tableModeRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const managers = requireStaff(deps.tokens, ['owner', 'manager']);

  const ownStore = (res: Parameters<typeof staffOf>[0], storeId: number) => ownStoreCatalog(deps, res, storeId);

  router.get('/v1/merchant/stores/:storeId/table-mode', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const catalog = await ownStore(res, storeId);
    res.json({ enabled: catalog.tableMode !== undefined, tableMode: catalog.tableMode ?? null });
  });

  router.put('/v1/merchant/stores/:storeId/table-mode', managers, async (req, res) => {
    const { storeId } = parse(StoreParams, req.params, 'params');
    const body = parse(TableModeBody, req.body ?? {}, 'body');
    const catalog = await ownStore(res, storeId);
    const tableMode = await setTableMode(deps, catalog, body);
    deps.catalog.invalidate(storeId);
    res.json({ enabled: true, tableMode });
  });

  router.get('/v1/stores/:id/table-availability', async (req, res) => {
    const { id: storeId } = parse(IdParams, req.params, 'params');
    const query = parse(TableAvailabilityQuery, req.query, 'query');
    const catalog = await deps.catalog.get(storeId);
    const service = catalog.services.get(query.serviceId);
    if (!service) throw new AppError('SERVICE_NOT_FOUND', `service ${query.serviceId} not in store ${storeId}`);
    const mode = catalog.tableMode;
    if (!mode || !isTableService(service)) throw new AppError('SERVICE_NOT_FOUND', `service ${query.serviceId} is not seated by table mode`);
    if (query.partySize > service.maxPartySize) {
      throw new AppError('PARTY_TOO_LARGE', `party of ${query.partySize} exceeds ${service.maxPartySize}`, { params: { max: service.maxPartySize } });
    }
    const availabilityQuery = { catalog, service, localDate: query.date, nowMs: deps.clock.now(), partySize: query.partySize };
    const planned = plannedSlots(availabilityQuery);
    const snapshot = await readInventory(deps.redis, deps.keys, storeId, datesTouched(planned));
    if (!snapshot.epochPresent) {
      await deps.maintenanceQueue.add(JobNames.rebuildInventory, { storeId, reason: 'availability found no epoch' }, { ...rebuildJobOptions, jobId: rebuildJobId(storeId) });
      throw new AppError('INVENTORY_REBUILDING', 'store inventory is being rebuilt', { retryAfterSeconds: 1 });
    }
    const turn = serviceMinutes(catalog, service, query.partySize);
    const lookup = (date: string, field: string) => snapshot.days.get(date)?.get(field);
    res.json({
      storeId,
      serviceId: service.id,
      date: query.date,
      partySize: query.partySize,
      turnMinutes: turn,
      slots: planned.map((p) => {
        const s = tableSlot(mode, catalog, p, query.partySize, turn, lookup);
        return { startAt: new Date(s.startMs).toISOString(), endAt: new Date(s.endMs).toISOString(), localTime: s.localTime, available: s.available, table: s.table, tableIds: s.tableIds, seats: s.seats, pacing: s.pacing, coversLeft: s.coversLeft };
      }),
    });
  });

  return router;
}
