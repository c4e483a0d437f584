import { type Kysely, sql } from 'kysely';

// Merchant console accounts. store_id limits a 'staff' account to one store; owners and managers see all.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staff_users')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull().references('merchants.id'))
    .addColumn('store_id', 'bigint', (c) => c.unsigned().references('stores.id'))
    .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addCheckConstraint('staff_users_role_chk', sql`role IN ('owner', 'manager', 'staff')`)
    .addCheckConstraint('staff_users_status_chk', sql`status IN ('active', 'disabled')`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('staff_users').execute();
}
