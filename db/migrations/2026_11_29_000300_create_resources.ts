import { type Kysely, sql } from 'kysely';

// Staff, rooms and equipment. capacity = units one cell offers (a stylist 1, a yoga studio 20 mats).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('resources')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull().references('merchants.id'))
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull().references('stores.id'))
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('title', 'varchar(100)')
    .addColumn('capacity', 'smallint', (c) => c.unsigned().notNull().defaultTo(1))
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('resources_store_idx', ['store_id', 'status'])
    .addIndex('resources_merchant_idx', ['merchant_id'])
    .addCheckConstraint('resources_kind_chk', sql`kind IN ('staff', 'room', 'equipment')`)
    .addCheckConstraint('resources_capacity_chk', sql`capacity BETWEEN 1 AND 10000`)
    .addCheckConstraint('resources_status_chk', sql`status IN ('active', 'inactive')`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('resources').execute();
}
