import { type Kysely, sql } from 'kysely';

// A booking's form answers, encrypted at rest (AES-256-GCM with the phone key material, key id inside
// `sealed`), written by the persist worker in the same transaction as the booking row. The booking id is the
// primary key, so a replayed job can never store a second copy.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('booking_answers')
    .addColumn('booking_id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('service_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('form_version', 'integer', (c) => c.unsigned().notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('booking_answers').execute();
}
