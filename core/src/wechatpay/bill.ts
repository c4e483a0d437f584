/**
 * Trade bills (`bill_type=ALL`) as WeChat Pay serves them: a CSV whose header
 * line names 27 columns in Chinese, data rows where every value starts with a
 * backtick (so spreadsheets keep long ids as text), then a summary header and
 * one summary row. Amounts are yuan with two decimals; they become integer fen
 * by string arithmetic, never through floats.
 */
import { parseChinaDateTime } from './time.ts';

export const TRADE_BILL_COLUMNS = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
] as const;

export const TRADE_BILL_SUMMARY_COLUMNS = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'] as const;

export interface TradeBillRow {
  /** As printed, China time: `2026-05-20 13:29:35`. */
  tradeTime: string;
  tradeTimeMs: number;
  appid: string;
  mchid: string;
  subMchid: string;
  deviceInfo: string;
  transactionId: string;
  outTradeNo: string;
  openid: string;
  tradeType: string;
  /** SUCCESS for payments, REFUND for refund rows, REVOKED… */
  tradeState: string;
  bankType: string;
  currency: string;
  /** 应结订单金额. */
  settlementFen: number;
  couponFen: number;
  /** Empty strings on payment rows. */
  refundId: string;
  outRefundNo: string;
  refundFen: number;
  couponRefundFen: number;
  refundType: string;
  refundStatus: string;
  description: string;
  attach: string;
  /** Five decimals of yuan, kept as printed (e.g. `0.00006`, `-0.00006`): fractions of a fen. */
  feeYuan: string;
  feeRate: string;
  /** 订单金额. */
  orderFen: number;
  /** 申请退款金额. */
  requestedRefundFen: number;
  feeRemark: string;
}

export interface TradeBillSummary {
  count: number;
  settlementTotalFen: number;
  refundTotalFen: number;
  couponRefundTotalFen: number;
  feeTotalYuan: string;
  orderTotalFen: number;
  requestedRefundTotalFen: number;
}

export interface TradeBill {
  rows: TradeBillRow[];
  summary: TradeBillSummary;
}

export class TradeBillFormatError extends Error {
  override name = 'TradeBillFormatError';
}

/** `0.01` → 1, `¥1.10` → 110, `12` → 1200, `-0.50` → -50. Rejects more than two decimals. */
export function yuanToFen(value: string): number {
  const match = /^(-?)[¥￥]?(\d+)(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) throw new TradeBillFormatError(`not a yuan amount: ${JSON.stringify(value)}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new TradeBillFormatError(`yuan amount out of range: ${JSON.stringify(value)}`);
  return sign === '-' ? -fen : fen;
}

/** 110 → `1.10`; the inverse of yuanToFen for bills the fake writes. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`fen must be an integer, got ${fen}`);
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Splits on `,\`` rather than on commas: every field starts with a backtick,
 * so a comma inside a product name cannot break the row.
 */
function splitBacktickRow(line: string, expected: number, lineNo: number): string[] {
  if (!line.startsWith('`')) throw new TradeBillFormatError(`line ${lineNo}: fields must start with a backtick`);
  const fields = line.slice(1).split(',`');
  if (fields.length !== expected) throw new TradeBillFormatError(`line ${lineNo}: ${fields.length} fields, expected ${expected}`);
  return fields;
}

function splitHeader(line: string): string[] {
  return line.split(',').map((name) => name.trim());
}

function money(value: string | undefined, lineNo: number): number {
  try {
    return yuanToFen(value ?? '');
  } catch (error) {
    throw new TradeBillFormatError(`line ${lineNo}: ${(error as Error).message}`);
  }
}

export function parseTradeBill(text: string | Buffer): TradeBill {
  const content = (typeof text === 'string' ? text : text.toString('utf8')).replace(/^\uFEFF/, '');
  const lines = content.split(/\r?\n/).filter((line) => line.trim() !== '');
  const [header, ...rest] = lines;
  if (header === undefined) throw new TradeBillFormatError('empty bill');
  const columns = splitHeader(header);
  if (columns.join(',') !== TRADE_BILL_COLUMNS.join(',')) throw new TradeBillFormatError(`unexpected header: ${header.slice(0, 80)}`);

  const summaryAt = rest.findIndex((line) => line.startsWith(TRADE_BILL_SUMMARY_COLUMNS[0]));
  if (summaryAt < 0 || summaryAt !== rest.length - 2) throw new TradeBillFormatError('summary lines missing');
  const summaryHeader = splitHeader(rest[summaryAt] ?? '');
  if (summaryHeader.join(',') !== TRADE_BILL_SUMMARY_COLUMNS.join(',')) throw new TradeBillFormatError('unexpected summary header');

  const rows = rest.slice(0, summaryAt).map((line, index) => toRow(splitBacktickRow(line, TRADE_BILL_COLUMNS.length, index + 2), index + 2));
  const s = splitBacktickRow(rest[summaryAt + 1] ?? '', TRADE_BILL_SUMMARY_COLUMNS.length, lines.length);
  const summary: TradeBillSummary = {
    count: Number(s[0]),
    settlementTotalFen: money(s[1], lines.length),
    refundTotalFen: money(s[2], lines.length),
    couponRefundTotalFen: money(s[3], lines.length),
    feeTotalYuan: s[4] ?? '',
    orderTotalFen: money(s[5], lines.length),
    requestedRefundTotalFen: money(s[6], lines.length),
  };
  if (!Number.isInteger(summary.count) || summary.count !== rows.length) {
    throw new TradeBillFormatError(`summary counts ${s[0]} trades, the bill lists ${rows.length}`);
  }
  return { rows, summary };

  function toRow(f: string[], lineNo: number): TradeBillRow {
    const at = (i: number) => f[i] ?? '';
    const amount = (i: number) => (at(i) === '' ? 0 : money(at(i), lineNo));
    let tradeTimeMs: number;
    try {
      tradeTimeMs = parseChinaDateTime(at(0));
    } catch (error) {
      throw new TradeBillFormatError(`line ${lineNo}: ${(error as Error).message}`);
    }
    return {
      tradeTime: at(0),
      tradeTimeMs,
      appid: at(1),
      mchid: at(2),
      subMchid: at(3),
      deviceInfo: at(4),
      transactionId: at(5),
      outTradeNo: at(6),
      openid: at(7),
      tradeType: at(8),
      tradeState: at(9),
      bankType: at(10),
      currency: at(11),
      settlementFen: amount(12),
      couponFen: amount(13),
      // Payment rows print 0 where a refund id would be.
      refundId: at(14) === '0' ? '' : at(14),
      outRefundNo: at(15) === '0' ? '' : at(15),
      refundFen: amount(16),
      couponRefundFen: amount(17),
      refundType: at(18),
      refundStatus: at(19),
      description: at(20),
      attach: at(21),
      feeYuan: at(22),
      feeRate: at(23),
      orderFen: amount(24),
      requestedRefundFen: amount(25),
      feeRemark: at(26),
    };
  }
}
