import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';
import { negotiateLocale } from '../../../core/src/i18n/index.ts';
import { acceptOffer, declineOffer } from '../../../core/src/lifecycle/waitlist-offers.ts';
import { customerWaitlist, joinWaitlist, leaveWaitlist, type WaitlistEntryView } from '../../../core/src/lifecycle/waitlist.ts';
import { findVisibleBooking } from '../../../core/src/lifecycle/find.ts';
import { WaitlistStatuses } from '../../../core/src/waitlist/entry.ts';
import { actorOf, requireCustomer } from '../auth/middleware.ts';
import { viewOf } from '../bookings/booking-view.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { BookingIdParams, BookingViewSchema, IdParams } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';

const bodyId = z.number().int().positive().max(2 ** 53 - 1);

export const JoinWaitlistBody = z
  .object({
    storeId: bodyId,
    serviceId: bodyId,
    startAt: z.iso.datetime({ offset: true, error: 'startAt 须为带时区的 ISO 8601 时间' }).meta({ example: '2026-12-02T10:00:00+08:00' }),
    partySize: z.number().int().min(1).max(100).default(1),
    resourceId: bodyId.optional().meta({ description: 'Wait only for this staff member or room; omit for "any"' }),
  })
  .strict()
  .meta({ id: 'JoinWaitlist' });

export const WaitlistEntrySchema = z
  .object({
    id: z.number(),
    storeId: z.number(),
    serviceId: z.number(),
    resourceId: z.number().nullable(),
    startAt: z.string(),
    partySize: z.number(),
    status: z.enum(WaitlistStatuses).meta({ description: 'WAITING → OFFERED → ACCEPTED | DECLINED | EXPIRED; LEFT when the customer left' }),
    position: z.number().nullable().meta({ description: 'Place in the queue of the slot (1 = next) while WAITING' }),
    bookingId: z.string().nullable().meta({ description: 'The offered booking (status OFFERED until accepted or declined)' }),
    joinedAt: z.string(),
  })
  .meta({ id: 'WaitlistEntry' });

function entryView({ entry, position }: WaitlistEntryView): z.infer<typeof WaitlistEntrySchema> {
  return {
    id: entry.id,
    storeId: entry.store_id,
    serviceId: entry.service_id,
    resourceId: entry.resource_id,
    startAt: entry.starts_at.toISOString(),
    partySize: entry.party_size,
    status: entry.status,
    position,
    bookingId: entry.booking_id,
    joinedAt: entry.joined_at.toISOString(),
  };
}

describeRoute({
  method: 'post',
  path: '/v1/waitlist',
  summary: 'Wait for a sold-out slot',
  description:
    'Joins the waitlist of a slot that is sold out (POST /v1/bookings answered 409 SLOT_SOLD_OUT). When capacity frees, the next waiter (priority, then join order) gets a booking in status OFFERED that holds the unit for them only; accept or decline it before offerExpiresAt (default 15 minutes), else it passes to the next. One active entry per customer and slot (409 WAITLIST_ALREADY_JOINED); a slot with room answers 409 WAITLIST_NOT_NEEDED.',
  auth: true,
  request: { body: { content: { 'application/json': { schema: JoinWaitlistBody } } } },
  ok: { status: 201, schema: WaitlistEntrySchema, description: 'The entry with its position' },
  errors: [400, 401, 404, 409],
});
describeRoute({
  method: 'get',
  path: '/v1/me/waitlist',
  summary: 'The logged-in customer’s waitlist entries, newest first',
  auth: true,
  ok: { status: 200, schema: z.object({ entries: z.array(WaitlistEntrySchema) }), description: 'Entries with positions and offered bookings' },
  errors: [401],
});
describeRoute({
  method: 'delete',
  path: '/v1/waitlist/{id}',
  summary: 'Leave the waitlist',
  description: 'An open offer of this entry is declined with it. Leaving twice answers the same.',
  auth: true,
  request: { params: IdParams },
  ok: { status: 200, schema: WaitlistEntrySchema, description: 'The entry, LEFT (or the state it had already ended in)' },
  errors: [401, 404],
});
describeRoute({
  method: 'post',
  path: '/v1/bookings/{id}/accept-offer',
  summary: 'Accept a waitlist offer',
  description:
    'OFFERED → CONFIRMED, or AWAITING_PAYMENT when the service asks for an online payment (then POST /v1/bookings/{id}/payment). 409 OFFER_EXPIRED after the window; 409 OFFER_NOT_OPEN (with Retry-After while the offer is still being recorded).',
  auth: true,
  request: { params: BookingIdParams },
  ok: { status: 200, schema: BookingViewSchema, description: 'The accepted booking (accepting twice answers the same)' },
  errors: [401, 404, 409],
});
describeRoute({
  method: 'post',
  path: '/v1/bookings/{id}/decline-offer',
  summary: 'Decline a waitlist offer',
  description: 'OFFERED → CANCELLED; the unit is offered to the next waiter.',
  auth: true,
  request: { params: BookingIdParams },
  ok: { status: 200, schema: BookingViewSchema, description: 'The declined booking (declining twice answers the same)' },
  errors: [401, 404, 409],
});

export function waitlistRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const auth = requireCustomer(deps.tokens);
  const customerOf = (res: Parameters<typeof actorOf>[0]) => {
    const actor = actorOf(res);
    if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'customers only');
    return actor;
  };

  router.post('/v1/waitlist', auth, async (req, res) => {
    const actor = customerOf(res);
    const body = parse(JoinWaitlistBody, req.body, 'body');
    const catalog = await deps.catalog.get(body.storeId);
    const joined = await joinWaitlist(deps, catalog, {
      customerId: actor.customerId,
      serviceId: body.serviceId,
      startMs: Date.parse(body.startAt),
      partySize: body.partySize,
      resourceId: body.resourceId,
    });
    res.status(201).json(entryView(joined));
  });

  router.get('/v1/me/waitlist', auth, async (_req, res) => {
    const actor = customerOf(res);
    res.json({ entries: (await customerWaitlist(deps, actor.customerId)).map(entryView) });
  });

  router.delete('/v1/waitlist/:id', auth, async (req, res) => {
    const actor = customerOf(res);
    const { id } = parse(IdParams, req.params, 'params');
    res.json(entryView(await leaveWaitlist(deps, actor.customerId, id)));
  });

  router.post('/v1/bookings/:id/accept-offer', auth, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const actor = customerOf(res);
    await acceptOffer(deps, actor, id);
    res.json(viewOf(await findVisibleBooking(deps, actor, id), negotiateLocale(req.headers['accept-language'])));
  });

  router.post('/v1/bookings/:id/decline-offer', auth, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const actor = customerOf(res);
    await declineOffer(deps, actor, id);
    res.json(viewOf(await findVisibleBooking(deps, actor, id), negotiateLocale(req.headers['accept-language'])));
  });

  return router;
}
