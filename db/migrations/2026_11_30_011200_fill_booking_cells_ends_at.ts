import { type Kysely, sql } from 'kysely';

// Every row written so far is one cell: its run ends one cell length (the store's, fixed at creation) later.
// A row whose booking is gone gets one minute, which still holds exactly the cell starting at starts_at.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    UPDATE booking_cells bc
    JOIN bookings b ON b.id = bc.booking_id
    JOIN stores s ON s.id = b.store_id
    SET bc.ends_at = DATE_ADD(bc.starts_at, INTERVAL s.cell_minutes MINUTE)
    WHERE bc.ends_at IS NULL
  `.execute(db);
  await sql`UPDATE booking_cells SET ends_at = DATE_ADD(starts_at, INTERVAL 1 MINUTE) WHERE ends_at IS NULL`.execute(db);
}

export async function down(): Promise<void> {
  // The column goes with the previous migration's down.
}
