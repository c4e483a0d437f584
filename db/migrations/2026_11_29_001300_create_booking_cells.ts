import { type Kysely, sql } from 'kysely';

// Which cells (and how many units of each) a booking holds, so cancelling gives back exactly what was taken.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('booking_cells')
    .addColumn('booking_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('resource_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('starts_at', 'datetime', (c) => c.notNull())
    .addColumn('quantity', 'smallint', (c) => c.unsigned().notNull())
    .addPrimaryKeyConstraint('booking_cells_pk', ['booking_id', 'resource_id', 'starts_at'])
    .addIndex('booking_cells_cell_idx', ['resource_id', 'starts_at'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('booking_cells').execute();
}
