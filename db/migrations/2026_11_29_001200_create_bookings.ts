import { type Kysely, sql } from 'kysely';

// One row per accepted request, keyed by the id the gateway handed out (ULID-storeId): the primary key is the
// "unique key per reservation" that makes persisting idempotent under replays and concurrent workers.
// No foreign keys: the persist worker inserts here in batches, and tenant scope is checked by the app.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bookings')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('service_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('resource_id', 'bigint', (c) => c.unsigned())
    .addColumn('starts_at', 'datetime', (c) => c.notNull())
    .addColumn('ends_at', 'datetime', (c) => c.notNull())
    .addColumn('local_date', 'date', (c) => c.notNull())
    .addColumn('party_size', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('price_fen', 'integer', (c) => c.unsigned().notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('status_reason', 'varchar(64)')
    .addColumn('idempotency_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('note', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.unsigned().notNull().defaultTo(1))
    .addColumn('accepted_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('bookings_store_start_idx', ['store_id', 'starts_at'])
    .addIndex('bookings_merchant_date_idx', ['merchant_id', 'local_date'])
    .addIndex('bookings_customer_start_idx', ['customer_id', 'starts_at'])
    .addCheckConstraint(
      'bookings_status_chk',
      sql`status IN ('PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'CHECKED_IN', 'COMPLETED', 'NO_SHOW', 'CANCELLED', 'EXPIRED', 'REJECTED')`,
    )
    .addCheckConstraint('bookings_time_chk', sql`ends_at > starts_at`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bookings').execute();
}
