import { findBooking } from '../../../db/src/repositories/booking.repository.ts';
import { findCustomer } from '../../../db/src/repositories/customer.repository.ts';
import {
  consentUsedBy,
  consumeConsent,
  returnConsent,
  insertNotice,
  moveNotification,
  notificationById,
  optOutsOf,
  remainingConsent,
  settingsOf,
  templatesOf,
  zeroConsent,
} from '../../../db/src/repositories/notification.repository.ts';
import type { NotificationRow, NotificationStatus } from '../../../db/src/tables/notification.table.ts';
import { inTransaction } from '../../../db/src/transaction.ts';
import { messagesFor } from '../i18n/index.ts';
import { choosePush } from '../notifications/channel-choice.ts';
import { SMS_SAME_CONTENT_THROTTLE } from '../notifications/channels.ts';
import { isNotificationKind, type NotificationKind } from '../notifications/kinds.ts';
import { smsParams, subscribeData } from '../notifications/payloads.ts';
import { smsTiming } from '../notifications/timing.ts';
import { type NotificationFacts, render } from '../notifications/variables.ts';
import { decryptPhone } from '../pii/phone.ts';
import type { NotifyDeps } from './notify-deps.ts';

export type SendResult =
  | { kind: 'final'; status: NotificationStatus }
  | { kind: 'not-due' }
  | { kind: 'deferred'; untilMs: number }
  | { kind: 'sent'; channel: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string };

/** Thrown for failures worth another attempt; the job's backoff retries, the row is back in QUEUED. */
export class RetryableSendError extends Error {
  override name = 'RetryableSendError';
}

/** Tencent refuses the same template to the same number for 30 s; stay well inside that. */
const UNCERTAIN_SMS_RESEND_WINDOW_MS = 25_000;
/** Provider calls per message before it is given up (each after the job's backoff). */
export const MAX_SEND_ATTEMPTS = 8;
const FINAL: readonly NotificationStatus[] = ['SENT', 'DELIVERED', 'FAILED', 'SKIPPED'];
/** Kinds that speak of an appointment still to come: pointless once the booking is no longer confirmed. */
const NEEDS_ACTIVE_BOOKING: ReadonlySet<string> = new Set(['REMINDER', 'BOOKING_CONFIRMED', 'BOOKING_CHANGED']);

/**
 * Sends one notification, once. The row is the state: a send is claimed by
 * moving it to SENDING before the provider is called. A job that finds its
 * row already SENDING knows the previous attempt died mid-call and cannot
 * know whether the message went out; it resends and lets the provider's own
 * rule tell: Tencent refuses the same template to the same number within
 * 30 s, WeChat refuses a second use of one consent (43101) — either answer
 * means the first attempt went out, and the row becomes SENT without a second
 * message.
 */
