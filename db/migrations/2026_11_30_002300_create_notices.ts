import { type Kysely, sql } from 'kysely';

// In-app notices (消息中心) of customers and merchants: stored text, read or not.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notices')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('notification_id', 'bigint', (c) => c.unsigned().unique())
    .addColumn('audience', 'varchar(16)', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned())
    .addColumn('booking_id', 'varchar(40)')
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('title', 'varchar(60)', (c) => c.notNull())
    .addColumn('body', 'varchar(600)', (c) => c.notNull())
    .addColumn('read_at', 'datetime(3)')
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('notices_customer_idx', ['customer_id', 'read_at', 'id'])
    .addIndex('notices_merchant_idx', ['merchant_id', 'audience', 'read_at', 'id'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notices').execute();
}
