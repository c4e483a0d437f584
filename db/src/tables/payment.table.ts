import type { Generated, Insertable, Selectable } from 'kysely';

export type PaymentMode = 'none' | 'deposit' | 'full';
export type DepositTarget = 'all' | 'new_customers' | 'prior_no_shows' | 'amount_above';

export interface PaymentPolicyTable {
  service_id: number;
  merchant_id: number;
  mode: PaymentMode;
  deposit_fixed_fen: number | null;
  deposit_percent: number | null;
  target: Generated<DepositTarget>;
  target_amount_fen: number | null;
  target_no_shows: Generated<number>;
  payment_window_minutes: Generated<number>;
  free_cancel_hours: Generated<number>;
  late_cancel_fee_percent: Generated<number>;
  no_show_fee_percent: Generated<number>;
  updated_at: Date;
}

export type PaymentOrderStatus = 'CREATED' | 'PAID' | 'CLOSED';

export interface PaymentOrderTable {
  id: Generated<number>;
  out_trade_no: string;
  booking_id: string;
  merchant_id: number;
  store_id: number;
  customer_id: number;
  kind: 'deposit' | 'full';
  amount_fen: number;
  status: PaymentOrderStatus;
  prepay_id: string | null;
  transaction_id: string | null;
  refunded_fen: Generated<number>;
  expires_at: Date;
  paid_at: Date | null;
  last_checked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type RefundStatus = 'PENDING' | 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

export interface RefundTable {
  id: Generated<number>;
  out_refund_no: string;
  payment_order_id: number;
  booking_id: string;
  merchant_id: number;
  amount_fen: number;
  reason: string;
  status: RefundStatus;
  refund_id: string | null;
  failure: string | null;
  attempts: Generated<number>;
  created_at: Date;
  updated_at: Date;
  succeeded_at: Date | null;
}

export interface LedgerEntryTable {
  id: Generated<number>;
  entry_key: string;
  merchant_id: number;
  store_id: number;
  booking_id: string;
  payment_order_id: number;
  refund_id: number | null;
  kind: 'PAYMENT' | 'REFUND';
  amount_fen: number;
  provider_ref: string;
  occurred_at: Date;
}

export interface PaymentNotificationTable {
  notify_id: string;
  event_type: string;
  reference: string;
  deliveries: Generated<number>;
  received_at: Date;
}

export interface PaymentReconciliationTable {
  id: Generated<number>;
  bill_date: string;
  provider_rows: number;
  matched: number;
  mismatch_count: number;
  mismatches: string;
  created_at: Date;
}

export type PaymentPolicyRow = Selectable<PaymentPolicyTable>;
export type PaymentOrderRow = Selectable<PaymentOrderTable>;
export type NewPaymentOrder = Insertable<PaymentOrderTable>;
export type RefundRow = Selectable<RefundTable>;
export type LedgerEntryRow = Selectable<LedgerEntryTable>;
