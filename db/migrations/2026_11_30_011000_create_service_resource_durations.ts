import { type Kysely, sql } from 'kysely';

// Per-staff duration of a service (a senior stylist's 45-minute cut vs the service's 60): replaces the
// service's duration for that resource when it is the candidate of the service's first requirement.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('service_resource_durations')
    .addColumn('service_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('resource_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('duration_minutes', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_service_resource_durations', ['service_id', 'resource_id'])
    .addCheckConstraint('ck_service_resource_durations_positive', sql`duration_minutes > 0`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex('ix_service_resource_durations_store').on('service_resource_durations').column('store_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('service_resource_durations').execute();
}
