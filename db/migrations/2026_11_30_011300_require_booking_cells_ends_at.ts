import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('booking_cells').modifyColumn('ends_at', 'datetime', (c) => c.notNull()).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('booking_cells').modifyColumn('ends_at', 'datetime').execute();
}
