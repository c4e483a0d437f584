/**
 * The fake's orders and refunds and the rules WeChat Pay applies to them.
 * Pure: no HTTP, no timers; each operation gets the current time and returns
 * an Answer (status + body) or a changed record, so rules are easy to read
 * against the documentation.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { parseWechatTime, toWechatTime } from '../../../core/src/wechatpay/time.ts';
import type { Refund, RefundStatus, Transaction } from '../../../core/src/wechatpay/types.ts';
import type { JsapiOrderBody, ParamErrorDetail, RefundBody } from './validation.ts';

export type OrderState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

export interface FakeOrder {
  outTradeNo: string;
  appid: string;
  mchid: string;
  description: string;
  amountFen: number;
  openid: string;
  attach: string | undefined;
  notifyUrl: string;
  createdAtMs: number;
  timeExpireMs: number;
  prepayId: string;
  state: OrderState;
  transactionId: string | undefined;
  successTimeMs: number | undefined;
  /** Paid at WeChat but never created through the API (reconciliation tests). */
  providerOnly: boolean;
  /** What identical-parameter retries are compared by. */
  fingerprint: string;
}

export interface FakeRefund {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  refundFen: number;
  totalFen: number;
  reason: string | undefined;
  notifyUrl: string | undefined;
  status: RefundStatus;
  createdAtMs: number;
  successTimeMs: number | undefined;
  fingerprint: string;
}

export interface WechatErrorBody {
  code: string;
  message: string;
  detail?: unknown;
}

export type Answer = { status: number; body?: object };

export function error(status: number, code: string, message: string, detail?: ParamErrorDetail | object): Answer {
  return { status, body: detail === undefined ? { code, message } : { code, message, detail } };
}

const DEFAULT_EXPIRY_MS = 7 * 24 * 3_600_000;
const MIN_EXPIRY_MS = 60_000;
const MAX_EXPIRY_MS = 90 * 24 * 3_600_000;

const TRADE_STATE_DESC: Record<OrderState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '转入退款',
};

function digits(count: number): string {
  let out = '';
  for (let i = 0; i < count; i += 1) out += String(randomInt(10));
  return out;
}

export class Ledger {
  readonly orders = new Map<string, FakeOrder>();
  readonly refunds = new Map<string, FakeRefund>();
  private readonly byPrepayId = new Map<string, string>();
  private readonly byTransactionId = new Map<string, string>();
  private readonly mchid: string;
  private readonly appid: string;

  constructor(mchid: string, appid: string) {
    this.mchid = mchid;
    this.appid = appid;
  }

