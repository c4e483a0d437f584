/**
 * Writes trade bills in WeChat Pay's format (see core/src/wechatpay/bill.ts
 * for the reader): payments on the day they succeeded, refunds on the day
 * they succeeded, China time, yuan with two decimals, fees with five.
 */
import { fenToYuan, TRADE_BILL_COLUMNS, TRADE_BILL_SUMMARY_COLUMNS } from '../../../core/src/wechatpay/bill.ts';
import { chinaDate, chinaDateTime } from '../../../core/src/wechatpay/time.ts';
import type { FakeOrder, FakeRefund } from './ledger.ts';

/** 0.6 % in hundred-thousandths of a yuan per fen: 1 fen × 0.006 = 0.00006 yuan. */
const FEE_UNITS_PER_FEN = 6;
const FEE_RATE = '0.60%';

function feeYuan(units: number): string {
  const abs = Math.abs(units);
  return `${units < 0 ? '-' : ''}${Math.trunc(abs / 100_000)}.${String(abs % 100_000).padStart(5, '0')}`;
}

function row(values: readonly string[]): string {
  return values.map((value) => `\`${value}`).join(',');
}

export type BillType = 'ALL' | 'SUCCESS' | 'REFUND';

export function renderTradeBill(input: {
  date: string;
  billType: BillType;
  mchid: string;
  orders: Iterable<FakeOrder>;
  refunds: Iterable<FakeRefund>;
  ordersByOutTradeNo: ReadonlyMap<string, FakeOrder>;
}): { csv: string; count: number } {
  const lines: { atMs: number; text: string }[] = [];
  let settlement = 0;
  let refunded = 0;
  let fees = 0;
  let orderTotal = 0;

  if (input.billType !== 'REFUND') {
    for (const order of input.orders) {
      if (order.successTimeMs === undefined || order.transactionId === undefined || chinaDate(order.successTimeMs) !== input.date) continue;
      const fee = order.amountFen * FEE_UNITS_PER_FEN;
      settlement += order.amountFen;
      orderTotal += order.amountFen;
      fees += fee;
      lines.push({
        atMs: order.successTimeMs,
        text: row([
          chinaDateTime(order.successTimeMs), order.appid, input.mchid, '0', '', order.transactionId, order.outTradeNo, order.openid, 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY',
          fenToYuan(order.amountFen), '0.00', '0', '0', '0.00', '0.00', '', '', order.description, order.attach ?? '', feeYuan(fee), FEE_RATE,
          fenToYuan(order.amountFen), '0.00', '',
        ]),
      });
    }
  }
  if (input.billType !== 'SUCCESS') {
    for (const refund of input.refunds) {
      if (refund.status !== 'SUCCESS' || refund.successTimeMs === undefined || chinaDate(refund.successTimeMs) !== input.date) continue;
      const order = input.ordersByOutTradeNo.get(refund.outTradeNo);
      const fee = -refund.refundFen * FEE_UNITS_PER_FEN;
      refunded += refund.refundFen;
      fees += fee;
      lines.push({
        atMs: refund.successTimeMs,
        text: row([
          chinaDateTime(refund.successTimeMs), order?.appid ?? '', input.mchid, '0', '', refund.transactionId, refund.outTradeNo, order?.openid ?? '', 'JSAPI', 'REFUND', 'OTHERS', 'CNY',
          '0.00', '0.00', refund.refundId, refund.outRefundNo, fenToYuan(refund.refundFen), '0.00', 'ORIGINAL', 'SUCCESS', order?.description ?? '', order?.attach ?? '',
          feeYuan(fee), FEE_RATE, '0.00', fenToYuan(refund.refundFen), '',
        ]),
      });
    }
  }
  lines.sort((a, b) => a.atMs - b.atMs);
  const csv = [
    TRADE_BILL_COLUMNS.join(','),
    ...lines.map((line) => line.text),
    TRADE_BILL_SUMMARY_COLUMNS.join(','),
    row([String(lines.length), fenToYuan(settlement), fenToYuan(refunded), '0.00', feeYuan(fees), fenToYuan(orderTotal), fenToYuan(refunded)]),
    '',
  ].join('\r\n');
  return { csv, count: lines.length };
}
