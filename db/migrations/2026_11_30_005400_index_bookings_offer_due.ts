import type { Kysely } from 'kysely';

// The offer-window sweep reads OFFERED bookings by deadline.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('bookings_offer_due_idx').on('bookings').columns(['status', 'offer_expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('bookings_offer_due_idx').on('bookings').execute();
}
