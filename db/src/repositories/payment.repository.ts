import { type Kysely, type Transaction, sql } from 'kysely';
import type { CustomerHistory, PaymentPolicy } from '../../../core/src/payments/policy.ts';
import type { Database } from '../database.ts';
import type { NewPaymentOrder, PaymentOrderRow, PaymentPolicyRow, RefundRow, RefundStatus } from '../tables/payment.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function policyFromRow(row: PaymentPolicyRow): PaymentPolicy {
  return {
    mode: row.mode,
    depositFixedFen: row.deposit_fixed_fen,
    depositPercent: row.deposit_percent,
    target: row.target,
    targetAmountFen: row.target_amount_fen,
    targetNoShows: row.target_no_shows,
    paymentWindowMinutes: row.payment_window_minutes,
    freeCancelHours: row.free_cancel_hours,
    lateCancelFeePercent: row.late_cancel_fee_percent,
    noShowFeePercent: row.no_show_fee_percent,
  };
}

export async function policiesOf(db: Db, serviceIds: readonly number[]): Promise<Map<number, PaymentPolicy>> {
  if (serviceIds.length === 0) return new Map();
  const rows = await db.selectFrom('payment_policies').selectAll().where('service_id', 'in', [...new Set(serviceIds)]).execute();
  return new Map(rows.map((r) => [r.service_id, policyFromRow(r)]));
}

export async function upsertPolicy(db: Db, merchantId: number, serviceId: number, policy: PaymentPolicy, nowMs: number): Promise<void> {
  const values = {
    mode: policy.mode,
    deposit_fixed_fen: policy.depositFixedFen,
    deposit_percent: policy.depositPercent,
    target: policy.target,
    target_amount_fen: policy.targetAmountFen,
    target_no_shows: policy.targetNoShows,
    payment_window_minutes: policy.paymentWindowMinutes,
    free_cancel_hours: policy.freeCancelHours,
    late_cancel_fee_percent: policy.lateCancelFeePercent,
    no_show_fee_percent: policy.noShowFeePercent,
    updated_at: new Date(nowMs),
  };
  await db
    .insertInto('payment_policies')
    .values({ service_id: serviceId, merchant_id: merchantId, ...values })
    .onDuplicateKeyUpdate(values)
    .execute();
}

