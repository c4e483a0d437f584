import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('booking_cells').addCheckConstraint('booking_cells_run_chk', sql`ends_at > starts_at`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('booking_cells').dropConstraint('booking_cells_run_chk').execute();
}
