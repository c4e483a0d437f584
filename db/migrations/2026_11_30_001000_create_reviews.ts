import { type Kysely, sql } from 'kysely';

// One review per completed booking: the UNIQUE booking_id is what makes "once" hold under concurrent submits,
// so the domain inserts and maps the duplicate-key error instead of checking first.
// resource_id is the staff member the booking was served by (null when no staff took part).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reviews')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('merchant_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('store_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('service_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('booking_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('customer_id', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('resource_id', 'bigint', (c) => c.unsigned())
    .addColumn('rating', sql`tinyint`, (c) => c.unsigned().notNull())
    .addColumn('staff_rating', sql`tinyint`, (c) => c.unsigned())
    .addColumn('text', 'varchar(500)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addUniqueConstraint('reviews_booking_uq', ['booking_id'])
    .addIndex('reviews_store_created_idx', ['store_id', 'created_at'])
    .addIndex('reviews_merchant_created_idx', ['merchant_id', 'created_at'])
    .addCheckConstraint('reviews_rating_chk', sql`rating BETWEEN 1 AND 5`)
    .addCheckConstraint('reviews_staff_rating_chk', sql`staff_rating IS NULL OR (staff_rating BETWEEN 1 AND 5 AND resource_id IS NOT NULL)`)
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reviews').execute();
}
