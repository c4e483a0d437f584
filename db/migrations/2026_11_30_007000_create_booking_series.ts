import { type Kysely, sql } from 'kysely';

// A customer's recurring series (a course of weekly lessons). One row per (customer, Idempotency-Key), so a retried
// create finds the first series; `request_hash` refuses the same key for another request. `status` is CREATING while
// the occurrences are being booked (a retry resumes it), then ACTIVE, FAILED (all-or-nothing refused) or CANCELLED.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('booking_series')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('service_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('resource_id', 'bigint', (c) => c.unsigned())
    .addColumn('first_start_at', 'datetime', (c) => c.notNull())
    .addColumn('occurrences', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('every_weeks', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('on_conflict', 'varchar(16)', (c) => c.notNull())
    .addColumn('note', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('idempotency_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('request_hash', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addUniqueConstraint('booking_series_idem_uq', ['customer_id', 'idempotency_key'])
    .addIndex('booking_series_store_idx', ['store_id', 'first_start_at'])
    .addCheckConstraint('booking_series_status_chk', sql`status IN ('CREATING', 'ACTIVE', 'FAILED', 'CANCELLED')`)
    .addCheckConstraint('booking_series_conflict_chk', sql`on_conflict IN ('skip', 'all-or-nothing')`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('booking_series').execute();
}
