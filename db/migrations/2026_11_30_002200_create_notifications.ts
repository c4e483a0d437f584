import { type Kysely, sql } from 'kysely';

// Every message we mean to send, as a row: planned from booking events (the outbox) or by the digest crons,
// claimed when due by the sweeper (FOR UPDATE SKIP LOCKED) and sent by the notify workers. dedupe_key makes
// planning idempotent; status ends SENT, DELIVERED, FAILED or SKIPPED, always with a reason for the last two.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('dedupe_key', 'varchar(120)', (c) => c.notNull().unique())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('booking_id', 'varchar(40)')
    .addColumn('audience', 'varchar(16)', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('channel_used', 'varchar(16)')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('reason', 'varchar(120)')
    .addColumn('variables', 'text', (c) => c.notNull())
    .addColumn('due_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.unsigned().notNull().defaultTo(0))
    .addColumn('provider_ref', 'varchar(64)')
    .addColumn('sending_at', 'datetime(3)')
    .addColumn('sent_at', 'datetime(3)')
    .addColumn('delivered_at', 'datetime(3)')
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('notifications_status_due_idx', ['status', 'due_at'])
    .addIndex('notifications_merchant_created_idx', ['merchant_id', 'created_at'])
    .addIndex('notifications_provider_ref_idx', ['provider_ref'])
    .addIndex('notifications_booking_idx', ['booking_id'])
    .addCheckConstraint('notifications_status_chk', sql`status IN ('PENDING', 'QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'FAILED', 'SKIPPED')`)
    .addCheckConstraint('notifications_channel_chk', sql`channel IN ('push', 'inapp')`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
}
