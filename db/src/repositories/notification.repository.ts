import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';
import type { NewNotification, NoticeRow, NotificationRow, NotificationSettingsRow, NotificationStatus } from '../tables/notification.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export const defaultNotificationSettings = {
  reminder_offsets: '1440,120',
  quiet_start_minute: 21 * 60,
  quiet_end_minute: 8 * 60,
  review_delay_minutes: 120,
  digest_minute: 20 * 60,
  sms_enabled: 1,
  subscribe_enabled: 1,
} as const;

export type NotificationSettings = Omit<NotificationSettingsRow, 'merchant_id' | 'updated_at'>;

export async function settingsOf(db: Db, merchantIds: readonly number[]): Promise<Map<number, NotificationSettings>> {
  const unique = [...new Set(merchantIds)];
  const rows = unique.length === 0 ? [] : await db.selectFrom('notification_settings').selectAll().where('merchant_id', 'in', unique).execute();
  const found = new Map<number, NotificationSettings>(rows.map((r) => [r.merchant_id, r]));
  return new Map(unique.map((id) => [id, found.get(id) ?? { ...defaultNotificationSettings }]));
}

export async function upsertSettings(db: Db, merchantId: number, settings: NotificationSettings, nowMs: number): Promise<void> {
  const values = { ...settings, updated_at: new Date(nowMs) };
  await db.insertInto('notification_settings').values({ merchant_id: merchantId, ...values }).onDuplicateKeyUpdate(values).execute();
}

export async function templatesOf(db: Db, merchantId: number) {
  return db.selectFrom('notification_templates').selectAll().where('merchant_id', '=', merchantId).execute();
}

export async function upsertTemplate(db: Db, merchantId: number, kind: string, text: { title: string; body: string; enabled: boolean }, nowMs: number): Promise<void> {
  const values = { title: text.title, body: text.body, enabled: text.enabled ? 1 : 0, updated_at: new Date(nowMs) };
  await db.insertInto('notification_templates').values({ merchant_id: merchantId, kind, ...values }).onDuplicateKeyUpdate(values).execute();
}

// ── planning ──────────────────────────────────────────────────────────────────

export async function cursorOf(db: Db, name: string): Promise<number> {
  const row = await db.selectFrom('notification_cursors').select('last_event_id').where('name', '=', name).executeTakeFirst();
  return row ? Number(row.last_event_id) : 0;
}

export async function setCursor(db: Db, name: string, lastEventId: number, nowMs: number): Promise<void> {
  await db
    .insertInto('notification_cursors')
    .values({ name, last_event_id: lastEventId, updated_at: new Date(nowMs) })
    .onDuplicateKeyUpdate({ last_event_id: lastEventId, updated_at: new Date(nowMs) })
    .execute();
}

