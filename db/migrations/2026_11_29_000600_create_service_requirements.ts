import { type Kysely, sql } from 'kysely';

// What one booking of a service claims: e.g. a stylist with skill "perm", or 1 per person of a studio's mats.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('service_requirements')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('service_id', 'bigint', (c) => c.unsigned().notNull().references('services.id').onDelete('cascade'))
    .addColumn('resource_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('skill', 'varchar(32)')
    .addColumn('quantity', 'smallint', (c) => c.unsigned().notNull().defaultTo(1))
    .addColumn('per_person', 'boolean', (c) => c.notNull().defaultTo(false))
    .addIndex('service_requirements_service_idx', ['service_id'])
    .addCheckConstraint('service_requirements_kind_chk', sql`resource_kind IN ('staff', 'room', 'equipment')`)
    .addCheckConstraint('service_requirements_quantity_chk', sql`quantity BETWEEN 1 AND 100`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('service_requirements').execute();
}
