import { type Kysely, sql } from 'kysely';

// How far the notification planner has read the booking event log (the outbox it tails).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_cursors')
    .addColumn('name', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('last_event_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_cursors').execute();
}
