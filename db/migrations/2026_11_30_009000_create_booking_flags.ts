import { type Kysely, sql } from 'kysely';

// Bookings a capacity change left without a resource (sick day, broken machine, closed room) and that
// could not be moved: the merchant sees them with the reason. While a flag is open its cells keep
// capacity = booked (the deficit is recorded here), so CHECK (booked <= capacity) still holds.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('booking_flags')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('booking_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('reason', 'varchar(40)', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('deficit_units', 'integer', (c) => c.unsigned().notNull())
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('resolved_at', 'datetime(3)')
    .addIndex('booking_flags_booking_idx', ['booking_id'])
    .addIndex('booking_flags_store_idx', ['merchant_id', 'store_id', 'resolved_at'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('booking_flags').execute();
}
