import { type Kysely, sql } from 'kysely';

// When and how a merchant's customers hear from us: reminder offsets (minutes before the start, comma separated),
// SMS quiet hours in the store's local time, the delay of the review request and the evening digest time.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_settings')
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().primaryKey())
    .addColumn('reminder_offsets', 'varchar(64)', (c) => c.notNull().defaultTo('1440,120'))
    .addColumn('quiet_start_minute', 'smallint', (c) => c.unsigned().notNull().defaultTo(1260))
    .addColumn('quiet_end_minute', 'smallint', (c) => c.unsigned().notNull().defaultTo(480))
    .addColumn('review_delay_minutes', 'smallint', (c) => c.unsigned().notNull().defaultTo(120))
    .addColumn('digest_minute', 'smallint', (c) => c.unsigned().notNull().defaultTo(1200))
    .addColumn('sms_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('subscribe_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addCheckConstraint('notification_settings_minutes_chk', sql`quiet_start_minute < 1440 AND quiet_end_minute < 1440 AND digest_minute < 1440`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_settings').execute();
}
