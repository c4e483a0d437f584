/**
 * The job contract between producers (the gateway) and the worker pools: queue
 * names, job names, payloads, ids and options. The gateway imports this file
 * and nothing else from workers/.
 */
import { createHash } from 'node:crypto';
import type { BookingIntent } from '../../../core/src/booking/intent.ts';
import type { ProviderRefund, ProviderTransaction } from '../../../core/src/payments/provider.ts';

export const Queues = {
  persist: 'booking-persist',
  maintenance: 'inventory-maintenance',
  settlement: 'payment-settlement',
  notify: 'notifications',
} as const;

export const JobNames = {
  persistBookings: 'persist:bookings',
  rebuildInventory: 'rebuild:inventory',
  /** A verified paid transaction (notify) or an order to ask WeChat about (query path). */
  settlePayment: 'settle:payment',
  expireUnpaid: 'expire:unpaid',
  issueRefund: 'refund:issue',
  /** A verified refund notify, or a refund to ask WeChat about. */
  settleRefund: 'refund:settle',
  reconcileBill: 'reconcile:bill',
  sendNotification: 'notify:send',
} as const;

/** Job data of `notify:send`: the row id only; the row holds everything else (never a phone number). */
export interface SendNotificationPayload {
  notificationId: number;
}

/**
 * A notification's job is named by the row and its due time: claiming it twice queues it once, while a
 * message deferred to the morning (a new due time) gets a new job. A re-drive of a stuck row is named by
 * its attempt count.
 */
export const notifyJobId = (notificationId: number, dueMs: number) => `notify-${notificationId}-${dueMs}`;
export const notifyRedriveJobId = (notificationId: number, attempts: number) => `notify-${notificationId}-r${attempts}`;

export const notifyJobOptions = {
  attempts: 8,
  // 2 s, 4 s, 8 s … about 4 minutes in all, then the stuck-row sweep takes over with a fresh job.
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 3600, count: 20000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** Job data of the settlement queue. Ids and amounts only: no openid, no phone. */
export type SettlementPayload =
  | { kind: 'transaction'; transaction: ProviderTransaction; source: 'notify' }
  | { kind: 'order'; outTradeNo: string }
  | { kind: 'unpaid'; bookingId: string }
  | { kind: 'refund'; refundId: number }
  | { kind: 'refund-result'; refund: ProviderRefund; source: 'notify' }
  | { kind: 'refund-check'; outRefundNo: string }
  | { kind: 'bill'; billDate: string };

export const settlementJobIds = {
  /**
   * One settle job per distinct WeChat transaction report: duplicate notifies collapse while the job exists,
   * while a report with different content (a forged amount settled as a mismatch) never hides the genuine one.
   */
  transaction: (transaction: ProviderTransaction) =>
    `pay-${transaction.outTradeNo}-${createHash('sha1').update(JSON.stringify(transaction)).digest('hex').slice(0, 16)}`,
  order: (outTradeNo: string, bucket: number) => `query-${outTradeNo}-${bucket}`,
  unpaid: (bookingId: string, bucket: number) => `unpaid-${bookingId}-${bucket}`,
  refund: (refundId: number, bucket: number) => `refund-${refundId}-${bucket}`,
  refundResult: (outRefundNo: string, status: string) => `refunded-${outRefundNo}-${status}`,
  refundCheck: (outRefundNo: string, bucket: number) => `refundq-${outRefundNo}-${bucket}`,
  bill: (billDate: string) => `bill-${billDate}`,
};

export const settlementJobOptions = {
  attempts: 10,
  // 1 s, 2 s, 4 s … ≈ 17 min in all: rides out a WeChat Pay hiccup; the sweeps re-drive anything older.
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/**
 * Job data of `persist:bookings`: the bookings one relay read took from one
 * store's intent stream, oldest first. Ids and numbers only (BullMQ stores job
 * data as clear text). A job carries a batch because per-booking jobs cost
 * three BullMQ scripts each in Redis, which on this machine capped the whole
 * pipeline below its target; each booking is still persisted idempotently by
 * its own id (the MySQL primary key).
 */
export interface PersistBookingsPayload {
  storeId: number;
  intents: BookingIntent[];
}

export interface RebuildInventoryPayload {
  storeId: number;
  reason: string;
}

/**
 * Business ids as job ids: a batch is named by its store and the stream id of
 * its first booking, so re-relaying the same entries after a relay crash is a
 * no-op while the job exists. No ':' allowed (stream ids use '-').
 */
export const persistJobId = (storeId: number, firstEntryId: string) => `persist-${storeId}-${firstEntryId}`;
export const rebuildJobId = (storeId: number) => `rebuild-${storeId}`;

export const persistJobOptions = {
  attempts: 12,
  // 0.2 s, 0.4 s, … capped by attempts: rides out a MySQL restart of a minute or so before giving up.
  backoff: { type: 'exponential', delay: 200 },
  // Completed jobs are evidence only briefly (MySQL is the record); failed ones are kept for the reconciler and humans.
  removeOnComplete: { age: 600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export const rebuildJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600 },
} as const;
