import { type Kysely, sql } from 'kysely';

// Per-resource round-robin weight and daily booking cap (null = none); the cap is enforced by reserve.lua.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('resource_allocation_settings')
    .addColumn('resource_id', 'bigint', (c) => c.unsigned().primaryKey())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('weight', 'smallint', (c) => c.unsigned().notNull().defaultTo(1))
    .addColumn('daily_cap', 'smallint', (c) => c.unsigned())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addCheckConstraint('resource_allocation_settings_weight_chk', sql`weight BETWEEN 1 AND 100`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex('resource_allocation_settings_store_idx').on('resource_allocation_settings').column('store_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('resource_allocation_settings').execute();
}
