import { type Kysely, sql } from 'kysely';

// One WeChat Pay order per booking (UNIQUE booking_id): a retry finds the same out_trade_no, so a customer can
// never be asked to pay twice for one booking. transaction_id is WeChat's id, unique once known.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_orders')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('out_trade_no', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('booking_id', 'varchar(40)', (c) => c.notNull().unique())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('amount_fen', 'integer', (c) => c.unsigned().notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('prepay_id', 'varchar(64)')
    .addColumn('transaction_id', 'varchar(32)', (c) => c.unique())
    .addColumn('refunded_fen', 'integer', (c) => c.unsigned().notNull().defaultTo(0))
    .addColumn('expires_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('paid_at', 'datetime(3)')
    .addColumn('last_checked_at', 'datetime(3)')
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('payment_orders_status_created_idx', ['status', 'created_at'])
    .addIndex('payment_orders_merchant_paid_idx', ['merchant_id', 'paid_at'])
    .addCheckConstraint('payment_orders_status_chk', sql`status IN ('CREATED', 'PAID', 'CLOSED')`)
    .addCheckConstraint('payment_orders_amount_chk', sql`amount_fen > 0 AND refunded_fen <= amount_fen`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payment_orders').execute();
}
