import { type Kysely, sql } from 'kysely';

// Per store: most bookings one customer may hold per ISO week (0 = none), checked and counted by reserve.lua.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('store_booking_limits')
    .addColumn('store_id', 'bigint', (c) => c.unsigned().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('customer_weekly_limit', 'smallint', (c) => c.unsigned().notNull().defaultTo(0))
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('store_booking_limits').execute();
}
