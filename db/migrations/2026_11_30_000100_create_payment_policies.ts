import { type Kysely, sql } from 'kysely';

// How a service is paid and what cancelling or not showing up costs. One row per service; a service
// without a row is paid at the store and cancels for free. Money is integer fen, percentages whole numbers.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_policies')
    .addColumn('service_id', 'bigint', (c) => c.unsigned().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('mode', 'varchar(16)', (c) => c.notNull())
    .addColumn('deposit_fixed_fen', 'integer', (c) => c.unsigned())
    .addColumn('deposit_percent', 'smallint', (c) => c.unsigned())
    .addColumn('target', 'varchar(20)', (c) => c.notNull().defaultTo('all'))
    .addColumn('target_amount_fen', 'integer', (c) => c.unsigned())
    .addColumn('target_no_shows', 'smallint', (c) => c.unsigned().notNull().defaultTo(1))
    .addColumn('payment_window_minutes', 'smallint', (c) => c.unsigned().notNull().defaultTo(15))
    .addColumn('free_cancel_hours', 'smallint', (c) => c.unsigned().notNull().defaultTo(24))
    .addColumn('late_cancel_fee_percent', 'smallint', (c) => c.unsigned().notNull().defaultTo(100))
    .addColumn('no_show_fee_percent', 'smallint', (c) => c.unsigned().notNull().defaultTo(100))
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addCheckConstraint('payment_policies_mode_chk', sql`mode IN ('none', 'deposit', 'full')`)
    .addCheckConstraint('payment_policies_target_chk', sql`target IN ('all', 'new_customers', 'prior_no_shows', 'amount_above')`)
    .addCheckConstraint('payment_policies_percent_chk', sql`deposit_percent IS NULL OR deposit_percent BETWEEN 1 AND 100`)
    .addCheckConstraint('payment_policies_fee_chk', sql`late_cancel_fee_percent <= 100 AND no_show_fee_percent <= 100`)
    .addCheckConstraint('payment_policies_window_chk', sql`payment_window_minutes BETWEEN 1 AND 1440`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payment_policies').execute();
}
