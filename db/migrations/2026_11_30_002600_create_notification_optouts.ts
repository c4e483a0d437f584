import { type Kysely, sql } from 'kysely';

// A customer's "don't message me": per merchant (0 = every merchant) and per channel ('sms', 'subscribe' or 'all').
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_optouts')
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_optouts_pk', ['customer_id', 'merchant_id', 'channel'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_optouts').execute();
}
