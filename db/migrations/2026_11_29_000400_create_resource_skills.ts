import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('resource_skills')
    .addColumn('resource_id', 'bigint', (c) => c.unsigned().notNull().references('resources.id').onDelete('cascade'))
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('skill', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_skills_pk', ['resource_id', 'skill'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('resource_skills').execute();
}
