import { type Kysely, sql } from 'kysely';

// One row per (bill date, run): what the daily comparison with WeChat's trade bill found.
// mismatches is a JSON document kept as text (MariaDB and MySQL disagree on JSON columns).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_reconciliations')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('bill_date', 'date', (c) => c.notNull())
    .addColumn('provider_rows', 'integer', (c) => c.unsigned().notNull())
    .addColumn('matched', 'integer', (c) => c.unsigned().notNull())
    .addColumn('mismatch_count', 'integer', (c) => c.unsigned().notNull())
    .addColumn('mismatches', sql`mediumtext`, (c) => c.notNull())
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('payment_reconciliations_date_idx', ['bill_date'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payment_reconciliations').execute();
}
