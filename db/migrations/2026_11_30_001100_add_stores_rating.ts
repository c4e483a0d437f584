import { type Kysely, sql } from 'kysely';

// Running totals of the store's review ratings, incremented in the review's transaction, so lists can sort
// and filter by score without aggregating reviews. One ALTER statement (MySQL DDL is not transactional).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE stores
    ADD COLUMN rating_sum INT UNSIGNED NOT NULL DEFAULT 0,
    ADD COLUMN rating_count INT UNSIGNED NOT NULL DEFAULT 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE stores DROP COLUMN rating_sum, DROP COLUMN rating_count`.execute(db);
}
