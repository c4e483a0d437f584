import { localDayBounds } from '../time/zoned.ts';
import type { BillEntry } from '../payments/provider.ts';
import type { MoneyDeps } from './money-deps.ts';

export type MismatchKind =
  | 'PAYMENT_MISSING_IN_OURS'
  | 'PAYMENT_MISSING_AT_PROVIDER'
  | 'PAYMENT_AMOUNT_DIFFERS'
  | 'REFUND_MISSING_IN_OURS'
  | 'REFUND_MISSING_AT_PROVIDER'
  | 'REFUND_AMOUNT_DIFFERS';

export interface Mismatch {
  kind: MismatchKind;
  outTradeNo: string;
  outRefundNo?: string;
  oursFen: number | null;
  providerFen: number | null;
}

export interface BillReconciliation {
  billDate: string;
  providerRows: number;
  matched: number;
  mismatches: Mismatch[];
  /** Orders WeChat says were paid that we have not settled: handed to the query path to repair. */
  toSettle: string[];
}

/** WeChat files its bills by China calendar day, whatever the merchants' own time zones. */
const BILL_TIME_ZONE = 'Asia/Shanghai';

/**
 * The daily comparison of our money records with WeChat's trade bill for one
 * day: every payment we settled and every refund that succeeded must appear
 * with the same amount, and nothing may appear there that we do not know.
 * The report is stored; payments only WeChat knows are queued for settlement.
 */
export async function reconcileBillDay(deps: MoneyDeps, billDate: string): Promise<BillReconciliation> {
  const entries = await deps.provider.tradeBill(billDate);
  const { start, end } = localDayBounds(billDate, BILL_TIME_ZONE);
  const [orders, refunds] = await Promise.all([
    deps.db
      .selectFrom('payment_orders')
      .select(['out_trade_no', 'amount_fen'])
      .where('paid_at', '>=', new Date(start))
      .where('paid_at', '<', new Date(end))
      .execute(),
    deps.db
      .selectFrom('refunds as r')
      .innerJoin('payment_orders as o', 'o.id', 'r.payment_order_id')
      .select(['r.out_refund_no', 'r.amount_fen', 'o.out_trade_no'])
      .where('r.status', '=', 'SUCCESS')
      .where('r.succeeded_at', '>=', new Date(start))
      .where('r.succeeded_at', '<', new Date(end))
      .execute(),
  ]);
  const ourPayments = new Map(orders.map((o) => [o.out_trade_no, o.amount_fen]));
  const ourRefunds = new Map(refunds.map((r) => [r.out_refund_no, { fen: r.amount_fen, outTradeNo: r.out_trade_no }]));
  const mismatches: Mismatch[] = [];
  const toSettle: string[] = [];
  let matched = 0;

  for (const entry of entries) {
    if (entry.kind === 'payment') matched += comparePayment(entry, ourPayments, mismatches, toSettle);
    else matched += compareRefund(entry, ourRefunds, mismatches);
  }
  for (const [outTradeNo, fen] of ourPayments) mismatches.push({ kind: 'PAYMENT_MISSING_AT_PROVIDER', outTradeNo, oursFen: fen, providerFen: null });
  for (const [outRefundNo, ours] of ourRefunds) {
    mismatches.push({ kind: 'REFUND_MISSING_AT_PROVIDER', outTradeNo: ours.outTradeNo, outRefundNo, oursFen: ours.fen, providerFen: null });
  }

  const report: BillReconciliation = { billDate, providerRows: entries.length, matched, mismatches, toSettle };
  await deps.db
    .insertInto('payment_reconciliations')
    .values({
      bill_date: billDate,
      provider_rows: report.providerRows,
      matched,
      mismatch_count: mismatches.length,
      mismatches: JSON.stringify(mismatches),
      created_at: new Date(deps.clock.now()),
    })
    .execute();
  return report;
}

/** Removes what it matched from `ours`, so whatever is left afterwards is missing at the provider. */
function comparePayment(entry: BillEntry & { kind: 'payment' }, ours: Map<string, number>, mismatches: Mismatch[], toSettle: string[]): number {
  const fen = ours.get(entry.outTradeNo);
  ours.delete(entry.outTradeNo);
  if (fen === undefined) {
    mismatches.push({ kind: 'PAYMENT_MISSING_IN_OURS', outTradeNo: entry.outTradeNo, oursFen: null, providerFen: entry.amountFen });
    toSettle.push(entry.outTradeNo);
    return 0;
  }
  if (fen !== entry.amountFen) {
    mismatches.push({ kind: 'PAYMENT_AMOUNT_DIFFERS', outTradeNo: entry.outTradeNo, oursFen: fen, providerFen: entry.amountFen });
    return 0;
  }
  return 1;
}

function compareRefund(entry: BillEntry & { kind: 'refund' }, ours: Map<string, { fen: number; outTradeNo: string }>, mismatches: Mismatch[]): number {
  const mine = ours.get(entry.outRefundNo);
  ours.delete(entry.outRefundNo);
  if (!mine) {
    mismatches.push({ kind: 'REFUND_MISSING_IN_OURS', outTradeNo: entry.outTradeNo, outRefundNo: entry.outRefundNo, oursFen: null, providerFen: entry.amountFen });
    return 0;
  }
  if (mine.fen !== entry.amountFen) {
    mismatches.push({ kind: 'REFUND_AMOUNT_DIFFERS', outTradeNo: entry.outTradeNo, outRefundNo: entry.outRefundNo, oursFen: mine.fen, providerFen: entry.amountFen });
    return 0;
  }
  return 1;
}
