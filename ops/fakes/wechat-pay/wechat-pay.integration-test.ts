import { createPublicKey, verify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../../core/src/clock.ts';
import { createWechatPayClient, type WechatPayClient } from '../../../core/src/wechatpay/client.ts';
import type { WechatPayCredentials } from '../../../core/src/wechatpay/credentials.ts';
import { isOrderPaidError, WechatPayError } from '../../../core/src/wechatpay/errors.ts';
import { memoryNonceStore, type WechatPayNotification } from '../../../core/src/wechatpay/notify.ts';
import { credentialsFromTestKeys, generateTestKeys } from '../../../core/src/wechatpay/testing/keys.ts';
import { chinaDate } from '../../../core/src/wechatpay/time.ts';
import { type FakeWechatPay, startFakeWechatPay } from './fake-wechat-pay.ts';
import { ControlError } from './ledger.ts';

const clock = manualClock(Date.parse('2026-12-01T02:00:00Z'));
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
let fake: FakeWechatPay;
let credentials: WechatPayCredentials;
let wechatpay: WechatPayClient;
let receiver: Receiver;
let sequence = 0;

type Outcome = { ok: true; notification: WechatPayNotification } | { ok: false; code: string };

interface Receiver {
  url: string;
  outcomes: Outcome[];
  /** The next `count` notifies are answered `status` before being looked at. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

/** A merchant notify endpoint: verifies with the real client, 204 when accepted, 400 + FAIL otherwise. */
async function startReceiver(client: WechatPayClient): Promise<Receiver> {
  const outcomes: Outcome[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        if (failures.count > 0) {
          failures.count -= 1;
          res.writeHead(failures.status).end();
          return;
        }
        try {
          const notification = await client.verifyAndDecryptNotification({ headers: req.headers as IncomingHttpHeaders, rawBody: Buffer.concat(chunks) });
          outcomes.push({ ok: true, notification });
          res.writeHead(204).end();
        } catch (error) {
          outcomes.push({ ok: false, code: error instanceof WechatPayError ? error.code : String(error) });
          res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 'FAIL', message: '失败' }));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechatpay/notify`,
    outcomes,
    failNext(count, status) {
      failures = { count, status };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function clientWith(overrides: Partial<WechatPayCredentials> = {}, baseUrl = fake.url): WechatPayClient {
  return createWechatPayClient({ baseUrl, credentials: { ...credentials, ...overrides }, clock, timeoutMs: 5_000, nonceStore: memoryNonceStore(clock) });
}

function nextOutTradeNo(): string {
  sequence += 1;
  return `ZY${Date.now().toString(36)}${String(sequence).padStart(4, '0')}`;
}

function order(overrides: Partial<Parameters<WechatPayClient['createJsapiOrder']>[0]> = {}) {
  return {
    outTradeNo: nextOutTradeNo(),
    description: '智约-剪发 60 分钟',
    amountFen: 8800,
    payerOpenid: OPENID,
    timeExpire: clock.now() + 15 * 60_000,
    notifyUrl: receiver.url,
    attach: 'booking:01JTEST',
    ...overrides,
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<WechatPayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WechatPayError) return error;
    throw error;
  }
  throw new Error('expected a WechatPayError, got a result');
}

async function paidOrder(amountFen = 10_000): Promise<{ outTradeNo: string; transactionId: string }> {
  const input = order({ amountFen });
  await wechatpay.createJsapiOrder(input);
  const transaction = fake.pay(input.outTradeNo, { notify: 'none' });
  return { outTradeNo: input.outTradeNo, transactionId: transaction.transaction_id ?? '' };
}

beforeAll(async () => {
  const keys = generateTestKeys({ appid: 'wxtest1234567890ab' });
  fake = await startFakeWechatPay({ port: 0, clock, keys, notifyRetryScheduleMs: [20, 20, 20], refundSettleDelayMs: null });
  credentials = credentialsFromTestKeys(keys);
  // The receiver's client is built lazily inside it; it needs credentials first.
  receiver = await startReceiver(createWechatPayClient({ baseUrl: fake.url, credentials, clock, nonceStore: memoryNonceStore(clock) }));
  wechatpay = clientWith();
});

afterAll(async () => {
  await fake?.stop();
  await receiver?.close();
});

beforeEach(async () => {
  await fake.notifiesIdle();
  receiver.outcomes.length = 0;
  fake.setFailRate(0);
});

describe('paying an order', () => {
  it('create → requestPaymentParams → pay → notify verified and decrypted by the merchant', async () => {
    const input = order();
    const { prepayId } = await wechatpay.createJsapiOrder(input);
    expect(prepayId).toMatch(/^wx\d{12}[0-9a-f]{22}$/);

    const params = wechatpay.requestPaymentParams(prepayId);
    const message = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    expect(verify('sha256', Buffer.from(message), createPublicKey(credentials.merchantPrivateKey), Buffer.from(params.paySign, 'base64'))).toBe(true);

    await expect(wechatpay.queryOrder(input.outTradeNo)).resolves.toMatchObject({ trade_state: 'NOTPAY', amount: { total: 8800 } });
    const paid = fake.pay(prepayId);
    await fake.notifiesIdle();

    expect(receiver.outcomes).toHaveLength(1);
    const outcome = receiver.outcomes[0];
    if (!outcome?.ok) throw new Error(`notify refused: ${JSON.stringify(outcome)}`);
    expect(outcome.notification).toMatchObject({
      eventType: 'TRANSACTION.SUCCESS',
      originalType: 'transaction',
      resource: {
        out_trade_no: input.outTradeNo,
        transaction_id: paid.transaction_id,
        trade_state: 'SUCCESS',
        attach: 'booking:01JTEST',
        amount: { total: 8800, payer_total: 8800, currency: 'CNY' },
        payer: { openid: OPENID },
        mchid: credentials.mchid,
        appid: credentials.appid,
      },
    });
    expect(outcome.notification.id).toMatch(/^EV-/);
    expect(fake.deliveredNotifies().at(-1)).toMatchObject({ outTradeNo: input.outTradeNo, received: true, attempts: [{ status: 204 }] });

    const queried = await wechatpay.queryOrder(input.outTradeNo);
    expect(queried).toMatchObject({ trade_state: 'SUCCESS', transaction_id: paid.transaction_id, success_time: '2026-12-01T10:00:00+08:00' });
  });

  it('returns the same prepay_id for identical parameters and OUT_TRADE_NO_USED for changed ones', async () => {
    const input = order();
    const first = await wechatpay.createJsapiOrder(input);
    await expect(wechatpay.createJsapiOrder(input)).resolves.toEqual(first);
    const changed = await rejectionOf(wechatpay.createJsapiOrder({ ...input, amountFen: 9900 }));
    expect(changed).toMatchObject({ status: 403, code: 'OUT_TRADE_NO_USED', retryable: false });
    expect(changed.requestId).toMatch(/^[0-9A-F]{32}$/);
    expect(fake.records().orders.filter((o) => o.outTradeNo === input.outTradeNo)).toHaveLength(1);
  });

  it('delivers duplicates as separately signed copies of one event, all accepted', async () => {
    const input = order();
    await wechatpay.createJsapiOrder(input);
    fake.pay(input.outTradeNo, { notify: 'duplicate' });
    await fake.notifiesIdle();
    expect(receiver.outcomes.map((o) => o.ok)).toEqual([true, true]);
    const ids = receiver.outcomes.map((o) => (o.ok ? o.notification.id : ''));
    expect(ids[0]).toBe(ids[1]);
  });

  it('retries a notify the merchant did not take, until it answers 204', async () => {
    const input = order();
    await wechatpay.createJsapiOrder(input);
    receiver.failNext(2, 503);
    fake.pay(input.outTradeNo);
    await fake.notifiesIdle();
    const delivery = fake.notifyLog().find((d) => d.outTradeNo === input.outTradeNo);
    expect(delivery?.attempts.map((a) => a.status)).toEqual([503, 503, 204]);
    expect(delivery?.received).toBe(true);
    expect(receiver.outcomes).toHaveLength(1);
  });

  it('gives up after the retry schedule and does not count a notify as received', async () => {
    const input = order();
    await wechatpay.createJsapiOrder(input);
    receiver.failNext(10, 500);
    fake.pay(input.outTradeNo);
    await fake.notifiesIdle();
    receiver.failNext(0, 500);
    const delivery = fake.notifyLog().find((d) => d.outTradeNo === input.outTradeNo);
    expect(delivery?.attempts).toHaveLength(4);
    expect(delivery?.received).toBe(false);
    expect(fake.deliveredNotifies().some((d) => d.outTradeNo === input.outTradeNo)).toBe(false);
  });

  it('has the merchant refuse forged, probe, stale and replayed notifies', async () => {
    const input = order();
    await wechatpay.createJsapiOrder(input);
    fake.pay(input.outTradeNo);
    await fake.notifiesIdle();
    receiver.outcomes.length = 0;

    for (const variant of [{ forged: true }, { signtest: true }, { staleTimestamp: true }, { replayNonce: true }] as const) {
      fake.sendNotify(input.outTradeNo, variant);
      await fake.notifiesIdle();
    }
    expect(receiver.outcomes).toEqual([
      { ok: false, code: 'NOTIFY_SIGNATURE_INVALID' },
      { ok: false, code: 'NOTIFY_SIGNATURE_INVALID' },
      { ok: false, code: 'NOTIFY_TIMESTAMP_SKEW' },
      { ok: false, code: 'NOTIFY_REPLAYED' },
    ]);
    // Refused adversarial notifies are not retried.
    expect(fake.notifyLog().filter((d) => d.variant !== 'normal' && d.outTradeNo === input.outTradeNo).every((d) => d.attempts.length === 1)).toBe(true);
  });

  it('signs a notify with altered content correctly, leaving the amount check to the merchant', async () => {
    const input = order({ amountFen: 500 });
    await wechatpay.createJsapiOrder(input);
    fake.pay(input.outTradeNo, { notify: 'none' });
    fake.sendNotify(input.outTradeNo, { resourceOverrides: { amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } } });
    await fake.notifiesIdle();
    const outcome = receiver.outcomes[0];
    expect(outcome?.ok && outcome.notification.resource).toMatchObject({ out_trade_no: input.outTradeNo, amount: { total: 1 } });
  });

  it('cannot pay an order after its time_expire', async () => {
    const input = order({ timeExpire: clock.now() + 2 * 60_000 });
    await wechatpay.createJsapiOrder(input);
    clock.advance(3 * 60_000);
    expect(() => fake.pay(input.outTradeNo)).toThrow(ControlError);
    expect(() => fake.pay(input.outTradeNo)).toThrow(/expired/);
    await expect(wechatpay.queryOrder(input.outTradeNo)).resolves.toMatchObject({ trade_state: 'NOTPAY' });
  });
});

describe('query and close', () => {
  it('answers ORDER_NOT_EXIST (404, not retryable) for an unknown order', async () => {
    const error = await rejectionOf(wechatpay.queryOrder('NO_SUCH_ORDER_1'));
    expect(error).toMatchObject({ status: 404, code: 'ORDER_NOT_EXIST', retryable: false });
  });

  it('closes an unpaid order (204), idempotently, after which it cannot be paid or re-created', async () => {
    const input = order();
    await wechatpay.createJsapiOrder(input);
    await wechatpay.closeOrder(input.outTradeNo);
    await wechatpay.closeOrder(input.outTradeNo);
    await expect(wechatpay.queryOrder(input.outTradeNo)).resolves.toMatchObject({ trade_state: 'CLOSED' });
    expect(() => fake.pay(input.outTradeNo)).toThrow(/CLOSED/);
    expect(await rejectionOf(wechatpay.createJsapiOrder(input))).toMatchObject({ status: 400, code: 'ORDER_CLOSED' });
  });

  it('refuses to close a paid order with ORDERPAID', async () => {
    const { outTradeNo } = await paidOrder();
    const error = await rejectionOf(wechatpay.closeOrder(outTradeNo));
    expect(error).toMatchObject({ status: 400, code: 'ORDERPAID' });
    expect(isOrderPaidError(error)).toBe(true);
    await expect(wechatpay.queryOrder(outTradeNo)).resolves.toMatchObject({ trade_state: 'SUCCESS' });
  });
});

describe('refunds', () => {
  it('refunds once per out_refund_no and never beyond the paid amount', async () => {
    const { outTradeNo, transactionId } = await paidOrder(10_000);
    const input = { outRefundNo: `RF${outTradeNo}`, outTradeNo, refundFen: 3_000, totalFen: 10_000, reason: '顾客取消', notifyUrl: receiver.url };
    const first = await wechatpay.createRefund(input);
    expect(first).toMatchObject({ status: 'PROCESSING', out_trade_no: outTradeNo, transaction_id: transactionId, amount: { refund: 3_000, total: 10_000 } });
    const again = await wechatpay.createRefund(input);
    expect(again.refund_id).toBe(first.refund_id);
    expect(fake.records().refunds.filter((r) => r.outTradeNo === outTradeNo)).toHaveLength(1);

    const tooMuch = await rejectionOf(wechatpay.createRefund({ ...input, outRefundNo: `RG${outTradeNo}`, refundFen: 7_001 }));
    expect(tooMuch).toMatchObject({ status: 403, code: 'NOT_ENOUGH', retryable: false });
    await expect(wechatpay.createRefund({ ...input, outRefundNo: `RH${outTradeNo}`, refundFen: 7_000 })).resolves.toMatchObject({ status: 'PROCESSING' });
    await expect(wechatpay.queryOrder(outTradeNo)).resolves.toMatchObject({ trade_state: 'REFUND' });
  });

  it('settles a refund and notifies REFUND.SUCCESS, which the merchant verifies and decrypts', async () => {
    const { outTradeNo } = await paidOrder(2_000);
    const outRefundNo = `RF${outTradeNo}`;
    await wechatpay.createRefund({ outRefundNo, outTradeNo, refundFen: 2_000, totalFen: 2_000, notifyUrl: receiver.url });
    fake.settleRefund(outRefundNo, 'SUCCESS');
    await fake.notifiesIdle();
    expect(receiver.outcomes).toHaveLength(1);
    const outcome = receiver.outcomes[0];
    if (!outcome?.ok) throw new Error(`refund notify refused: ${JSON.stringify(outcome)}`);
    expect(outcome.notification).toMatchObject({
      eventType: 'REFUND.SUCCESS',
      originalType: 'refund',
      resource: { out_refund_no: outRefundNo, out_trade_no: outTradeNo, refund_status: 'SUCCESS', amount: { refund: 2_000, total: 2_000 } },
    });
    await expect(wechatpay.queryRefund(outRefundNo)).resolves.toMatchObject({ status: 'SUCCESS', success_time: expect.stringMatching(/\+08:00$/) });
  });

  it('frees the amount of a CLOSED refund for another one', async () => {
    const { outTradeNo } = await paidOrder(1_000);
    await wechatpay.createRefund({ outRefundNo: `RF${outTradeNo}`, outTradeNo, refundFen: 1_000, totalFen: 1_000 });
    fake.settleRefund(`RF${outTradeNo}`, 'CLOSED');
    await expect(wechatpay.createRefund({ outRefundNo: `RG${outTradeNo}`, outTradeNo, refundFen: 1_000, totalFen: 1_000 })).resolves.toMatchObject({ status: 'PROCESSING' });
  });

  it('refuses refunds of unpaid or unknown orders and unknown refund numbers', async () => {
    const input = order();
    await wechatpay.createJsapiOrder(input);
    const unpaid = await rejectionOf(wechatpay.createRefund({ outRefundNo: `RF${input.outTradeNo}`, outTradeNo: input.outTradeNo, refundFen: 1, totalFen: 8800 }));
    expect(unpaid).toMatchObject({ status: 404, code: 'RESOURCE_NOT_EXISTS' });
    expect(await rejectionOf(wechatpay.queryRefund('RF_NOT_THERE'))).toMatchObject({ status: 404, code: 'RESOURCE_NOT_EXISTS' });
  });

  it('settles refunds on its own after the configured delay', async () => {
    const auto = await startFakeWechatPay({ clock, keys: generateTestKeys(), refundSettleDelayMs: 30 });
    try {
      const client = createWechatPayClient({ baseUrl: auto.url, credentials: credentialsFromTestKeys(auto.keys), clock });
      const input = order();
      await client.createJsapiOrder(input);
      auto.pay(input.outTradeNo, { notify: 'none' });
      await client.createRefund({ outRefundNo: 'RF-auto-1', outTradeNo: input.outTradeNo, refundFen: 100, totalFen: input.amountFen });
      await new Promise((resolve) => setTimeout(resolve, 120));
      await expect(client.queryRefund('RF-auto-1')).resolves.toMatchObject({ status: 'SUCCESS' });
    } finally {
      await auto.stop();
    }
  });
});

describe('errors', () => {
  it('surfaces injected SYSTEM_ERROR and FREQUENCY_LIMITED as retryable, and the retry succeeds', async () => {
    const input = order();
    fake.failNext(1);
    const busy = await rejectionOf(wechatpay.createJsapiOrder(input));
    expect(busy).toMatchObject({ status: 500, code: 'SYSTEM_ERROR', retryable: true });
    expect(busy.requestId).toMatch(/^[0-9A-F]{32}$/);
    fake.failNext(1, 'FREQUENCY_LIMITED');
    expect(await rejectionOf(wechatpay.createJsapiOrder(input))).toMatchObject({ status: 429, code: 'FREQUENCY_LIMITED', retryable: true });
    await expect(wechatpay.createJsapiOrder(input)).resolves.toMatchObject({ prepayId: expect.any(String) });
  });

  it('after an error that hid an applied request, the retry with the same ids finds the same order', async () => {
    const input = order();
    fake.failNext(1, 'SYSTEM_ERROR', { afterApplying: true });
    expect(await rejectionOf(wechatpay.createJsapiOrder(input))).toMatchObject({ code: 'SYSTEM_ERROR', retryable: true });
    const { prepayId } = await wechatpay.createJsapiOrder(input);
    expect(fake.records().orders.find((o) => o.outTradeNo === input.outTradeNo)?.prepayId).toBe(prepayId);
  });

  it('fails a seeded fraction of calls', async () => {
    const { outTradeNo } = await paidOrder();
    fake.setFailRate(0.5, 42);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => wechatpay.queryOrder(outTradeNo)));
    fake.setFailRate(0);
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThan(20);
    for (const failure of failures) expect((failure as PromiseRejectedResult).reason).toMatchObject({ code: 'SYSTEM_ERROR', retryable: true });
  });

  it('answers SIGN_ERROR to a request signed with the wrong key, serial or clock', async () => {
    const stranger = generateTestKeys();
    for (const client of [
      clientWith({ merchantPrivateKey: stranger.merchantPrivateKey }),
      clientWith({ merchantSerialNo: stranger.merchantSerialNo }),
      clientWith({ mchid: '1900000999' }),
      createWechatPayClient({ baseUrl: fake.url, credentials, clock: { now: () => clock.now() - 301_000 } }),
    ]) {
      const error = await rejectionOf(client.queryOrder('ANY_ORDER_1'));
      expect(error).toMatchObject({ status: 401, code: 'SIGN_ERROR', retryable: false });
      expect(error.detail).toMatchObject({ sign_information: { method: 'GET', url: expect.stringContaining('/v3/pay/transactions/out-trade-no/ANY_ORDER_1') } });
    }
  });

  it('answers INVALID_REQUEST without User-Agent or Accept, before looking at the signature', async () => {
    const response = await fetch(`${fake.url}/v3/pay/transactions/out-trade-no/ANY_ORDER_1?mchid=${credentials.mchid}`, { headers: { 'User-Agent': '' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(response.headers.get('wechatpay-signature')).toBeNull();
  });

  it('answers PARAM_ERROR with the field for malformed orders', async () => {
    const cases = [
      [order({ outTradeNo: 'ab12' }), '/out_trade_no'],
      [order({ amountFen: 0 }), '/amount/total'],
      [order({ notifyUrl: `${receiver.url}?order=1` }), '/notify_url'],
      [order({ notifyUrl: 'http://example.com/notify' }), '/notify_url'],
      [order({ description: '剪发 💇' }), '/description'],
      [order({ timeExpire: clock.now() + 30_000 }), '/time_expire'],
    ] as const;
    for (const [input, field] of cases) {
      const error = await rejectionOf(wechatpay.createJsapiOrder(input));
      expect(error, field).toMatchObject({ status: 400, code: 'PARAM_ERROR', retryable: false, detail: { field, location: 'body' } });
    }
  });

  it('rejects answers that do not verify against the WeChat Pay public key', async () => {
    const impostor = generateTestKeys();
    const client = clientWith({ platformKeys: { [credentials.wechatpayPublicKeyId]: impostor.wechatpayPublicKey } });
    const { outTradeNo } = await paidOrder();
    expect(await rejectionOf(client.queryOrder(outTradeNo))).toMatchObject({ code: 'RESPONSE_SIGNATURE_INVALID', status: 200 });
    const unknownSerial = clientWith({ platformKeys: { PUB_KEY_ID_0000000000000000000000000000001: credentials.platformKeys[credentials.wechatpayPublicKeyId]! } });
    expect(await rejectionOf(unknownSerial.queryOrder(outTradeNo))).toMatchObject({ code: 'RESPONSE_UNKNOWN_SERIAL' });
  });
});

describe('control API over HTTP', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${fake.url}/__fake__${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('pays by prepay_id, reports records and notifies, and answers 404/409/400 for impossible calls', async () => {
    const input = order();
    const { prepayId } = await wechatpay.createJsapiOrder(input);
    const paid = await post('/pay', { target: prepayId });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ out_trade_no: input.outTradeNo, trade_state: 'SUCCESS' });
    await fake.notifiesIdle();
    expect(receiver.outcomes).toHaveLength(1);

    expect((await post('/pay', { target: prepayId })).status).toBe(409);
    expect((await post('/pay', { target: 'wx-nothing' })).status).toBe(404);
    expect((await post('/pay', { target: prepayId, notify: 'loud' })).status).toBe(400);

    const records = (await (await fetch(`${fake.url}/__fake__/records`)).json()) as { orders: { outTradeNo: string; state: string }[] };
    expect(records.orders.find((o) => o.outTradeNo === input.outTradeNo)?.state).toBe('SUCCESS');
    const notifies = (await (await fetch(`${fake.url}/__fake__/notifies`)).json()) as { outTradeNo: string; received: boolean }[];
    expect(notifies.filter((n) => n.outTradeNo === input.outTradeNo)).toEqual([expect.objectContaining({ received: true })]);

    expect((await post('/faults', { failNext: { count: 1, code: 'SYSTEM_ERROR' } })).status).toBe(200);
    expect(await rejectionOf(wechatpay.queryOrder(input.outTradeNo))).toMatchObject({ code: 'SYSTEM_ERROR' });
  });
});

describe('trade bill', () => {
  it('lists the day’s payments and refunds, provider-only ones included, and matches the records', async () => {
    // A fresh day, so the bill holds only what this test does.
    clock.set(Date.parse('2026-12-10T01:00:00Z'));
    const billDate = chinaDate(clock.now());
    const a = await paidOrder(1);
    clock.advance(60_000);
    const b = await paidOrder(110);
    await wechatpay.createRefund({ outRefundNo: `RF${b.outTradeNo}`, outTradeNo: b.outTradeNo, refundFen: 10, totalFen: 110 });
    fake.settleRefund(`RF${b.outTradeNo}`, 'SUCCESS');
    const providerOnly = fake.addProviderOnlyPayment({ amountFen: 2_599, paidAt: clock.now() + 1_000 });

    expect(await rejectionOf(wechatpay.tradeBill(billDate))).toMatchObject({ code: 'STATEMENT_CREATING', retryable: true });
    clock.set(Date.parse('2026-12-11T02:00:01Z')); // 10:00:01 China time the next day
    const bill = await wechatpay.tradeBill(billDate);

    const records = fake.records();
    const payments = bill.rows.filter((row) => row.tradeState === 'SUCCESS');
    expect(payments.map((row) => [row.outTradeNo, row.transactionId, row.settlementFen])).toEqual(
      [a.outTradeNo, b.outTradeNo, providerOnly.outTradeNo].map((no) => {
        const record = records.orders.find((o) => o.outTradeNo === no);
        return [no, record?.transactionId, record?.amountFen];
      }),
    );
    const refunds = bill.rows.filter((row) => row.tradeState === 'REFUND');
    expect(refunds).toEqual([expect.objectContaining({ outTradeNo: b.outTradeNo, outRefundNo: `RF${b.outTradeNo}`, refundFen: 10, refundStatus: 'SUCCESS' })]);
    expect(refunds[0]?.refundId).toBe(records.refunds.find((r) => r.outRefundNo === `RF${b.outTradeNo}`)?.refundId);
    expect(bill.rows.every((row) => row.mchid === credentials.mchid && row.tradeTime.startsWith(billDate))).toBe(true);
    expect(bill.summary).toMatchObject({ count: 4, settlementTotalFen: 1 + 110 + 2_599, refundTotalFen: 10 });
  });

  it('rejects a download whose SHA1 does not match, and returns an empty bill for a day without trades', async () => {
    const billDate = chinaDate(Date.parse('2026-12-10T01:00:00Z'));
    fake.tamperNextBillDownload();
    expect(await rejectionOf(wechatpay.tradeBill(billDate))).toMatchObject({ code: 'BILL_HASH_MISMATCH' });
    await expect(wechatpay.tradeBill(billDate)).resolves.toMatchObject({ summary: { count: 4 } });
    await expect(wechatpay.tradeBill('2026-11-01')).resolves.toEqual({ rows: [], summary: expect.objectContaining({ count: 0 }) });
  });
});
