import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { StaffUserRow } from '../tables/staff-user.table.ts';

export async function findActiveStaffByUsername(db: Kysely<Database>, username: string): Promise<StaffUserRow | undefined> {
  return db.selectFrom('staff_users').selectAll().where('username', '=', username).where('status', '=', 'active').executeTakeFirst();
}
