import type { Kysely, Transaction } from 'kysely';
import type { FormField } from '../../../core/src/forms/definition.ts';
import type { Database } from '../database.ts';
import type { BookingAnswerTable, NewBookingAnswer } from '../tables/booking-form.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface StoredForm {
  serviceId: number;
  merchantId: number;
  version: number;
  fields: FormField[];
  createdAt: Date;
}

function toStored(row: { service_id: number; merchant_id: number; version: number; fields: string; created_at: Date }): StoredForm {
  return { serviceId: row.service_id, merchantId: row.merchant_id, version: row.version, fields: JSON.parse(row.fields) as FormField[], createdAt: row.created_at };
}

/**
 * The service's current booking form (its highest version), or null when it never had one.
 *
 * @example const form = await currentForm(db, serviceId); // { version: 3, fields: [...] }
 */
export async function currentForm(db: Db, serviceId: number): Promise<StoredForm | null> {
  const row = await db.selectFrom('booking_forms').selectAll().where('service_id', '=', serviceId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ? toStored(row) : null;
}

/** One version of a service's form (the one some answers were validated against). */
export async function formVersion(db: Db, serviceId: number, version: number): Promise<StoredForm | null> {
  const row = await db.selectFrom('booking_forms').selectAll().where('service_id', '=', serviceId).where('version', '=', version).executeTakeFirst();
  return row ? toStored(row) : null;
}

/**
 * Saves an edited form as the next version. The service's latest version row is locked first, so two
 * concurrent edits get consecutive versions instead of a duplicate key.
 */
export async function insertFormVersion(
  trx: Transaction<Database>,
  input: { serviceId: number; merchantId: number; fields: readonly FormField[]; createdBy: number | null },
  nowMs: number,
): Promise<number> {
  const latest = await trx
    .selectFrom('booking_forms')
    .select('version')
    .where('service_id', '=', input.serviceId)
    .orderBy('version', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
  const version = (latest?.version ?? 0) + 1;
  await trx
    .insertInto('booking_forms')
    .values({
      service_id: input.serviceId,
      version,
      merchant_id: input.merchantId,
      fields: JSON.stringify(input.fields),
      created_by: input.createdBy,
      created_at: new Date(nowMs),
    })
    .execute();
  return version;
}

/** Stores answers with their bookings; called inside the persist transaction, so both land or neither. */
export async function insertBookingAnswers(trx: Transaction<Database>, rows: readonly NewBookingAnswer[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('booking_answers').values([...rows]).execute();
}

export async function bookingAnswers(db: Db, bookingId: string): Promise<Pick<BookingAnswerTable, 'service_id' | 'form_version' | 'sealed'> | null> {
  return (await db.selectFrom('booking_answers').select(['service_id', 'form_version', 'sealed']).where('booking_id', '=', bookingId).executeTakeFirst()) ?? null;
}
