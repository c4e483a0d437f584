import { type Kysely, sql } from 'kysely';

// Each verified WeChat Pay notification once, by its id: an audit trail and the count of duplicate deliveries.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_notifications')
    .addColumn('notify_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('event_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('reference', 'varchar(64)', (c) => c.notNull())
    .addColumn('deliveries', 'integer', (c) => c.unsigned().notNull().defaultTo(1))
    .addColumn('received_at', 'datetime(3)', (c) => c.notNull())
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payment_notifications').execute();
}
