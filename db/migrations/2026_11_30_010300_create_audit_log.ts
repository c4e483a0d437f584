import { type Kysely, sql } from 'kysely';

// Append-only record of privileged staff actions (urgent insertion today): who, what, on what, why, when.
// The unique (action, target) makes a replayed request write its entry once.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned())
    .addColumn('actor_staff_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('action', 'varchar(40)', (c) => c.notNull())
    .addColumn('target', 'varchar(80)', (c) => c.notNull())
    .addColumn('reason', 'varchar(500)', (c) => c.notNull())
    .addColumn('at', 'datetime(3)', (c) => c.notNull())
    .addUniqueConstraint('audit_log_action_target_uq', ['action', 'target'])
    .addIndex('audit_log_merchant_idx', ['merchant_id', 'at'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
}
