import type { Kysely } from 'kysely';

// booking_cells rows become runs of adjacent cells, [starts_at, ends_at): see core/src/inventory/runs.ts.
// Nullable until the next migration has filled it for the rows that exist.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('booking_cells').addColumn('ends_at', 'datetime').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('booking_cells').dropColumn('ends_at').execute();
}
