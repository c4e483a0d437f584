import { insertNotifications, settingsOf } from '../../../db/src/repositories/notification.repository.ts';
import type { NewNotification } from '../../../db/src/tables/notification.table.ts';
import type { NotificationFacts } from '../notifications/variables.ts';
import { DAY_MS, localDateOf, MINUTE_MS, zonedToInstant } from '../time/zoned.ts';
import type { LifecycleDeps } from './deps.ts';

/**
 * The merchant's evening digest (tomorrow's bookings per store) and Monday's
 * weekly report, planned as in-app notices. Run every few minutes: a store is
 * due once its local clock passes the digest time, and the dedupe key (store
 * and date) makes every later run, or a run after downtime, a no-op.
 */
export async function planDigests(deps: LifecycleDeps): Promise<number> {
  const now = deps.clock.now();
  const stores = await deps.db.selectFrom('stores').select(['id', 'merchant_id', 'name', 'timezone']).where('status', '=', 'active').execute();
  const settings = await settingsOf(deps.db, stores.map((s) => s.merchant_id));
  const rows: NewNotification[] = [];
  for (const store of stores) {
    const today = localDateOf(now, store.timezone);
    const digestAt = zonedToInstant(today, settings.get(store.merchant_id)!.digest_minute, store.timezone);
    if (now < digestAt) continue;
    const tomorrow = localDateOf(zonedToInstant(today, 0, store.timezone) + DAY_MS + 60 * MINUTE_MS, store.timezone);
    const count = await deps.db
      .selectFrom('bookings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', store.id)
      .where('local_date', '=', tomorrow)
      .where('status', 'in', ['CONFIRMED', 'AWAITING_PAYMENT'])
      .executeTakeFirstOrThrow();
    rows.push(merchantNotice(store, 'DAILY_DIGEST', `digest:${store.id}:${tomorrow}`, { count: Number(count.n), date: tomorrow, amountFen: null }, now));

    // Weekly report on Mondays (local), about the seven days before.
    const weekday = new Date(zonedToInstant(today, 12 * 60, store.timezone)).getUTCDay();
    if (weekday === 1) {
      const from = new Date(zonedToInstant(today, 0, store.timezone) - 7 * DAY_MS);
      const to = new Date(zonedToInstant(today, 0, store.timezone));
      const [done, money] = await Promise.all([
        deps.db
          .selectFrom('bookings')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('store_id', '=', store.id)
          .where('status', '=', 'COMPLETED')
          .where('starts_at', '>=', from)
          .where('starts_at', '<', to)
          .executeTakeFirstOrThrow(),
        deps.db
          .selectFrom('ledger_entries')
          .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount_fen'), eb.val('0')).as('fen'))
          .where('store_id', '=', store.id)
          .where('occurred_at', '>=', from)
          .where('occurred_at', '<', to)
          .executeTakeFirstOrThrow(),
      ]);
      rows.push(merchantNotice(store, 'WEEKLY_REPORT', `weekly:${store.id}:${today}`, { count: Number(done.n), date: today, amountFen: Number(money.fen) }, now));
    }
  }
  return insertNotifications(deps.db, rows);
}

function merchantNotice(
  store: { id: number; merchant_id: number; name: string; timezone: string },
  kind: 'DAILY_DIGEST' | 'WEEKLY_REPORT',
  dedupeKey: string,
  values: { count: number; date: string; amountFen: number | null },
  now: number,
): NewNotification {
  const facts: NotificationFacts = {
    storeName: store.name,
    serviceName: '',
    startMs: null,
    timezone: store.timezone,
    amountFen: values.amountFen,
    checkinCode: null,
    customerLabel: '',
    count: values.count,
    date: values.date,
  };
  return {
    dedupe_key: dedupeKey,
    merchant_id: store.merchant_id,
    store_id: store.id,
    booking_id: null,
    audience: 'merchant',
    customer_id: null,
    kind,
    channel: 'inapp',
    channel_used: null,
    status: 'PENDING',
    reason: null,
    variables: JSON.stringify(facts),
    due_at: new Date(now),
    provider_ref: null,
    sending_at: null,
    sent_at: null,
    delivered_at: null,
    created_at: new Date(now),
    updated_at: new Date(now),
  };
}