  createOrder(body: JsapiOrderBody, authMchid: string, nowMs: number): Answer {
    if (body.mchid !== authMchid) return error(400, 'INVALID_REQUEST', '请求体中的商户号与签名中的商户号不一致');
    if (body.appid !== this.appid) return error(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
    const timeExpireMs = body.time_expire === undefined ? nowMs + DEFAULT_EXPIRY_MS : parseWechatTime(body.time_expire);
    const fingerprint = JSON.stringify([
      body.appid,
      body.description,
      body.time_expire ?? null,
      body.attach ?? null,
      body.notify_url,
      body.amount.total,
      body.payer.openid,
    ]);

    const existing = this.orders.get(body.out_trade_no);
    if (existing) {
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND') return error(400, 'ORDERPAID', '该订单已支付');
      if (existing.state === 'CLOSED') return error(400, 'ORDER_CLOSED', '订单已关闭');
      if (existing.fingerprint !== fingerprint) return error(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
      if (nowMs >= existing.timeExpireMs) return error(400, 'ORDER_CLOSED', '订单已过期');
      return { status: 200, body: { prepay_id: existing.prepayId } };
    }

    if (body.time_expire !== undefined && (timeExpireMs - nowMs < MIN_EXPIRY_MS || timeExpireMs - nowMs > MAX_EXPIRY_MS)) {
      return error(400, 'PARAM_ERROR', '订单失效时间必须在下单后1分钟至90天之间', {
        field: '/time_expire',
        value: body.time_expire,
        issue: 'time_expire out of range',
        location: 'body',
      });
    }
    const prepayId = `wx${toWechatTime(nowMs).replace(/\D/g, '').slice(2, 14)}${randomBytes(11).toString('hex')}`;
    const order: FakeOrder = {
      outTradeNo: body.out_trade_no,
      appid: body.appid,
      mchid: body.mchid,
      description: body.description,
      amountFen: body.amount.total,
      openid: body.payer.openid,
      attach: body.attach,
      notifyUrl: body.notify_url,
      createdAtMs: nowMs,
      timeExpireMs,
      prepayId,
      state: 'NOTPAY',
      transactionId: undefined,
      successTimeMs: undefined,
      providerOnly: false,
      fingerprint,
    };
    this.orders.set(order.outTradeNo, order);
    this.byPrepayId.set(prepayId, order.outTradeNo);
    return { status: 200, body: { prepay_id: prepayId } };
  }

  findOrder(outTradeNoOrPrepayId: string): FakeOrder | undefined {
    const outTradeNo = this.byPrepayId.get(outTradeNoOrPrepayId) ?? outTradeNoOrPrepayId;
    return this.orders.get(outTradeNo);
  }

  queryOrder(outTradeNo: string): Answer {
    const order = this.orders.get(outTradeNo);
    return order ? { status: 200, body: this.transactionOf(order) } : error(404, 'ORDER_NOT_EXIST', '订单不存在');
  }

  queryByTransactionId(transactionId: string): Answer {
    const outTradeNo = this.byTransactionId.get(transactionId);
    return outTradeNo === undefined ? error(404, 'ORDER_NOT_EXIST', '订单不存在') : this.queryOrder(outTradeNo);
  }

  closeOrder(outTradeNo: string): Answer {
    const order = this.orders.get(outTradeNo);
    if (!order) return error(404, 'ORDER_NOT_EXIST', '订单不存在');
    if (order.state === 'SUCCESS' || order.state === 'REFUND') return error(400, 'ORDERPAID', '该订单已支付');
    order.state = 'CLOSED';
    return { status: 204 };
  }

  /** The user paying in WeChat. Throws (as a control-API error) when that is impossible. */
  pay(target: string, nowMs: number): FakeOrder {
    const order = this.findOrder(target);
    if (!order) throw new ControlError(404, `no order with out_trade_no or prepay_id ${target}`);
    if (order.state !== 'NOTPAY') throw new ControlError(409, `order ${order.outTradeNo} is ${order.state}, not NOTPAY`);
    if (nowMs >= order.timeExpireMs) throw new ControlError(409, `order ${order.outTradeNo} expired at ${toWechatTime(order.timeExpireMs)}`);
    this.markPaid(order, nowMs);
    return order;
  }

  addProviderOnlyPayment(input: { outTradeNo: string; amountFen: number; paidAtMs: number; openid: string; description: string }): FakeOrder {
    if (this.orders.has(input.outTradeNo)) throw new ControlError(409, `order ${input.outTradeNo} already exists`);
    const order: FakeOrder = {
      outTradeNo: input.outTradeNo,
      appid: this.appid,
      mchid: this.mchid,
      description: input.description,
      amountFen: input.amountFen,
      openid: input.openid,
      attach: undefined,
      notifyUrl: '',
      createdAtMs: input.paidAtMs,
      timeExpireMs: input.paidAtMs + DEFAULT_EXPIRY_MS,
      prepayId: '',
      state: 'NOTPAY',
      transactionId: undefined,
      successTimeMs: undefined,
      providerOnly: true,
      fingerprint: '',
    };
    this.orders.set(order.outTradeNo, order);
    this.markPaid(order, input.paidAtMs);
    return order;
  }

  private markPaid(order: FakeOrder, nowMs: number): void {
    order.state = 'SUCCESS';
    order.successTimeMs = nowMs;
    order.transactionId = `4200${digits(24)}`;
    this.byTransactionId.set(order.transactionId, order.outTradeNo);
  }

  /** The Transaction as query answers it, or as the pay notify carries it (`asPaid`). */
  transactionOf(order: FakeOrder, asPaid = false): Transaction {
    const state: OrderState = asPaid ? 'SUCCESS' : order.state;
    const paid = order.transactionId !== undefined;
    return {
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      ...(paid ? { transaction_id: order.transactionId, trade_type: 'JSAPI', bank_type: 'OTHERS' } : {}),
      trade_state: state,
      trade_state_desc: TRADE_STATE_DESC[state],
      ...(order.attach === undefined ? {} : { attach: order.attach }),
      ...(paid && order.successTimeMs !== undefined ? { success_time: toWechatTime(order.successTimeMs) } : {}),
      payer: { openid: order.openid },
      amount: paid
        ? { total: order.amountFen, payer_total: order.amountFen, currency: 'CNY', payer_currency: 'CNY' }
        : { total: order.amountFen, currency: 'CNY', payer_currency: 'CNY' },
      ...(paid ? { promotion_detail: [] } : {}),
    };
  }

  createRefund(body: RefundBody, nowMs: number): { answer: Answer; created?: FakeRefund } {
    const outTradeNo = body.out_trade_no ?? (body.transaction_id === undefined ? undefined : this.byTransactionId.get(body.transaction_id));
    if (body.out_trade_no === undefined && body.transaction_id === undefined) {
      return { answer: error(400, 'PARAM_ERROR', 'transaction_id和out_trade_no必须二选一', { field: '/out_trade_no', value: null, issue: 'missing', location: 'body' }) };
    }
    const fingerprint = JSON.stringify([outTradeNo ?? body.transaction_id, body.amount.refund, body.amount.total]);
    const existing = this.refunds.get(body.out_refund_no);
    if (existing) {
      // Same out_refund_no = the same refund, answered again; never a second refund.
      if (existing.fingerprint !== fingerprint) return { answer: error(400, 'INVALID_REQUEST', '同一退款单号的退款参数与之前不一致') };
      return { answer: { status: 200, body: this.refundOf(existing) } };
    }
    const order = outTradeNo === undefined ? undefined : this.orders.get(outTradeNo);
    if (!order || order.transactionId === undefined) return { answer: error(404, 'RESOURCE_NOT_EXISTS', '订单不存在') };
    if (body.amount.total !== order.amountFen) {
      return {
        answer: error(400, 'PARAM_ERROR', '订单金额与原订单不一致', { field: '/amount/total', value: body.amount.total, issue: 'total does not match the order', location: 'body' }),
      };
    }
    if (body.amount.refund > body.amount.total) {
      return {
        answer: error(400, 'PARAM_ERROR', '退款金额不能大于订单金额', { field: '/amount/refund', value: body.amount.refund, issue: 'refund exceeds total', location: 'body' }),
      };
    }
    const alreadyRefunded = [...this.refunds.values()]
      .filter((refund) => refund.outTradeNo === order.outTradeNo && refund.status !== 'CLOSED')
      .reduce((sum, refund) => sum + refund.refundFen, 0);
    if (alreadyRefunded + body.amount.refund > order.amountFen) return { answer: error(403, 'NOT_ENOUGH', '订单可退金额不足') };

    const refund: FakeRefund = {
      outRefundNo: body.out_refund_no,
      refundId: `50${digits(27)}`,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId,
      refundFen: body.amount.refund,
      totalFen: order.amountFen,
      reason: body.reason,
      notifyUrl: body.notify_url,
      status: 'PROCESSING',
      createdAtMs: nowMs,
      successTimeMs: undefined,
      fingerprint,
    };
    this.refunds.set(refund.outRefundNo, refund);
    order.state = 'REFUND';
    return { answer: { status: 200, body: this.refundOf(refund) }, created: refund };
  }

  queryRefund(outRefundNo: string): Answer {
    const refund = this.refunds.get(outRefundNo);
    return refund ? { status: 200, body: this.refundOf(refund) } : error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
  }

  settleRefund(outRefundNo: string, status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL', nowMs: number): FakeRefund {
    const refund = this.refunds.get(outRefundNo);
    if (!refund) throw new ControlError(404, `no refund ${outRefundNo}`);
    if (refund.status === 'SUCCESS' || refund.status === 'CLOSED') throw new ControlError(409, `refund ${outRefundNo} is already ${refund.status}`);
    refund.status = status;
    if (status === 'SUCCESS') refund.successTimeMs = nowMs;
    return refund;
  }

  refundOf(refund: FakeRefund): Refund {
    return {
      refund_id: refund.refundId,
      out_refund_no: refund.outRefundNo,
      transaction_id: refund.transactionId,
      out_trade_no: refund.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(refund.successTimeMs === undefined ? {} : { success_time: toWechatTime(refund.successTimeMs) }),
      create_time: toWechatTime(refund.createdAtMs),
      status: refund.status,
      funds_account: 'AVAILABLE',
      amount: {
        total: refund.totalFen,
        refund: refund.refundFen,
        from: [],
        payer_total: refund.totalFen,
        payer_refund: refund.refundFen,
        settlement_refund: refund.refundFen,
        settlement_total: refund.totalFen,
        discount_refund: 0,
        currency: 'CNY',
      },
      promotion_detail: [],
    };
  }

  /** The decrypted resource of a REFUND.* notify. */
  refundNoticeOf(refund: FakeRefund): object {
    return {
      mchid: this.mchid,
      out_trade_no: refund.outTradeNo,
      transaction_id: refund.transactionId,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundId,
      refund_status: refund.status,
      ...(refund.successTimeMs === undefined ? {} : { success_time: toWechatTime(refund.successTimeMs) }),
      user_received_account: '支付用户零钱',
      amount: { total: refund.totalFen, refund: refund.refundFen, payer_total: refund.totalFen, payer_refund: refund.refundFen },
    };
  }
}

/** A control call that cannot be done (unknown order, already paid…); HTTP control answers its status. */
export class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ControlError';
    this.status = status;
  }
}
