import { type Kysely, sql } from 'kysely';

// Holidays, sick days and special hours: closed all day, or open only in [open_minute, close_minute).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('schedule_exceptions')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull().references('stores.id').onDelete('cascade'))
    .addColumn('resource_id', 'bigint', (c) => c.unsigned().references('resources.id').onDelete('cascade'))
    .addColumn('local_date', 'date', (c) => c.notNull())
    .addColumn('closed', 'boolean', (c) => c.notNull())
    .addColumn('open_minute', 'smallint', (c) => c.unsigned())
    .addColumn('close_minute', 'smallint', (c) => c.unsigned())
    .addColumn('reason', 'varchar(100)', (c) => c.notNull().defaultTo(''))
    .addIndex('schedule_exceptions_store_date_idx', ['store_id', 'local_date'])
    .addCheckConstraint(
      'schedule_exceptions_window_chk',
      sql`closed = 1 OR (open_minute IS NOT NULL AND close_minute IS NOT NULL AND open_minute < close_minute AND close_minute <= 1440)`,
    )
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('schedule_exceptions').execute();
}
