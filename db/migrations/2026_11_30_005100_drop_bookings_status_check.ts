import { type Kysely, sql } from 'kysely';

// The status check is replaced to admit OFFERED (a waitlist offer holding capacity); dropped and re-added in two
// files because MySQL DDL is not transactional. DROP CONSTRAINT is understood by MariaDB ≥ 10.2 and MySQL ≥ 8.0.19.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bookings DROP CONSTRAINT bookings_status_chk`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bookings ADD CONSTRAINT bookings_status_chk
    CHECK (status IN ('PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'CHECKED_IN', 'COMPLETED', 'NO_SHOW', 'CANCELLED', 'EXPIRED', 'REJECTED'))`.execute(db);
}
