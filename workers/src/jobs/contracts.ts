/**
 * The job contract between producers (the gateway) and the worker pools: queue
 * names, job names, payloads, ids and options. The gateway imports this file
 * and nothing else from workers/.
 */
import type { BookingIntent } from '../../../core/src/booking/intent.ts';

export const Queues = {
  persist: 'booking-persist',
  maintenance: 'inventory-maintenance',
} as const;

export const JobNames = {
  persistBookings: 'persist:bookings',
  rebuildInventory: 'rebuild:inventory',
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
