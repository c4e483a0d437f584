/**
 * Payment and refund notifications, with no HTTP framework: the caller hands
 * over the headers and the raw body bytes exactly as received (re-serialized
 * JSON would break the signature) and gets the decrypted resource or a
 * WechatPayError whose code says what was wrong. Answer 200/204 on success and
 * 4xx/5xx otherwise; WeChat retries until it gets a 200/204.
 */
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { decryptResource } from './aead.ts';
import type { WechatPayCredentials } from './credentials.ts';
import { WechatPayError } from './errors.ts';
import { checkWechatpaySignature, type HeaderBag, MAX_CLOCK_SKEW_SECONDS, wechatpaySignatureHeaders } from './signing.ts';
import { type RefundNotice, refundNoticeSchema, type Transaction, transactionSchema } from './types.ts';

/**
 * Remembers notify nonces so a captured notification cannot be replayed
 * within the accepted clock window. Back it with something shared by every
 * process that receives notifies (e.g. Redis `SET key 1 NX EX ttl`).
 */
export interface NonceStore {
  /** True when the nonce was not seen before (and is now taken), false when it was. */
  claim(nonce: string, ttlSeconds: number): Promise<boolean>;
}

/** For tests and single-process tools; forgets entries after their TTL on the given clock. */
export function memoryNonceStore(clock: Clock): NonceStore & { size(): number } {
  const expiries = new Map<string, number>();
  return {
    async claim(nonce, ttlSeconds) {
      const now = clock.now();
      for (const [key, expiresAt] of expiries) if (expiresAt <= now) expiries.delete(key);
      if (expiries.has(nonce)) return false;
      expiries.set(nonce, now + ttlSeconds * 1000);
      return true;
    },
    size: () => expiries.size,
  };
}

/**
 * Long enough to outlive the whole window a timestamp is accepted in (±300 s),
 * so a nonce can never be claimed twice while its signature still verifies.
 */
export const NOTIFY_NONCE_TTL_SECONDS = 2 * MAX_CLOCK_SKEW_SECONDS + 60;

export type NotificationEventType = 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED' | (string & {});

interface NotificationBase {
  /** Event id (`EV-…`); the same on every retry of one event, so it can be stored for idempotency. */
  id: string;
  eventType: NotificationEventType;
  createTime: string;
  summary: string;
}

export type WechatPayNotification =
  | (NotificationBase & { originalType: 'transaction'; resource: Transaction })
  | (NotificationBase & { originalType: 'refund'; resource: RefundNotice });

const envelopeSchema = z.looseObject({
  id: z.string().min(1),
  create_time: z.string(),
  event_type: z.string().min(1),
  resource_type: z.string(),
  summary: z.string().catch(''),
  resource: z.looseObject({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1),
    nonce: z.string().min(1),
    associated_data: z.string().optional(),
    original_type: z.string(),
  }),
});

export interface NotificationInput {
  headers: HeaderBag;
  rawBody: Buffer | string;
}

export interface NotificationDeps {
  credentials: Pick<WechatPayCredentials, 'platformKeys' | 'apiV3Key'>;
  clock: Clock;
  nonceStore: NonceStore;
}

function fail(code: ConstructorParameters<typeof WechatPayError>[0]['code'], message: string, cause?: unknown): WechatPayError {
  return new WechatPayError({ code, message, retryable: false, cause });
}

export async function verifyAndDecryptNotification(input: NotificationInput, deps: NotificationDeps): Promise<WechatPayNotification> {
  const signatureHeaders = wechatpaySignatureHeaders(input.headers);
  const check = checkWechatpaySignature(signatureHeaders, input.rawBody, deps.credentials.platformKeys, deps.clock.now());
  if (!check.ok) {
    switch (check.reason) {
      case 'UNKNOWN_SERIAL':
        throw fail('NOTIFY_UNKNOWN_SERIAL', 'notify signed with an unknown Wechatpay-Serial');
      case 'TIMESTAMP_SKEW':
        throw fail('NOTIFY_TIMESTAMP_SKEW', `notify timestamp is ${MAX_CLOCK_SKEW_SECONDS} s or more away from now`);
      case 'SIGNTEST_PROBE':
        throw fail('NOTIFY_SIGNATURE_INVALID', 'notify is a WECHATPAY/SIGNTEST/ signature probe; refused as WeChat requires');
      case 'MISSING_HEADERS':
      case 'SIGNATURE_INVALID':
        throw fail('NOTIFY_SIGNATURE_INVALID', check.reason === 'MISSING_HEADERS' ? 'notify lacks Wechatpay-* headers' : 'notify signature does not verify');
    }
  }

  let envelope: z.infer<typeof envelopeSchema>;
  try {
    const text = typeof input.rawBody === 'string' ? input.rawBody : input.rawBody.toString('utf8');
    envelope = envelopeSchema.parse(JSON.parse(text));
  } catch (error) {
    throw fail('NOTIFY_MALFORMED', 'notify body is not a WeChat Pay notification', error);
  }

  let plaintext: string;
  try {
    plaintext = decryptResource({
      apiV3Key: deps.credentials.apiV3Key,
      nonce: envelope.resource.nonce,
      associatedData: envelope.resource.associated_data ?? '',
      ciphertext: envelope.resource.ciphertext,
    });
  } catch (error) {
    throw fail('NOTIFY_DECRYPT_FAILED', 'notify resource does not decrypt with the APIv3 key', error);
  }

  const base: NotificationBase = { id: envelope.id, eventType: envelope.event_type, createTime: envelope.create_time, summary: envelope.summary };
  let notification: WechatPayNotification;
  try {
    const resource: unknown = JSON.parse(plaintext);
    if (envelope.resource.original_type === 'transaction') notification = { ...base, originalType: 'transaction', resource: transactionSchema.parse(resource) };
    else if (envelope.resource.original_type === 'refund') notification = { ...base, originalType: 'refund', resource: refundNoticeSchema.parse(resource) };
    else throw fail('NOTIFY_UNSUPPORTED_RESOURCE', `notify resource type ${JSON.stringify(envelope.resource.original_type)} is not handled`);
  } catch (error) {
    if (error instanceof WechatPayError) throw error;
    throw fail('NOTIFY_MALFORMED', 'decrypted notify resource has an unexpected shape', error);
  }

  // Claimed last: a notify that fails any check above must not use up its nonce.
  const nonce = signatureHeaders.nonce ?? '';
  if (!(await deps.nonceStore.claim(nonce, NOTIFY_NONCE_TTL_SECONDS))) throw fail('NOTIFY_REPLAYED', 'notify nonce was already used');
  return notification;
}
