import { type Kysely, sql } from 'kysely';

// Money is integer fen; durations and buffers are minutes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('services')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull().references('merchants.id'))
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull().references('stores.id'))
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('category', 'varchar(32)', (c) => c.notNull())
    .addColumn('description', 'varchar(500)', (c) => c.notNull().defaultTo(''))
    .addColumn('duration_minutes', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('price_fen', 'integer', (c) => c.unsigned().notNull())
    .addColumn('buffer_before_minutes', 'smallint', (c) => c.unsigned().notNull().defaultTo(0))
    .addColumn('buffer_after_minutes', 'smallint', (c) => c.unsigned().notNull().defaultTo(0))
    .addColumn('slot_interval_minutes', 'smallint', (c) => c.unsigned().notNull().defaultTo(30))
    .addColumn('min_notice_minutes', 'integer', (c) => c.unsigned().notNull().defaultTo(60))
    .addColumn('max_party_size', 'smallint', (c) => c.unsigned().notNull().defaultTo(1))
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('services_store_idx', ['store_id', 'status'])
    .addIndex('services_merchant_idx', ['merchant_id'])
    .addCheckConstraint('services_duration_chk', sql`duration_minutes BETWEEN 5 AND 1440`)
    .addCheckConstraint('services_interval_chk', sql`slot_interval_minutes IN (5, 15, 30, 45, 60, 90, 120)`)
    .addCheckConstraint('services_party_chk', sql`max_party_size BETWEEN 1 AND 100`)
    .addCheckConstraint('services_status_chk', sql`status IN ('active', 'inactive')`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('services').execute();
}
