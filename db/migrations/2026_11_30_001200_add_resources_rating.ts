import { type Kysely, sql } from 'kysely';

// Running totals of the staff ratings a resource received (only staff are rated; rooms keep 0/0).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE resources
    ADD COLUMN rating_sum INT UNSIGNED NOT NULL DEFAULT 0,
    ADD COLUMN rating_count INT UNSIGNED NOT NULL DEFAULT 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE resources DROP COLUMN rating_sum, DROP COLUMN rating_count`.execute(db);
}
