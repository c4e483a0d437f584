import { type Kysely, sql } from 'kysely';

// The booking status check again, now with OFFERED (see 2026_11_30_005100).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bookings ADD CONSTRAINT bookings_status_chk
    CHECK (status IN ('PENDING', 'OFFERED', 'AWAITING_PAYMENT', 'CONFIRMED', 'CHECKED_IN', 'COMPLETED', 'NO_SHOW', 'CANCELLED', 'EXPIRED', 'REJECTED'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bookings DROP CONSTRAINT bookings_status_chk`.execute(db);
}
