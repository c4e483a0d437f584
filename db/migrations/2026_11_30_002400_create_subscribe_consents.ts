import { type Kysely, sql } from 'kysely';

// How many one-time WeChat subscribe consents a customer has left per message kind: each accept in
// wx.requestSubscribeMessage allows exactly one send. Consumed with a conditional UPDATE (remaining > 0).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('subscribe_consents')
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('remaining', 'integer', (c) => c.unsigned().notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addPrimaryKeyConstraint('subscribe_consents_pk', ['customer_id', 'kind'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('subscribe_consents').execute();
}