export async function sendNotification(deps: NotifyDeps, id: number): Promise<SendResult> {
  const row = await notificationById(deps.db, id);
  if (!row) return { kind: 'final', status: 'SKIPPED' };
  if (FINAL.includes(row.status)) return { kind: 'final', status: row.status };
  const now = deps.clock.now();
  if (row.due_at.getTime() > now) return { kind: 'not-due' };
  if (!isNotificationKind(row.kind)) return finish(deps, row, 'SKIPPED', `UNKNOWN_KIND:${row.kind}`);
  // A message that kept failing for a retryable reason ends FAILED with that reason instead of retrying for ever.
  if (row.status === 'QUEUED' && row.attempts >= MAX_SEND_ATTEMPTS) return finish(deps, row, 'FAILED', `GAVE_UP:${(row.reason ?? '').replace(/^RETRY:/, '')}`.slice(0, 120));
  if (row.status === 'SENDING' && row.attempts >= MAX_SEND_ATTEMPTS) return finish(deps, row, 'FAILED', 'OUTCOME_UNKNOWN');
  const facts = JSON.parse(row.variables) as NotificationFacts;

  const stale = await staleReason(deps, row, facts);
  if (stale) return finish(deps, row, 'SKIPPED', stale);

  const text = await wording(deps, row.merchant_id, row.kind, facts);
  // A kind the merchant switched off is off on every channel.
  if (text.disabled) return finish(deps, row, 'SKIPPED', 'DISABLED_BY_MERCHANT');
  if (row.channel === 'inapp') {
    await inTransaction(deps.db, async (trx) => {
      await insertNotice(trx, {
        notification_id: row.id,
        audience: row.audience,
        customer_id: row.customer_id,
        merchant_id: row.merchant_id,
        store_id: row.store_id,
        booking_id: row.booking_id,
        kind: row.kind,
        title: text.title,
        body: text.body,
        created_at: new Date(now),
      });
      await moveNotification(trx, row.id, ['PENDING', 'QUEUED', 'SENDING'], { status: 'DELIVERED', channel_used: 'inapp', sent_at: new Date(now), delivered_at: new Date(now) }, now);
    });
    return { kind: 'sent', channel: 'inapp' };
  }
  return push(deps, row, row.kind, facts, text.body);
}

async function push(deps: NotifyDeps, row: NotificationRow, kind: NotificationKind, facts: NotificationFacts, remark: string): Promise<SendResult> {
  const now = deps.clock.now();
  const customerId = row.customer_id;
  if (customerId === null) return finish(deps, row, 'SKIPPED', 'NO_RECIPIENT');
  const [settings, optedOut, customer, consent] = await Promise.all([
    settingsOf(deps.db, [row.merchant_id]).then((m) => m.get(row.merchant_id)!),
    optOutsOf(deps.db, customerId, row.merchant_id),
    findCustomer(deps.db, customerId),
    remainingConsent(deps.db, customerId, kind),
  ]);
  if (!customer) return finish(deps, row, 'SKIPPED', 'NO_RECIPIENT');
  // SENDING at the start of a job: the previous attempt died between claiming and recording the answer.
  const uncertain = row.status === 'SENDING';
  // A subscribe message this row can never send (bad openid, template, data): SMS is its fallback.
  const subscribeRuledOut = row.reason?.startsWith('FALLBACK:') ?? false;
  // A resend after a crash goes where the first attempt went.
  const choice =
    uncertain && row.channel_used
      ? { channel: row.channel_used as 'sms' | 'subscribe' }
      : choosePush({
          subscribeEnabled: !subscribeRuledOut && settings.subscribe_enabled === 1 && deps.subscribe !== null && deps.templates.subscribe[kind] !== undefined,
          smsEnabled: settings.sms_enabled === 1 && deps.sms !== null && deps.templates.sms[kind] !== undefined,
          hasConsent: consent > 0,
          hasPhone: customer.phone_enc !== null && customer.phone_key_id !== null,
          optedOut,
        });
  if ('skip' in choice) {
    // Subscribe failed for good and SMS is no way out either: the subscribe failure is the honest reason.
    if (subscribeRuledOut && choice.skip === 'NO_CHANNEL') return finish(deps, row, 'FAILED', row.reason!.slice('FALLBACK:'.length));
    return finish(deps, row, 'SKIPPED', choice.skip);
  }

  if (choice.channel === 'sms' && !uncertain) {
    const store = await deps.db.selectFrom('stores').select('timezone').where('id', '=', row.store_id).executeTakeFirst();
    const timing = smsTiming(now, { startMinute: settings.quiet_start_minute, endMinute: settings.quiet_end_minute, timeZone: store?.timezone ?? facts.timezone }, facts.startMs);
    if (timing.kind === 'defer') {
      await moveNotification(deps.db, row.id, ['PENDING', 'QUEUED'], { status: 'PENDING', due_at: new Date(timing.untilMs), reason: 'QUIET_HOURS' }, now);
      return { kind: 'deferred', untilMs: timing.untilMs };
    }
  }

  if (!uncertain) {
    const claimed = await inTransaction(deps.db, async (trx) => {
      if (!(await moveNotification(trx, row.id, ['PENDING', 'QUEUED'], { status: 'SENDING', channel_used: choice.channel, sending_at: new Date(now), reason: null }, now, true))) return 'lost';
      if (choice.channel === 'subscribe' && !(await consumeConsent(trx, customerId, kind, row.id, now))) return 'no-consent';
      return 'ok';
    });
    if (claimed === 'lost') return { kind: 'final', status: (await notificationById(deps.db, row.id))?.status ?? 'SKIPPED' };
    if (claimed === 'no-consent') throw new RetryableSendError('consent used up by a concurrent send; choosing again');
  }

  return choice.channel === 'subscribe' ? viaSubscribe(deps, row, kind, facts, remark, customer.openid, uncertain) : viaSms(deps, row, kind, facts, customer, uncertain);
}

