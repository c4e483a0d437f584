import { type Kysely, sql } from 'kysely';

// Every refund we ever asked for, under the out_refund_no we will always resend (WeChat refunds a number once).
// PENDING = not yet accepted by WeChat; PROCESSING/ABNORMAL are not final; SUCCESS/CLOSED are.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refunds')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('out_refund_no', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('payment_order_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('booking_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('amount_fen', 'integer', (c) => c.unsigned().notNull())
    .addColumn('reason', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('refund_id', 'varchar(32)')
    .addColumn('failure', 'varchar(200)')
    .addColumn('attempts', 'integer', (c) => c.unsigned().notNull().defaultTo(0))
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('succeeded_at', 'datetime(3)')
    .addIndex('refunds_order_idx', ['payment_order_id'])
    .addIndex('refunds_booking_idx', ['booking_id'])
    .addIndex('refunds_status_idx', ['status', 'updated_at'])
    .addCheckConstraint('refunds_status_chk', sql`status IN ('PENDING', 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL')`)
    .addCheckConstraint('refunds_amount_chk', sql`amount_fen > 0`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refunds').execute();
}
