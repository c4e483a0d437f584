import type { Kysely, Transaction } from 'kysely';
import { type TableMode, TableModeSchema } from '../../../core/src/restaurant/table-mode.ts';
import type { Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The store's table mode, or undefined when it never switched it on. */
export async function loadTableMode(db: Db, storeId: number): Promise<TableMode | undefined> {
  const row = await db.selectFrom('store_table_modes').select('config').where('store_id', '=', storeId).executeTakeFirst();
  return row ? TableModeSchema.parse(JSON.parse(row.config)) : undefined;
}

/** Writes the store's table mode; the caller has validated it against the store's resources. */
export async function saveTableMode(db: Db, merchantId: number, storeId: number, mode: TableMode, now: Date): Promise<void> {
  const config = JSON.stringify(mode);
  await db
    .insertInto('store_table_modes')
    .values({ store_id: storeId, merchant_id: merchantId, config, updated_at: now })
    .onDuplicateKeyUpdate({ config, updated_at: now })
    .execute();
}

/**
 * Sets the pacing resource's capacity (max covers) and that of its future cells, never below what
 * is already booked there (the CHECK booked <= capacity would refuse it): lowering pacing keeps
 * existing bookings and refuses new covers until the window has room again.
 */
export async function setPacingCapacity(db: Db, storeId: number, resourceId: number, maxCovers: number, fromMs: number): Promise<void> {
  await db.updateTable('resources').set({ capacity: maxCovers }).where('id', '=', resourceId).where('store_id', '=', storeId).execute();
  await db
    .updateTable('inventory_cells')
    .set((eb) => ({ capacity: eb.fn('GREATEST', [eb.val(maxCovers), eb.ref('booked')]) }))
    .where('store_id', '=', storeId)
    .where('resource_id', '=', resourceId)
    .where('starts_at', '>=', new Date(fromMs))
    .execute();
}
