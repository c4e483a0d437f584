import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';

/** MySQL/mysql2 failures after which the whole transaction may simply run again. */
const RETRYABLE_ERRNOS = new Set([
  1213, // ER_LOCK_DEADLOCK: InnoDB rolled the transaction back
  1205, // ER_LOCK_WAIT_TIMEOUT: only the statement was rolled back, so roll back and rerun everything
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST (possibly during COMMIT: the rerun meets our unique keys)
  1927, // ER_CONNECTION_KILLED (MariaDB)
  1053, // ER_SERVER_SHUTDOWN
]);
const RETRYABLE_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'PROTOCOL_SEQUENCE_TIMEOUT']);

export function isRetryableMysqlError(error: unknown): boolean {
  const e = error as { errno?: number; code?: string; message?: string } | null;
  if (!e) return false;
  if (e.errno !== undefined && RETRYABLE_ERRNOS.has(e.errno)) return true;
  if (e.code !== undefined && RETRYABLE_CODES.has(e.code)) return true;
  // mysql2 reports a statement on a connection that died mid-transaction this way.
  return typeof e.message === 'string' && e.message.includes('connection is in closed state');
}

export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { errno?: number } | null)?.errno === 1062;
}

export interface TransactionOptions {
  attempts?: number;
  /** Called before each rerun, e.g. to count retries in a metric. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `work` in a READ COMMITTED transaction and reruns the whole function
 * (never a single statement: a statement retried on a new connection would
 * silently leave the transaction) after deadlocks and lost connections.
 */
export async function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().setIsolationLevel('read committed').execute(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryableMysqlError(error)) throw error;
      options.onRetry?.(error, attempt);
      // Jittered backoff spreads the reruns of transactions that deadlocked on each other.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
