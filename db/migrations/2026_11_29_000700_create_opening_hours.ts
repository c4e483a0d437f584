import { type Kysely, sql } from 'kysely';

// Weekly hours in the store's local time; resource_id NULL = the store itself. weekday: 1 = Monday … 7 = Sunday.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('opening_hours')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull().references('stores.id').onDelete('cascade'))
    .addColumn('resource_id', 'bigint', (c) => c.unsigned().references('resources.id').onDelete('cascade'))
    .addColumn('weekday', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('open_minute', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('close_minute', 'smallint', (c) => c.unsigned().notNull())
    .addIndex('opening_hours_store_idx', ['store_id'])
    .addCheckConstraint('opening_hours_weekday_chk', sql`weekday BETWEEN 1 AND 7`)
    .addCheckConstraint('opening_hours_window_chk', sql`open_minute < close_minute AND close_minute <= 1440`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('opening_hours').execute();
}
