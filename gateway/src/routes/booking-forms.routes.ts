import { Router } from 'express';
import { AppError } from '../../../core/src/errors.ts';
import { currentForm, insertFormVersion, type StoredForm } from '../../../db/src/repositories/booking-form.repository.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { requireStaff, staffOf } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { formCacheOf } from '../forms/form-cache.ts';
import { BookingFormBody, BookingFormSchema, StoreServiceParams } from '../forms/form-schemas.ts';
import { describeRoute } from '../http/openapi.ts';
import { IdParams } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';

describeRoute({
  method: 'get',
  path: '/v1/merchant/services/{id}/booking-form',
  summary: 'A service’s current booking form (owner or manager)',
  auth: true,
  request: { params: IdParams },
  ok: { status: 200, schema: BookingFormSchema, description: 'The current version (version 0 and no fields when never defined)' },
  errors: [400, 401, 403],
});
describeRoute({
  method: 'put',
  path: '/v1/merchant/services/{id}/booking-form',
  summary: 'Replace a service’s booking form (owner or manager)',
  description:
    'Saves the fields as the next version; earlier versions stay, so answers given before keep their labels. Field types: text, phone, choice, date, number, consent, file. An empty list removes the form.',
  auth: true,
  request: { params: IdParams, body: { content: { 'application/json': { schema: BookingFormBody } } } },
  ok: { status: 200, schema: BookingFormSchema, description: 'The saved version; new bookings are validated against it' },
  errors: [400, 401, 403],
});
describeRoute({
  method: 'get',
  path: '/v1/stores/{id}/services/{serviceId}/booking-form',
  summary: 'The booking form the mini program renders for a service',
  request: { params: StoreServiceParams },
  ok: { status: 200, schema: BookingFormSchema, description: 'The current version; send its answers with POST /v1/bookings as `answers`' },
  errors: [400, 404],
});

function formBody(serviceId: number, form: StoredForm | null) {
  return { serviceId, version: form?.version ?? 0, fields: form?.fields ?? [], updatedAt: form?.createdAt.toISOString() ?? null };
}

export function bookingFormRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const managers = requireStaff(deps.tokens, ['owner', 'manager']);
  const forms = formCacheOf(deps);

  /** Another tenant's (or another store's, for store-scoped staff) service answers exactly like a missing one. */
  async function ownService(merchantId: number, storeId: number | null, serviceId: number): Promise<void> {
    const service = await deps.db.selectFrom('services').select(['merchant_id', 'store_id']).where('id', '=', serviceId).executeTakeFirst();
    if (!service || service.merchant_id !== merchantId || (storeId !== null && service.store_id !== storeId)) {
      throw new AppError('SERVICE_NOT_FOUND', `service ${serviceId} not found`);
    }
  }

  router.get('/v1/merchant/services/:id/booking-form', managers, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const staff = staffOf(res);
    await ownService(staff.merchantId, staff.storeId, id);
    res.json(formBody(id, await currentForm(deps.db, id)));
  });

  router.put('/v1/merchant/services/:id/booking-form', managers, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const staff = staffOf(res);
    await ownService(staff.merchantId, staff.storeId, id);
    const { fields } = parse(BookingFormBody, req.body ?? {}, 'body');
    await inTransaction(deps.db, (trx) => insertFormVersion(trx, { serviceId: id, merchantId: staff.merchantId, fields, createdBy: staff.staffId }, deps.clock.now()));
    forms.invalidate(id);
    res.json(formBody(id, await currentForm(deps.db, id)));
  });

  router.get('/v1/stores/:id/services/:serviceId/booking-form', async (req, res) => {
    const { id, serviceId } = parse(StoreServiceParams, req.params, 'params');
    const catalog = await deps.catalog.get(id);
    if (!catalog.services.has(serviceId)) throw new AppError('SERVICE_NOT_FOUND', `service ${serviceId} not offered by store ${id}`);
    res.json(formBody(serviceId, await forms.get(serviceId)));
  });

  return router;
}
