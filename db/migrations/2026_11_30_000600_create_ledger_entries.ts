import { type Kysely, sql } from 'kysely';

// Every money movement per merchant, signed fen (+ received, − refunded). entry_key makes each movement
// recordable once, however often a notify or a job is replayed.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('entry_key', 'varchar(80)', (c) => c.notNull().unique())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('booking_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('payment_order_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('refund_id', 'bigint', (c) => c.unsigned())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('amount_fen', 'integer', (c) => c.notNull())
    .addColumn('provider_ref', 'varchar(64)', (c) => c.notNull())
    .addColumn('occurred_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('ledger_merchant_time_idx', ['merchant_id', 'occurred_at'])
    .addCheckConstraint('ledger_kind_chk', sql`kind IN ('PAYMENT', 'REFUND')`)
    .addCheckConstraint('ledger_sign_chk', sql`(kind = 'PAYMENT' AND amount_fen > 0) OR (kind = 'REFUND' AND amount_fen < 0)`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ledger_entries').execute();
}
