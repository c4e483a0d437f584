import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.ts';
import type { CustomerRow } from '../tables/customer.table.ts';

/** Creates the customer on first login, or touches last_login_at; returns the id either way. */
export async function upsertCustomerByOpenid(db: Kysely<Database>, openid: string, unionid: string | null, nowMs: number): Promise<number> {
  const now = new Date(nowMs);
  const result = await db
    .insertInto('customers')
    .values({ openid, unionid, created_at: now, last_login_at: now })
    // LAST_INSERT_ID(id) makes insertId the existing row's id on a duplicate (MySQL and MariaDB alike).
    .onDuplicateKeyUpdate({ id: sql`LAST_INSERT_ID(id)`, last_login_at: now, unionid: sql`COALESCE(VALUES(unionid), unionid)` })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function findCustomer(db: Kysely<Database>, customerId: number): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirst();
}

export async function setCustomerPhone(db: Kysely<Database>, customerId: number, phone: { keyId: number; ciphertext: Buffer; index: Buffer }): Promise<void> {
  await db
    .updateTable('customers')
    .set({ phone_enc: phone.ciphertext, phone_key_id: phone.keyId, phone_index: phone.index })
    .where('id', '=', customerId)
    .execute();
}

export async function customersByIds(db: Kysely<Database>, ids: number[]): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('customers').selectAll().where('id', 'in', ids).execute();
}
