import { type Kysely, sql } from 'kysely';

// The consent ledger: +1 per accept the mini program reported, −1 per message that used one, so the balance
// in subscribe_consents can always be explained (and rebuilt).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('subscribe_consent_events')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('delta', 'smallint', (c) => c.notNull())
    .addColumn('notification_id', 'bigint', (c) => c.unsigned())
    .addColumn('occurred_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('subscribe_consent_events_customer_idx', ['customer_id', 'kind'])
    .addIndex('subscribe_consent_events_notification_idx', ['notification_id'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('subscribe_consent_events').execute();
}
