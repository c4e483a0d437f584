import { type Kysely, sql } from 'kysely';

// Tenants. Every tenant-owned row below carries merchant_id so queries can be scoped without joins.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('merchants')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('industry', 'varchar(32)', (c) => c.notNull())
    .addColumn('timezone', 'varchar(64)', (c) => c.notNull().defaultTo('Asia/Shanghai'))
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addCheckConstraint('merchants_status_chk', sql`status IN ('active', 'suspended')`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('merchants').execute();
}