async function viaSubscribe(deps: NotifyDeps, row: NotificationRow, kind: NotificationKind, facts: NotificationFacts, remark: string, openid: string, uncertain: boolean): Promise<SendResult> {
  const answer = await deps.subscribe!.send({
    openid,
    templateId: deps.templates.subscribe[kind]!,
    page: `${deps.bookingPage}?id=${row.booking_id ?? ''}&n=${row.id}`,
    data: subscribeData(kind, facts, remark),
  });
  const now = deps.clock.now();
  if (answer.kind === 'sent') return sent(deps, row, 'subscribe', answer.msgid, null);
  if (answer.noConsent) {
    // Our ledger spent a consent on this message before the crash, and WeChat has none left: the first attempt went out.
    if (uncertain && (await consentUsedBy(deps.db, row.id))) return sent(deps, row, 'subscribe', null, 'ACCEPTED_BEFORE_RESTART');
    await zeroConsent(deps.db, row.customer_id!, kind, now);
    await moveNotification(deps.db, row.id, ['SENDING'], { status: 'QUEUED', channel_used: null, reason: 'SUBSCRIBE_NO_CONSENT' }, now);
    throw new RetryableSendError('WeChat has no consent left; falling back');
  }
  if (answer.retryable) {
    // A recovery stays a recovery until WeChat answers: the crashed attempt may still have gone out.
    if (uncertain) return stillUncertain(deps, row, `SUBSCRIBE_${answer.reason}`);
    // WeChat refused, so nothing went out and the consent is still there: give it back and try again later.
    await inTransaction(deps.db, async (trx) => {
      if (await moveNotification(trx, row.id, ['SENDING'], { status: 'QUEUED', reason: `RETRY:SUBSCRIBE_${answer.reason}` }, now)) {
        await returnConsent(trx, row.customer_id!, kind, row.id, now);
      }
    });
    throw new RetryableSendError(`subscribe send failed: ${answer.reason}`);
  }
  // Refused for good (openid, template, data): WeChat kept the consent; give ours back and let SMS carry the message.
  await inTransaction(deps.db, async (trx) => {
    if (await moveNotification(trx, row.id, ['SENDING'], { status: 'QUEUED', channel_used: null, reason: `FALLBACK:SUBSCRIBE_${answer.reason}` }, now)) {
      await returnConsent(trx, row.customer_id!, kind, row.id, now);
    }
  });
  throw new RetryableSendError(`subscribe refused (${answer.reason}); falling back to SMS`);
}