/** Visits and no-shows of each customer at one merchant; customers without bookings are absent (= newcomers). */
export async function customerHistories(db: Db, merchantId: number, customerIds: readonly number[]): Promise<Map<number, CustomerHistory>> {
  if (customerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('bookings')
    .select((eb) => [
      'customer_id',
      eb.fn.sum<string>(sql`CASE WHEN status IN ('CHECKED_IN', 'COMPLETED') THEN 1 ELSE 0 END`).as('visits'),
      eb.fn.sum<string>(sql`CASE WHEN status = 'NO_SHOW' THEN 1 ELSE 0 END`).as('no_shows'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('customer_id', 'in', [...new Set(customerIds)])
    .groupBy('customer_id')
    .execute();
  return new Map(rows.map((r) => [r.customer_id, { visits: Number(r.visits), noShows: Number(r.no_shows) }]));
}

// ── payment orders ────────────────────────────────────────────────────────────

/** Inserts unless the booking already has an order; returns the booking's order either way. */
export async function insertOrderOnce(db: Db, order: NewPaymentOrder): Promise<PaymentOrderRow> {
  await db.insertInto('payment_orders').ignore().values(order).execute();
  const row = await orderOfBooking(db, order.booking_id);
  if (!row) throw new Error(`payment order of ${order.booking_id} neither inserted nor found`);
  return row;
}

export async function orderOfBooking(db: Db, bookingId: string): Promise<PaymentOrderRow | undefined> {
  return db.selectFrom('payment_orders').selectAll().where('booking_id', '=', bookingId).executeTakeFirst();
}

export async function orderByOutTradeNo(db: Db, outTradeNo: string): Promise<PaymentOrderRow | undefined> {
  return db.selectFrom('payment_orders').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst();
}

export async function orderById(db: Db, id: number): Promise<PaymentOrderRow | undefined> {
  return db.selectFrom('payment_orders').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockOrder(trx: Transaction<Database>, outTradeNo: string): Promise<PaymentOrderRow | undefined> {
  return trx.selectFrom('payment_orders').selectAll().where('out_trade_no', '=', outTradeNo).forUpdate().executeTakeFirst();
}

export async function updateOrder(
  db: Db,
  id: number,
  changes: Partial<Pick<PaymentOrderRow, 'status' | 'prepay_id' | 'transaction_id' | 'paid_at' | 'last_checked_at' | 'refunded_fen'>>,
  nowMs: number,
): Promise<void> {
  await db.updateTable('payment_orders').set({ ...changes, updated_at: new Date(nowMs) }).where('id', '=', id).execute();
}

/** Orders still unpaid that nobody has asked WeChat about recently: the query path for lost notifies. */
export async function staleUnpaidOrders(db: Db, createdBeforeMs: number, checkedBeforeMs: number, limit: number): Promise<PaymentOrderRow[]> {
  return db
    .selectFrom('payment_orders')
    .selectAll()
    .where('status', '=', 'CREATED')
    .where('created_at', '<=', new Date(createdBeforeMs))
    .where((eb) => eb.or([eb('last_checked_at', 'is', null), eb('last_checked_at', '<=', new Date(checkedBeforeMs))]))
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

// ── refunds ───────────────────────────────────────────────────────────────────

export async function insertRefund(
  trx: Transaction<Database>,
  refund: { outRefundNo: string; order: PaymentOrderRow; amountFen: number; reason: string },
  nowMs: number,
): Promise<number> {
  const result = await trx
    .insertInto('refunds')
    .values({
      out_refund_no: refund.outRefundNo,
      payment_order_id: refund.order.id,
      booking_id: refund.order.booking_id,
      merchant_id: refund.order.merchant_id,
      amount_fen: refund.amountFen,
      reason: refund.reason,
      status: 'PENDING',
      created_at: new Date(nowMs),
      updated_at: new Date(nowMs),
    })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function refundById(db: Db, id: number): Promise<RefundRow | undefined> {
  return db.selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockRefund(trx: Transaction<Database>, outRefundNo: string): Promise<RefundRow | undefined> {
  return trx.selectFrom('refunds').selectAll().where('out_refund_no', '=', outRefundNo).forUpdate().executeTakeFirst();
}

export async function refundsOfBooking(db: Db, bookingId: string): Promise<RefundRow[]> {
  return db.selectFrom('refunds').selectAll().where('booking_id', '=', bookingId).orderBy('id').execute();
}

export async function updateRefund(
  db: Db,
  id: number,
  changes: { status: RefundStatus; refund_id?: string | null; failure?: string | null; succeeded_at?: Date | null; attempts?: number },
  nowMs: number,
): Promise<void> {
  await db.updateTable('refunds').set({ ...changes, updated_at: new Date(nowMs) }).where('id', '=', id).execute();
}

/** Refunds not final and not touched for a while: re-driven by the settlement sweep. */
export async function unsettledRefunds(db: Db, updatedBeforeMs: number, limit: number): Promise<RefundRow[]> {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('status', 'in', ['PENDING', 'PROCESSING'])
    .where('updated_at', '<=', new Date(updatedBeforeMs))
    .orderBy('id')
    .limit(limit)
    .execute();
}

// ── ledger ────────────────────────────────────────────────────────────────────

export interface LedgerMovement {
  entryKey: string;
  kind: 'PAYMENT' | 'REFUND';
  amountFen: number;
  order: PaymentOrderRow;
  refundId: number | null;
  providerRef: string;
}

/** Records a money movement once; a replay with the same key is ignored. */
export async function recordMovement(trx: Transaction<Database>, movement: LedgerMovement, atMs: number): Promise<boolean> {
  const result = await trx
    .insertInto('ledger_entries')
    .ignore()
    .values({
      entry_key: movement.entryKey,
      merchant_id: movement.order.merchant_id,
      store_id: movement.order.store_id,
      booking_id: movement.order.booking_id,
      payment_order_id: movement.order.id,
      refund_id: movement.refundId,
      kind: movement.kind,
      amount_fen: movement.amountFen,
      provider_ref: movement.providerRef,
      occurred_at: new Date(atMs),
    })
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function ledgerOf(db: Db, merchantId: number, range: { fromMs: number; toMs: number; storeId?: number | undefined; limit: number }) {
  let query = db
    .selectFrom('ledger_entries')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('occurred_at', '>=', new Date(range.fromMs))
    .where('occurred_at', '<', new Date(range.toMs));
  if (range.storeId !== undefined) query = query.where('store_id', '=', range.storeId);
  return query.orderBy('occurred_at').orderBy('id').limit(range.limit).execute();
}

export async function ledgerTotals(db: Db, merchantId: number, range: { fromMs: number; toMs: number; storeId?: number | undefined }) {
  let query = db
    .selectFrom('ledger_entries')
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<string>(sql`CASE WHEN kind = 'PAYMENT' THEN amount_fen ELSE 0 END`), sql<string>`0`).as('received'),
      eb.fn.coalesce(eb.fn.sum<string>(sql`CASE WHEN kind = 'REFUND' THEN -amount_fen ELSE 0 END`), sql<string>`0`).as('refunded'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('occurred_at', '>=', new Date(range.fromMs))
    .where('occurred_at', '<', new Date(range.toMs));
  if (range.storeId !== undefined) query = query.where('store_id', '=', range.storeId);
  const row = await query.executeTakeFirstOrThrow();
  const received = Number(row.received);
  const refunded = Number(row.refunded);
  return { receivedFen: received, refundedFen: refunded, netFen: received - refunded };
}

// ── notifications ─────────────────────────────────────────────────────────────

/** Records a verified notification; true on its first delivery. */
export async function recordNotification(db: Db, notify: { id: string; eventType: string; reference: string }, nowMs: number): Promise<boolean> {
  const result = await db
    .insertInto('payment_notifications')
    .values({ notify_id: notify.id, event_type: notify.eventType, reference: notify.reference, received_at: new Date(nowMs) })
    .onDuplicateKeyUpdate((eb) => ({ deliveries: eb('deliveries', '+', 1) }))
    .executeTakeFirst();
  // MySQL reports 1 affected row for an insert, 2 for an update of an existing row.
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}
