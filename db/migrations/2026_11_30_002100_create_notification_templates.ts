import { type Kysely, sql } from 'kysely';

// A merchant's own wording of a notification kind (in-app title/body, the remark field of WeChat messages),
// with {variables}; kinds without a row use the platform text from the i18n catalog.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_templates')
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('title', 'varchar(40)', (c) => c.notNull())
    .addColumn('body', 'varchar(300)', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_templates_pk', ['merchant_id', 'kind'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_templates').execute();
}
