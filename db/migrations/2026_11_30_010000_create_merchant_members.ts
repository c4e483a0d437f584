import { type Kysely, sql } from 'kysely';

// A merchant's members: customers with a tier at that merchant (VIP per merchant, managed by the merchant API).
// Only `vip` changes anything today: VIPs may book the reserved share of a service before its cut-off.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('merchant_members')
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('tier', 'varchar(12)', (c) => c.notNull())
    .addColumn('note', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addPrimaryKeyConstraint('merchant_members_pk', ['merchant_id', 'customer_id'])
    .addCheckConstraint('merchant_members_tier_chk', sql`tier IN ('vip')`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('merchant_members').execute();
}
