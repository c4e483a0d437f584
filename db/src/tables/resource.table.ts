import type { Generated, Selectable } from 'kysely';

export interface ResourceTable {
  id: Generated<number>;
  merchant_id: number;
  store_id: number;
  kind: 'staff' | 'room' | 'equipment';
  name: string;
  title: string | null;
  capacity: Generated<number>;
  status: Generated<'active' | 'inactive'>;
  created_at: Date;
  /** Sum and number of staff ratings this resource received in reviews. */
  rating_sum: Generated<number>;
  rating_count: Generated<number>;
}

export interface ResourceSkillTable {
  resource_id: number;
  merchant_id: number;
  skill: string;
}

export type ResourceRow = Selectable<ResourceTable>;
