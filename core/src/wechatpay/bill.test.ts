import { describe, expect, it } from 'vitest';
import { fenToYuan, parseTradeBill, TRADE_BILL_COLUMNS, TradeBillFormatError, yuanToFen } from './bill.ts';

const HEADER = TRADE_BILL_COLUMNS.join(',');
// Shaped like a real download: BOM, CRLF, backticks, a product name with a comma, a refund row.
const BILL =
  '\uFEFF' +
  [
    HEADER,
    '`2026-05-20 10:57:08,`wxd678efh567hg6787,`1900000109,`0,`,`4200000515202605206512345678,`ZY001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`剪发, 洗吹,`booking:1,`0.00000,`0.60%,`0.01,`0.00,`',
    '`2026-05-20 23:59:59,`wxd678efh567hg6787,`1900000109,`0,`,`4200000515202605206512345679,`ZY002,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300000012026052000000000001,`RF002,`1.10,`0.00,`ORIGINAL,`SUCCESS,`Massage,`,`-0.00660,`0.60%,`0.00,`1.10,`',
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
    '`2,`0.01,`1.10,`0.00,`-0.00660,`0.01,`1.10',
    '',
  ].join('\r\n');

describe('yuanToFen', () => {
  it('converts two-decimal yuan to integer fen without floating-point error', () => {
    expect(yuanToFen('0.01')).toBe(1);
    expect(yuanToFen('¥0.01')).toBe(1);
    expect(yuanToFen('1.10')).toBe(110);
    expect(yuanToFen('1.1')).toBe(110);
    expect(yuanToFen('12')).toBe(1200);
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(yuanToFen('0.29')).toBe(29);
    expect(yuanToFen('1234567.89')).toBe(123456789);
    expect(yuanToFen('-0.50')).toBe(-50);
  });

  it('rejects anything that is not a yuan amount', () => {
    for (const bad of ['', 'abc', '1.234', '1,000.00', '1.', '.5']) expect(() => yuanToFen(bad), bad).toThrow(TradeBillFormatError);
  });

  it('is the inverse of fenToYuan', () => {
    for (const fen of [0, 1, 9, 10, 99, 100, 110, 123456789, -50]) expect(yuanToFen(fenToYuan(fen))).toBe(fen);
    expect(fenToYuan(110)).toBe('1.10');
    expect(fenToYuan(1)).toBe('0.01');
  });
});

describe('parseTradeBill', () => {
  it('reads rows with backticks stripped, amounts in fen and China time', () => {
    const bill = parseTradeBill(Buffer.from(BILL, 'utf8'));
    expect(bill.rows).toHaveLength(2);
    const [payment, refund] = bill.rows;
    expect(payment).toMatchObject({
      tradeTime: '2026-05-20 10:57:08',
      tradeTimeMs: Date.parse('2026-05-20T02:57:08Z'),
      appid: 'wxd678efh567hg6787',
      mchid: '1900000109',
      transactionId: '4200000515202605206512345678',
      outTradeNo: 'ZY001',
      tradeState: 'SUCCESS',
      settlementFen: 1,
      orderFen: 1,
      refundId: '',
      outRefundNo: '',
      refundFen: 0,
      description: '剪发, 洗吹',
      attach: 'booking:1',
      feeRemark: '',
    });
    expect(refund).toMatchObject({
      tradeState: 'REFUND',
      refundId: '50300000012026052000000000001',
      outRefundNo: 'RF002',
      refundFen: 110,
      requestedRefundFen: 110,
      refundStatus: 'SUCCESS',
      feeYuan: '-0.00660',
    });
    expect(bill.summary).toEqual({
      count: 2,
      settlementTotalFen: 1,
      refundTotalFen: 110,
      couponRefundTotalFen: 0,
      feeTotalYuan: '-0.00660',
      orderTotalFen: 1,
      requestedRefundTotalFen: 110,
    });
  });

  it('rejects a bill whose summary count disagrees, a wrong header, or a row without backticks', () => {
    expect(() => parseTradeBill(BILL.replace('`2,`0.01', '`3,`0.01'))).toThrow(/summary counts 3/);
    expect(() => parseTradeBill(BILL.replace('交易时间', '时间'))).toThrow(/unexpected header/);
    expect(() => parseTradeBill(BILL.replace('`2026-05-20 10:57:08', '2026-05-20 10:57:08'))).toThrow(/backtick/);
    expect(() => parseTradeBill(BILL.replace('`0.01,`0.00,`0,`0', '`0.0x,`0.00,`0,`0'))).toThrow(/yuan/);
    expect(() => parseTradeBill(HEADER)).toThrow(/summary/);
  });
});
