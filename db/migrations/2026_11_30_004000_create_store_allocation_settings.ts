import { type Kysely, sql } from 'kysely';

// How a store allocates "any staff" bookings (core/src/allocation): first_fit, least_loaded, round_robin,
// preferred or gap_minimizing. One row per store that chose something other than first_fit's default.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('store_allocation_settings')
    .addColumn('store_id', 'bigint', (c) => c.unsigned().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('strategy', 'varchar(16)', (c) => c.notNull().defaultTo('first_fit'))
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addCheckConstraint(
      'store_allocation_settings_strategy_chk',
      sql`strategy IN ('first_fit', 'least_loaded', 'round_robin', 'preferred', 'gap_minimizing')`,
    )
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('store_allocation_settings').execute();
}
