import type { Generated, Selectable } from 'kysely';

export type StaffRole = 'owner' | 'manager' | 'staff';

export interface StaffUserTable {
  id: Generated<number>;
  merchant_id: number;
  store_id: number | null;
  username: string;
  display_name: string;
  password_hash: string;
  role: StaffRole;
  status: Generated<'active' | 'disabled'>;
  created_at: Date;
}

export type StaffUserRow = Selectable<StaffUserTable>;
