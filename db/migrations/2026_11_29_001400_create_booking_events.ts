import { type Kysely, sql } from 'kysely';

// Append-only history of every booking (triggers in the next migrations refuse UPDATE and DELETE).
// payload is JSON text, not a JSON column: MySQL 8 and MariaDB treat JSON columns differently.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('booking_events')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('booking_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('from_status', 'varchar(20)')
    .addColumn('to_status', 'varchar(20)')
    .addColumn('actor', 'varchar(64)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('booking_events_booking_idx', ['booking_id', 'id'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('booking_events').execute();
}
