import { type Kysely, sql } from 'kysely';

// Until when a waitlist offer (status OFFERED) may be accepted; NULL for every other booking.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bookings ADD COLUMN offer_expires_at DATETIME(3) NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bookings DROP COLUMN offer_expires_at`.execute(db);
}
