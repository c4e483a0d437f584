import type { Generated, Selectable } from 'kysely';

export interface MerchantTable {
  id: Generated<number>;
  name: string;
  industry: string;
  timezone: string;
  status: 'active' | 'suspended';
  created_at: Date;
}

export type MerchantRow = Selectable<MerchantTable>;
