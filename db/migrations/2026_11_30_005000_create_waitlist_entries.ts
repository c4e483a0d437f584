import { type Kysely, sql } from 'kysely';

// Customers waiting for a sold-out slot (service + start, party size, optional staff). `active_key` is
// "<customer>:<service>:<start ms>" while the entry waits or holds an offer and NULL once it ended, so the unique
// key allows one active entry per customer and slot (MySQL unique keys ignore NULLs). Served by priority desc,
// then join time; `offer_attempts` names the idempotency key of the next offer (an offer MySQL refused is retried).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('waitlist_entries')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('service_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('resource_id', 'bigint', (c) => c.unsigned())
    .addColumn('starts_at', 'datetime', (c) => c.notNull())
    .addColumn('party_size', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('priority', 'smallint', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('active_key', 'varchar(80)')
    .addColumn('booking_id', 'varchar(40)')
    .addColumn('offer_attempts', 'smallint', (c) => c.unsigned().notNull().defaultTo(0))
    .addColumn('joined_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('ended_at', 'datetime(3)')
    .addUniqueConstraint('waitlist_entries_active_uq', ['active_key'])
    .addIndex('waitlist_entries_queue_idx', ['status', 'store_id', 'service_id', 'starts_at', 'priority', 'joined_at'])
    .addIndex('waitlist_entries_customer_idx', ['customer_id', 'joined_at'])
    .addIndex('waitlist_entries_booking_idx', ['booking_id'])
    .addCheckConstraint('waitlist_entries_status_chk', sql`status IN ('WAITING', 'OFFERED', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'LEFT')`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('waitlist_entries').execute();
}
