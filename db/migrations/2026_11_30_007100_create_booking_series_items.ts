import { type Kysely, sql } from 'kysely';

// One row per occurrence of a series once its outcome is known: BOOKED (booking_id set), REFUSED (reason = the
// error code: SLOT_SOLD_OUT, SLOT_UNAVAILABLE, SLOT_BEYOND_HORIZON …), RELEASED (taken, then cancelled because an
// all-or-nothing series failed) or CANCELLED (by cancelling the series). The booking itself keeps its own status.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('booking_series_items')
    .addColumn('series_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('idx', 'smallint', (c) => c.unsigned().notNull())
    .addColumn('starts_at', 'datetime', (c) => c.notNull())
    .addColumn('local_date', 'char(10)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(12)', (c) => c.notNull())
    .addColumn('reason', 'varchar(40)')
    .addColumn('booking_id', 'varchar(40)')
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addPrimaryKeyConstraint('booking_series_items_pk', ['series_id', 'idx'])
    .addIndex('booking_series_items_booking_idx', ['booking_id'])
    .addCheckConstraint('booking_series_items_outcome_chk', sql`outcome IN ('BOOKED', 'REFUSED', 'RELEASED', 'CANCELLED')`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('booking_series_items').execute();
}
