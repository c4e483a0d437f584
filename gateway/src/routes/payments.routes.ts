import express, { Router } from 'express';
import { AppError } from '../../../core/src/errors.ts';
import { quoteCancellation } from '../../../core/src/lifecycle/cancel.ts';
import { startPayment } from '../../../core/src/lifecycle/start-payment.ts';
import { isWechatPayError } from '../../../core/src/wechatpay/errors.ts';
import { refundFromNotice, transactionFromWechat } from '../../../core/src/wechatpay/payment-provider.ts';
import { recordNotification } from '../../../db/src/repositories/payment.repository.ts';
import { JobNames, settlementJobIds, settlementJobOptions, type SettlementPayload } from '../../../workers/src/jobs/contracts.ts';
import { actorOf, requireCustomer } from '../auth/middleware.ts';
import type { GatewayDeps } from '../deps.ts';
import { describeRoute } from '../http/openapi.ts';
import { BookingIdParams, CancellationQuoteSchema, PaymentStartSchema } from '../http/schemas.ts';
import { parse } from '../http/validate.ts';

describeRoute({
  method: 'post',
  path: '/v1/bookings/{id}/payment',
  summary: 'Start (or resume) paying a booking that awaits payment',
  description:
    'Opens the booking’s one WeChat Pay order and returns the wx.requestPayment parameters. Calling again returns the same order. The booking becomes CONFIRMED when WeChat Pay reports the payment (notify or query), never on the client callback.',
  auth: true,
  request: { params: BookingIdParams },
  ok: { status: 200, schema: PaymentStartSchema, description: 'Payment parameters, or PAID when already settled' },
  errors: [401, 404, 409, 503],
});
describeRoute({
  method: 'get',
  path: '/v1/bookings/{id}/cancellation',
  summary: 'What cancelling now would refund, by the service’s cancellation policy',
  auth: true,
  request: { params: BookingIdParams },
  ok: { status: 200, schema: CancellationQuoteSchema, description: 'Quote (the cancellation applies the same rule)' },
  errors: [401, 404],
});
describeRoute({
  method: 'post',
  path: '/v1/payments/wechat/notify',
  summary: 'WeChat Pay payment notifications (TRANSACTION.SUCCESS)',
  description: 'Verified over the raw body with the WeChat Pay public key, decrypted with the APIv3 key, then settled by the settlement workers. 204 = received; 4xx/5xx with {"code":"FAIL"} = WeChat retries.',
  ok: { status: 204, description: 'Received' },
  errors: [401, 503],
});
describeRoute({
  method: 'post',
  path: '/v1/payments/wechat/refund-notify',
  summary: 'WeChat Pay refund notifications (REFUND.SUCCESS / ABNORMAL / CLOSED)',
  ok: { status: 204, description: 'Received' },
  errors: [401, 503],
});

/** WeChat Pay only looks at the status; this body is what its documentation asks for on failure. */
const FAIL = { code: 'FAIL', message: '失败' };

/** Where paymentNotifyRoutes is mounted (its routes are relative to it). */
export const PAYMENT_NOTIFY_PREFIX = '/v1/payments/wechat';

/** The notify routes read the raw body (signatures cover the exact bytes), so they are mounted before express.json. */
export function paymentNotifyRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: '64kb' });

  async function receive(req: express.Request, res: express.Response, expected: 'transaction' | 'refund') {
    if (!deps.payments) return void res.status(503).json(FAIL);
    let notification;
    try {
      notification = await deps.payments.client.verifyAndDecryptNotification({ headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) });
    } catch (error) {
      if (!isWechatPayError(error)) throw error;
      deps.log.warn({ code: error.code, path: req.path }, 'rejected a WeChat Pay notification');
      return void res.status(401).json(FAIL);
    }
    if (notification.originalType !== expected) return void res.status(400).json(FAIL);
    const now = deps.clock.now();
    let data: SettlementPayload;
    let jobId: string;
    let reference: string;
    if (notification.originalType === 'transaction') {
      const transaction = transactionFromWechat(notification.resource);
      if (transaction.state !== 'SUCCESS') return void res.status(204).end();
      data = { kind: 'transaction', transaction, source: 'notify' };
      jobId = settlementJobIds.transaction(transaction);
      reference = transaction.outTradeNo;
    } else {
      const refund = refundFromNotice(notification.resource);
      data = { kind: 'refund-result', refund, source: 'notify' };
      jobId = settlementJobIds.refundResult(refund.outRefundNo, refund.status);
      reference = refund.outRefundNo;
    }
    const first = await recordNotification(deps.db, { id: notification.id, eventType: notification.eventType, reference }, now);
    // Queued on every delivery (the job id collapses duplicates): a first delivery whose enqueue failed must be retried by WeChat.
    await deps.settlementQueue.add(data.kind === 'transaction' ? JobNames.settlePayment : JobNames.settleRefund, data, { ...settlementJobOptions, jobId });
    deps.log.info({ notifyId: notification.id, eventType: notification.eventType, reference, first }, 'WeChat Pay notification accepted');
    res.status(204).end();
  }

  const guarded = (expected: 'transaction' | 'refund') => async (req: express.Request, res: express.Response) => {
    try {
      await receive(req, res, expected);
    } catch (error) {
      deps.log.error({ err: error }, 'WeChat Pay notification failed; WeChat will retry');
      if (!res.headersSent) res.status(500).json(FAIL);
    }
  };
  router.post('/notify', raw, guarded('transaction'));
  router.post('/refund-notify', raw, guarded('refund'));
  return router;
}

export function paymentRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const auth = requireCustomer(deps.tokens);

  router.post('/v1/bookings/:id/payment', auth, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    const actor = actorOf(res);
    if (actor.kind !== 'customer') throw new AppError('FORBIDDEN', 'customers only');
    if (!deps.payments) throw new AppError('PAYMENT_UNAVAILABLE', 'WeChat Pay is not configured', { retryAfterSeconds: 60 });
    const result = await startPayment({ ...deps, provider: deps.payments.provider }, actor, id);
    res.json(
      result.kind === 'paid'
        ? { status: 'PAID', outTradeNo: result.outTradeNo, amountFen: result.amountFen, dueAt: null, requestPayment: null }
        : { status: 'PAY', outTradeNo: result.outTradeNo, amountFen: result.amountFen, dueAt: result.dueAt, requestPayment: result.params },
    );
  });

  router.get('/v1/bookings/:id/cancellation', auth, async (req, res) => {
    const { id } = parse(BookingIdParams, req.params, 'params');
    res.json(await quoteCancellation(deps, actorOf(res), id));
  });

  return router;
}