async function viaSms(deps: NotifyDeps, row: NotificationRow, kind: NotificationKind, facts: NotificationFacts, customer: { phone_enc: Buffer | null; phone_key_id: number | null }, uncertain: boolean): Promise<SendResult> {
  // Tencent's 30-second rule can only vouch for an earlier send within 30 s; beyond that a resend could be a duplicate.
  if (uncertain && deps.clock.now() - (row.sending_at?.getTime() ?? 0) > UNCERTAIN_SMS_RESEND_WINDOW_MS) {
    return finish(deps, row, 'FAILED', 'SMS_OUTCOME_UNKNOWN');
  }
  const phone = decryptPhone(customer.phone_enc!, customer.phone_key_id!, deps.phoneKeys);
  const answer = await deps.sms!.send({ phone, templateId: deps.templates.sms[kind]!, params: smsParams(kind, facts), sessionContext: `n${row.id}` });
  if (answer.kind === 'accepted') return sent(deps, row, 'sms', answer.serialNo, null);
  if (uncertain && answer.code === SMS_SAME_CONTENT_THROTTLE) return sent(deps, row, 'sms', null, 'ACCEPTED_BEFORE_RESTART');
  if (answer.retryable) {
    if (uncertain) return stillUncertain(deps, row, `SMS_${answer.code}`);
    // The provider refused, so nothing went out: back to QUEUED, and the retry is a plain send, not a recovery.
    await moveNotification(deps.db, row.id, ['SENDING'], { status: 'QUEUED', reason: `RETRY:SMS_${answer.code}`.slice(0, 120) }, deps.clock.now());
    throw new RetryableSendError(`sms send failed: ${answer.code}`);
  }
  return finish(deps, row, 'FAILED', `SMS_${answer.code}`.slice(0, 120));
}

/**
 * A resend after a crash was refused for a passing reason. The row stays SENDING, so the next attempt is
 * a recovery again (checking with the provider whether the first one went out) and never a plain send
 * that could duplicate it.
 */
async function stillUncertain(deps: NotifyDeps, row: NotificationRow, code: string): Promise<never> {
  await moveNotification(deps.db, row.id, ['SENDING'], { status: 'SENDING', reason: `UNCERTAIN:${code}`.slice(0, 120) }, deps.clock.now(), true);
  throw new RetryableSendError(`recovery send refused (${code}); still uncertain`);
}

async function sent(deps: NotifyDeps, row: NotificationRow, channel: string, providerRef: string | null, reason: string | null): Promise<SendResult> {
  const now = deps.clock.now();
  await moveNotification(deps.db, row.id, ['SENDING'], { status: 'SENT', channel_used: channel, provider_ref: providerRef, sent_at: new Date(now), reason }, now);
  return { kind: 'sent', channel };
}

async function finish(deps: NotifyDeps, row: NotificationRow, status: 'SKIPPED' | 'FAILED', reason: string): Promise<SendResult> {
  await moveNotification(deps.db, row.id, ['PENDING', 'QUEUED', 'SENDING'], { status, reason }, deps.clock.now());
  return status === 'SKIPPED' ? { kind: 'skipped', reason } : { kind: 'failed', reason };
}

/** Why a message no longer makes sense (a reminder of a cancelled or moved booking), or null. */
async function staleReason(deps: NotifyDeps, row: NotificationRow, facts: NotificationFacts): Promise<string | null> {
  if (!row.booking_id || !NEEDS_ACTIVE_BOOKING.has(row.kind)) return null;
  const booking = await findBooking(deps.db, row.booking_id);
  if (!booking) return 'BOOKING_GONE';
  if (booking.status !== 'CONFIRMED') return `BOOKING_${booking.status}`;
  if (facts.startMs !== null && booking.starts_at.getTime() !== facts.startMs) return 'BOOKING_MOVED';
  return null;
}

async function wording(deps: NotifyDeps, merchantId: number, kind: NotificationKind, facts: NotificationFacts): Promise<{ title: string; body: string; disabled: boolean }> {
  const custom = (await templatesOf(deps.db, merchantId)).find((t) => t.kind === kind);
  const fallback = messagesFor('zh-CN').notifications[kind];
  const title = custom?.title ?? fallback.title;
  const body = custom?.body ?? fallback.body;
  return { title: render(title, facts), body: render(body, facts), disabled: custom !== undefined && custom.enabled === 0 };
}
