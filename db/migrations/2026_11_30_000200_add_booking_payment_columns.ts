import { type Kysely, sql } from 'kysely';

// What a booking owes before it is confirmed, until when, and the one-time code staff verify at check-in (核销).
// One ALTER statement: MySQL DDL is not transactional, so one statement per migration keeps a failure recoverable.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bookings
    ADD COLUMN amount_due_fen INT UNSIGNED NOT NULL DEFAULT 0,
    ADD COLUMN payment_due_at DATETIME(3) NULL,
    ADD COLUMN checkin_code CHAR(6) NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bookings DROP COLUMN amount_due_fen, DROP COLUMN payment_due_at, DROP COLUMN checkin_code`.execute(db);
}
