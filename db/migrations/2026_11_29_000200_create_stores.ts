import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stores')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull().references('merchants.id'))
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('industry', 'varchar(32)', (c) => c.notNull())
    .addColumn('timezone', 'varchar(64)', (c) => c.notNull().defaultTo('Asia/Shanghai'))
    .addColumn('address', 'varchar(255)', (c) => c.notNull())
    .addColumn('lat', 'decimal(9, 6)', (c) => c.notNull())
    .addColumn('lng', 'decimal(9, 6)', (c) => c.notNull())
    .addColumn('phone', 'varchar(32)')
    .addColumn('cell_minutes', 'smallint', (c) => c.unsigned().notNull().defaultTo(15))
    .addColumn('horizon_days', 'smallint', (c) => c.unsigned().notNull().defaultTo(14))
    .addColumn('per_customer_daily_limit', 'smallint', (c) => c.unsigned().notNull().defaultTo(3))
    .addColumn('hold_seconds', 'integer', (c) => c.unsigned().notNull().defaultTo(900))
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('stores_merchant_idx', ['merchant_id'])
    .addIndex('stores_industry_idx', ['industry', 'status'])
    // Every zone offset is a multiple of 15 minutes, so 5- and 15-minute cells align in UTC and local time alike.
    .addCheckConstraint('stores_cell_minutes_chk', sql`cell_minutes IN (5, 15)`)
    .addCheckConstraint('stores_status_chk', sql`status IN ('active', 'closed')`)
    .addCheckConstraint('stores_lat_lng_chk', sql`lat BETWEEN -90 AND 90 AND lng BETWEEN -180 AND 180`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stores').execute();
}
