import { type Kysely, sql } from 'kysely';

// Consumers are platform-wide (one WeChat identity books at many merchants). The phone number is
// stored only AES-256-GCM encrypted, with the key id for rotation and an HMAC blind index for lookups.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customers')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('openid', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('unionid', 'varchar(64)')
    .addColumn('nickname', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('phone_enc', 'varbinary(128)')
    .addColumn('phone_key_id', 'smallint', (c) => c.unsigned())
    .addColumn('phone_index', 'binary(32)')
    .addColumn('created_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('last_login_at', 'datetime(3)', (c) => c.notNull())
    .addIndex('customers_phone_index_idx', ['phone_index'])
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('customers').execute();
}
