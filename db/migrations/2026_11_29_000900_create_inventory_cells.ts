import { type Kysely, sql } from 'kysely';

// Bookable inventory: one row per resource per cell (5 or 15 minutes, UTC start). The CHECK makes
// overbooking impossible at the storage level even if application code or Redis is wrong.
// No foreign key to bookings: this row is the hottest in the system and is updated by conditional UPDATE only.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inventory_cells')
    .addColumn('resource_id', 'bigint', (c) => c.unsigned().notNull().references('resources.id'))
    .addColumn('starts_at', 'datetime', (c) => c.notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('local_date', 'date', (c) => c.notNull())
    .addColumn('capacity', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('booked', 'smallint', (c) => c.unsigned().notNull().defaultTo(0))
    .addPrimaryKeyConstraint('inventory_cells_pk', ['resource_id', 'starts_at'])
    .addIndex('inventory_cells_store_date_idx', ['store_id', 'local_date'])
    .addCheckConstraint('inventory_cells_booked_chk', sql`booked <= capacity`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inventory_cells').execute();
}
