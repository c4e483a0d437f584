import type { Generated, Selectable } from 'kysely';

export interface CustomerTable {
  id: Generated<number>;
  openid: string;
  unionid: string | null;
  nickname: Generated<string>;
  phone_enc: Buffer | null;
  phone_key_id: number | null;
  phone_index: Buffer | null;
  created_at: Date;
  last_login_at: Date;
}

export type CustomerRow = Selectable<CustomerTable>;
