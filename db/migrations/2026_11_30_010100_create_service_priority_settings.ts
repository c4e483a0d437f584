import { type Kysely, sql } from 'kysely';

// Per service: units of each of its cells held back for VIP members until `vip_cutoff_minutes` before the
// slot. A Redis-side admission rule checked by reserve.lua; MySQL checks capacity only.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('service_priority_settings')
    .addColumn('service_id', 'bigint', (c) => c.unsigned().primaryKey())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('vip_reserved_units', 'smallint', (c) => c.unsigned().notNull().defaultTo(0))
    .addColumn('vip_cutoff_minutes', 'integer', (c) => c.unsigned().notNull().defaultTo(1440))
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addCheckConstraint('service_priority_settings_cutoff_chk', sql`vip_cutoff_minutes <= 43200`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex('service_priority_settings_store_idx').on('service_priority_settings').column('store_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('service_priority_settings').execute();
}
