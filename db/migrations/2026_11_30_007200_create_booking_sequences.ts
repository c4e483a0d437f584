import { type Kysely, sql } from 'kysely';

// The steps of a multi-service booking (one bookings row covering every step): written just before the reserve
// step under the attempt's booking id and deleted again when that attempt is refused or replayed, so a row here
// with a matching booking marks it as a sequence (reschedule refuses those; cancel works as for any booking).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('booking_sequences')
    .addColumn('booking_id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('same_staff', 'boolean', (c) => c.notNull())
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('booking_sequences').execute();
}
