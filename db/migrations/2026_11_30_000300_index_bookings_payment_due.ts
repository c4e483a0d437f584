import type { Kysely } from 'kysely';

// The payment-deadline sweep reads AWAITING_PAYMENT bookings by deadline.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('bookings_status_payment_due_idx').on('bookings').columns(['status', 'payment_due_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('bookings_status_payment_due_idx').on('bookings').execute();
}
