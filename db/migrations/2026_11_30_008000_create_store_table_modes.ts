import { type Kysely, sql } from 'kysely';

// A restaurant's table mode (core/src/restaurant/table-mode.ts): seats per table, combinations, turn times by
// party size, the extra-seat allowance and pacing, as one validated JSON document per store. One row per store
// that switched table mode on; the document is checked by the merchant API before it is written.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('store_table_modes')
    .addColumn('store_id', 'bigint', (c) => c.unsigned().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addCheckConstraint('store_table_modes_config_chk', sql`JSON_VALID(config)`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('store_table_modes').execute();
}
