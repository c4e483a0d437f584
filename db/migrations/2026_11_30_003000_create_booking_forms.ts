import { type Kysely, sql } from 'kysely';

// A service's booking form, one row per version: an edit inserts the next version and never changes an
// old one, so answers given against version n keep their labels. The current form is the highest version
// (an empty field list = no form). `fields` is the validated JSON definition (core/src/forms/definition.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('booking_forms')
    .addColumn('service_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('version', 'integer', (c) => c.unsigned().notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('created_by', 'bigint', (c) => c.unsigned())
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addPrimaryKeyConstraint('booking_forms_pk', ['service_id', 'version'])
    .addCheckConstraint('booking_forms_version_chk', sql`version >= 1`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('booking_forms').execute();
}
