import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';

/** Merchant edits of resources, weekly hours and date exceptions (the inventory follows via applyCapacityChange). */

export async function resourceOfStore(db: Kysely<Database>, storeId: number, resourceId: number) {
  return db.selectFrom('resources').selectAll().where('id', '=', resourceId).where('store_id', '=', storeId).executeTakeFirst();
}

export async function updateResource(
  db: Kysely<Database>,
  r: { merchantId: number; resourceId: number; name?: string | undefined; title?: string | null | undefined; capacity?: number | undefined; active?: boolean | undefined; skills?: string[] | undefined },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const set: { name?: string; title?: string | null; capacity?: number; status?: 'active' | 'inactive' } = {};
    if (r.name !== undefined) set.name = r.name;
    if (r.title !== undefined) set.title = r.title;
    if (r.capacity !== undefined) set.capacity = r.capacity;
    if (r.active !== undefined) set.status = r.active ? 'active' : 'inactive';
    if (Object.keys(set).length > 0) await trx.updateTable('resources').set(set).where('id', '=', r.resourceId).execute();
    if (r.skills !== undefined) {
      await trx.deleteFrom('resource_skills').where('resource_id', '=', r.resourceId).execute();
      if (r.skills.length > 0) {
        await trx
          .insertInto('resource_skills')
          .values([...new Set(r.skills)].map((skill) => ({ resource_id: r.resourceId, merchant_id: r.merchantId, skill })))
          .execute();
      }
    }
  });
}

/** Replaces the weekly hours of the store (resourceId null) or of one resource; [] = a resource follows the store again. */
export async function replaceWeeklyHours(
  db: Kysely<Database>,
  target: { merchantId: number; storeId: number; resourceId: number | null },
  windows: { weekday: number; openMinute: number; closeMinute: number }[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    let del = trx.deleteFrom('opening_hours').where('store_id', '=', target.storeId);
    del = target.resourceId === null ? del.where('resource_id', 'is', null) : del.where('resource_id', '=', target.resourceId);
    await del.execute();
    if (windows.length > 0) {
      await trx
        .insertInto('opening_hours')
        .values(windows.map((w) => ({ merchant_id: target.merchantId, store_id: target.storeId, resource_id: target.resourceId, weekday: w.weekday, open_minute: w.openMinute, close_minute: w.closeMinute })))
        .execute();
    }
  });
}

export async function insertScheduleException(
  db: Kysely<Database>,
  e: { merchantId: number; storeId: number; resourceId: number | null; localDate: string; closed: boolean; openMinute: number | null; closeMinute: number | null; reason: string },
): Promise<number> {
  const result = await db
    .insertInto('schedule_exceptions')
    .values({ merchant_id: e.merchantId, store_id: e.storeId, resource_id: e.resourceId, local_date: e.localDate, closed: e.closed ? 1 : 0, open_minute: e.openMinute, close_minute: e.closeMinute, reason: e.reason })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function deleteScheduleException(db: Kysely<Database>, storeId: number, exceptionId: number): Promise<string | null> {
  const row = await db.selectFrom('schedule_exceptions').select(['local_date']).where('id', '=', exceptionId).where('store_id', '=', storeId).executeTakeFirst();
  if (!row) return null;
  await db.deleteFrom('schedule_exceptions').where('id', '=', exceptionId).execute();
  return row.local_date;
}

export async function storeSchedule(db: Kysely<Database>, storeId: number, fromDate: string) {
  const [resources, skills, hours, exceptions] = await Promise.all([
    db.selectFrom('resources').select(['id', 'kind', 'name', 'title', 'capacity', 'status']).where('store_id', '=', storeId).orderBy('id').execute(),
    db.selectFrom('resource_skills as k').innerJoin('resources as r', 'r.id', 'k.resource_id').select(['k.resource_id', 'k.skill']).where('r.store_id', '=', storeId).execute(),
    db.selectFrom('opening_hours').select(['resource_id', 'weekday', 'open_minute', 'close_minute']).where('store_id', '=', storeId).orderBy('weekday').orderBy('open_minute').execute(),
    db.selectFrom('schedule_exceptions').selectAll().where('store_id', '=', storeId).where('local_date', '>=', fromDate).orderBy('local_date').execute(),
  ]);
  return { resources, skills, hours, exceptions };
}