export async function eventsAfter(db: Db, afterId: number, limit: number) {
  return db.selectFrom('booking_events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** Plain insert-or-ignore on the dedupe key: planning the same thing twice adds nothing. */
export async function insertNotifications(db: Db, rows: NewNotification[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const result = await db.insertInto('notifications').ignore().values(rows.slice(i, i + 1000)).executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

// ── the sweeper ───────────────────────────────────────────────────────────────

/**
 * Claims due rows for sending: `FOR UPDATE SKIP LOCKED` lets two sweepers (a
 * leader change mid-tick) take disjoint rows instead of waiting or doubling.
 */
export async function claimDue(trx: Transaction<Database>, nowMs: number, limit: number): Promise<{ id: number; dueMs: number }[]> {
  const rows = await trx
    .selectFrom('notifications')
    .select(['id', 'due_at'])
    .where('status', '=', 'PENDING')
    .where('due_at', '<=', new Date(nowMs))
    .orderBy('due_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  const ids = rows.map((r) => r.id);
  if (ids.length > 0) await trx.updateTable('notifications').set({ status: 'QUEUED', updated_at: new Date(nowMs) }).where('id', 'in', ids).execute();
  return rows.map((r) => ({ id: r.id, dueMs: r.due_at.getTime() }));
}

/** Rows queued or mid-send whose job seems lost (worker died, enqueue failed): handed out again. */
export async function stuckNotifications(db: Db, olderThanMs: number, limit: number): Promise<{ id: number; attempts: number }[]> {
  return db
    .selectFrom('notifications')
    .select(['id', 'attempts'])
    .where('status', 'in', ['QUEUED', 'SENDING'])
    .where('updated_at', '<=', new Date(olderThanMs))
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function notificationById(db: Db, id: number): Promise<NotificationRow | undefined> {
  return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Compare-and-set status change; false if the row was not in one of `from`. */
export async function moveNotification(
  db: Db,
  id: number,
  from: readonly NotificationStatus[],
  changes: Partial<Pick<NotificationRow, 'status' | 'reason' | 'channel_used' | 'provider_ref' | 'due_at' | 'sending_at' | 'sent_at' | 'delivered_at'>> & { status: NotificationStatus },
  nowMs: number,
  countAttempt = false,
): Promise<boolean> {
  const result = await db
    .updateTable('notifications')
    .set((eb) => ({ ...changes, updated_at: new Date(nowMs), ...(countAttempt ? { attempts: eb('attempts', '+', 1) } : {}) }))
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Delivery reports: SENT rows with this provider reference become DELIVERED or FAILED (once). */
export async function recordDelivery(db: Db, providerRef: string, delivered: boolean, reason: string | null, atMs: number, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('notifications')
    .set(delivered ? { status: 'DELIVERED', delivered_at: new Date(atMs), updated_at: new Date(nowMs) } : { status: 'FAILED', reason, updated_at: new Date(nowMs) })
    .where('provider_ref', '=', providerRef)
    .where('status', '=', 'SENT')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ── consents and opt-outs ─────────────────────────────────────────────────────

export async function grantConsents(trx: Transaction<Database>, customerId: number, kinds: readonly string[], nowMs: number): Promise<void> {
  for (const kind of kinds) {
    await trx
      .insertInto('subscribe_consents')
      .values({ customer_id: customerId, kind, remaining: 1, updated_at: new Date(nowMs) })
      .onDuplicateKeyUpdate((eb) => ({ remaining: eb('remaining', '+', 1), updated_at: new Date(nowMs) }))
      .execute();
    await trx.insertInto('subscribe_consent_events').values({ customer_id: customerId, kind, delta: 1, notification_id: null, occurred_at: new Date(nowMs) }).execute();
  }
}

export async function remainingConsent(db: Db, customerId: number, kind: string): Promise<number> {
  const row = await db.selectFrom('subscribe_consents').select('remaining').where('customer_id', '=', customerId).where('kind', '=', kind).executeTakeFirst();
  return row?.remaining ?? 0;
}

export async function consentsOf(db: Db, customerId: number) {
  return db.selectFrom('subscribe_consents').select(['kind', 'remaining']).where('customer_id', '=', customerId).execute();
}

/** Uses one consent for this notification; false when none is left (the conditional UPDATE decides races). */
export async function consumeConsent(trx: Transaction<Database>, customerId: number, kind: string, notificationId: number, nowMs: number): Promise<boolean> {
  const result = await trx
    .updateTable('subscribe_consents')
    .set((eb) => ({ remaining: eb('remaining', '-', 1), updated_at: new Date(nowMs) }))
    .where('customer_id', '=', customerId)
    .where('kind', '=', kind)
    .where('remaining', '>', 0)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await trx.insertInto('subscribe_consent_events').values({ customer_id: customerId, kind, delta: -1, notification_id: notificationId, occurred_at: new Date(nowMs) }).execute();
  return true;
}

/** Undoes consumeConsent when the provider refused the message (nothing was sent). */
export async function returnConsent(trx: Transaction<Database>, customerId: number, kind: string, notificationId: number, nowMs: number): Promise<void> {
  await trx
    .updateTable('subscribe_consents')
    .set((eb) => ({ remaining: eb('remaining', '+', 1), updated_at: new Date(nowMs) }))
    .where('customer_id', '=', customerId)
    .where('kind', '=', kind)
    .execute();
  await trx.insertInto('subscribe_consent_events').values({ customer_id: customerId, kind, delta: 1, notification_id: notificationId, occurred_at: new Date(nowMs) }).execute();
}

/** True if this notification holds a consent: it spent one and did not give it back. */
export async function consentUsedBy(db: Db, notificationId: number): Promise<boolean> {
  const row = await db
    .selectFrom('subscribe_consent_events')
    .select((eb) => eb.fn.sum<string>('delta').as('net'))
    .where('notification_id', '=', notificationId)
    .executeTakeFirst();
  return Number(row?.net ?? 0) < 0;
}

/** WeChat said no consent is left although we counted one: believe WeChat. */
export async function zeroConsent(db: Db, customerId: number, kind: string, nowMs: number): Promise<void> {
  await db.updateTable('subscribe_consents').set({ remaining: 0, updated_at: new Date(nowMs) }).where('customer_id', '=', customerId).where('kind', '=', kind).execute();
}

export async function optOutsOf(db: Db, customerId: number, merchantId: number): Promise<{ all: boolean; sms: boolean; subscribe: boolean }> {
  const rows = await db.selectFrom('notification_optouts').select('channel').where('customer_id', '=', customerId).where('merchant_id', 'in', [0, merchantId]).execute();
  const channels = new Set(rows.map((r) => r.channel));
  return { all: channels.has('all'), sms: channels.has('sms'), subscribe: channels.has('subscribe') };
}

export async function setOptOut(db: Db, customerId: number, merchantId: number, channel: 'sms' | 'subscribe' | 'all', optedOut: boolean, nowMs: number): Promise<void> {
  if (optedOut) {
    await db.insertInto('notification_optouts').ignore().values({ customer_id: customerId, merchant_id: merchantId, channel, created_at: new Date(nowMs) }).execute();
  } else {
    await db.deleteFrom('notification_optouts').where('customer_id', '=', customerId).where('merchant_id', '=', merchantId).where('channel', '=', channel).execute();
  }
}

export async function optOutList(db: Db, customerId: number) {
  return db.selectFrom('notification_optouts').select(['merchant_id', 'channel']).where('customer_id', '=', customerId).execute();
}

// ── in-app notices ────────────────────────────────────────────────────────────

export async function insertNotice(db: Db, notice: Omit<NoticeRow, 'id' | 'read_at'>): Promise<void> {
  await db.insertInto('notices').ignore().values({ ...notice, read_at: null }).execute();
}

export type NoticeOwner = { audience: 'customer'; customerId: number } | { audience: 'merchant'; merchantId: number; storeId: number | null };

function ownedBy(db: Db, owner: NoticeOwner) {
  let query = db.selectFrom('notices');
  if (owner.audience === 'customer') return query.where('audience', '=', 'customer').where('customer_id', '=', owner.customerId);
  query = query.where('audience', '=', 'merchant').where('merchant_id', '=', owner.merchantId);
  return owner.storeId === null ? query : query.where((eb) => eb.or([eb('store_id', '=', owner.storeId), eb('store_id', 'is', null)]));
}

export async function listNotices(db: Db, owner: NoticeOwner, options: { unreadOnly: boolean; beforeId?: number | undefined; limit: number }): Promise<NoticeRow[]> {
  let query = ownedBy(db, owner).selectAll();
  if (options.unreadOnly) query = query.where('read_at', 'is', null);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

export async function unreadCount(db: Db, owner: NoticeOwner): Promise<number> {
  const row = await ownedBy(db, owner).select((eb) => eb.fn.countAll<number>().as('n')).where('read_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks notices read; ids of other owners are silently not matched (tenant isolation). */
export async function markRead(db: Db, owner: NoticeOwner, ids: readonly number[] | 'all', nowMs: number): Promise<number> {
  let query = db.updateTable('notices').set({ read_at: new Date(nowMs) }).where('read_at', 'is', null);
  if (owner.audience === 'customer') query = query.where('audience', '=', 'customer').where('customer_id', '=', owner.customerId);
  else {
    query = query.where('audience', '=', 'merchant').where('merchant_id', '=', owner.merchantId);
    if (owner.storeId !== null) query = query.where((eb) => eb.or([eb('store_id', '=', owner.storeId), eb('store_id', 'is', null)]));
  }
  if (ids !== 'all') {
    if (ids.length === 0) return 0;
    query = query.where('id', 'in', [...ids]);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// ── statistics ────────────────────────────────────────────────────────────────

export async function deliveryStats(db: Db, merchantId: number, fromMs: number, toMs: number) {
  const rows = await db
    .selectFrom('notifications')
    .select((eb) => ['channel_used', 'status', 'reason', eb.fn.countAll<number>().as('n')])
    .where('merchant_id', '=', merchantId)
    .where('audience', '=', 'customer')
    .where('created_at', '>=', new Date(fromMs))
    .where('created_at', '<', new Date(toMs))
    .groupBy(['channel_used', 'status', 'reason'])
    .execute();
  return rows.map((r) => ({ channel: r.channel_used, status: r.status, reason: r.reason, count: Number(r.n) }));
}

