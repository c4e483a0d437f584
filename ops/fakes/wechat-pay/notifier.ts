/**
 * Delivers notifications the way WeChat Pay does: an encrypted resource in a
 * signed envelope, POSTed to the notify URL, retried on anything but 200/204
 * along a schedule (WeChat's is 15 s … 6 h; tests compress it). Adversarial
 * variants (forged, SIGNTEST probe, stale timestamp, exact replay) are sent
 * once and never retried: they exist to be refused.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import type { Clock } from '../../../core/src/clock.ts';
import { encryptResource } from '../../../core/src/wechatpay/aead.ts';
import { createNonce, signWechatpayMessage, SIGNTEST_PREFIX } from '../../../core/src/wechatpay/signing.ts';
import { toWechatTime } from '../../../core/src/wechatpay/time.ts';

/** WeChat's documented cadence (≈ 24 h in total). */
export const WECHAT_NOTIFY_RETRY_SCHEDULE_MS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600].map((s) => s * 1000);
/** WeChat gives the merchant 5 s to answer. */
const DELIVERY_TIMEOUT_MS = 5_000;

export type NotifyVariant = 'normal' | 'forged' | 'signtest' | 'stale-timestamp' | 'replay';

export interface NotifyAttempt {
  atMs: number;
  /** null when the connection failed or timed out. */
  status: number | null;
  error?: string;
}

export interface NotifyDelivery {
  /** Unique per delivery; several deliveries can carry one event id (retries, duplicates). */
  deliveryId: number;
  eventId: string;
  eventType: string;
  outTradeNo: string;
  outRefundNo: string | undefined;
  url: string;
  variant: NotifyVariant;
  attempts: NotifyAttempt[];
  /** Answered 200 or 204. */
  received: boolean;
  /** No attempt is pending any more. */
  finished: boolean;
}

export interface NotifyEvent {
  eventId: string;
  eventType: string;
  summary: string;
  originalType: 'transaction' | 'refund';
  resource: object;
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  createTimeMs: number;
}

interface Sent {
  headers: Record<string, string>;
  body: string;
}

export interface NotifierOptions {
  clock: Clock;
  apiV3Key: string;
  wechatpayPrivateKey: KeyObject;
  wechatpayPublicKeyId: string;
  retryScheduleMs: readonly number[];
}

export function newEventId(): string {
  return `EV-${randomBytes(10).toString('hex').toUpperCase()}`;
}

export class Notifier {
  private readonly options: NotifierOptions;
  private readonly deliveries: NotifyDelivery[] = [];
  /** The bytes of each event as first built: retries and duplicates resend the same body, re-signed. */
  private readonly bodies = new Map<string, string>();
  /** The last request that reached the merchant for each event, for exact replays. */
  private readonly lastSent = new Map<string, Sent>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private forgeryKey: KeyObject | undefined;
  private nextDeliveryId = 1;

  constructor(options: NotifierOptions) {
    this.options = options;
  }

  log(): NotifyDelivery[] {
    return this.deliveries.map((delivery) => ({ ...delivery, attempts: [...delivery.attempts] }));
  }

  /** Resolves once no delivery or retry is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  send(event: NotifyEvent, variant: NotifyVariant, delayMs = 0): NotifyDelivery {
    const body = this.bodyOf(event);
    const delivery: NotifyDelivery = {
      deliveryId: this.nextDeliveryId++,
      eventId: event.eventId,
      eventType: event.eventType,
      outTradeNo: event.outTradeNo,
      outRefundNo: event.outRefundNo,
      url: event.url,
      variant,
      attempts: [],
      received: false,
      finished: false,
    };
    if (variant === 'replay' && !this.lastSent.has(event.eventId)) throw new Error(`event ${event.eventId} was never delivered, nothing to replay`);
    this.deliveries.push(delivery);
    this.pending += 1;
    this.schedule(delayMs, () => this.attempt(delivery, body, 0));
    return delivery;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending = 0;
    this.flushIdle();
  }

  private bodyOf(event: NotifyEvent): string {
    const existing = this.bodies.get(event.eventId);
    if (existing !== undefined) return existing;
    const nonce = createNonce(12);
    const body = JSON.stringify({
      id: event.eventId,
      create_time: toWechatTime(event.createTimeMs),
      resource_type: 'encrypt-resource',
      event_type: event.eventType,
      summary: event.summary,
      resource: {
        original_type: event.originalType,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptResource({ apiV3Key: this.options.apiV3Key, nonce, associatedData: event.originalType, plaintext: JSON.stringify(event.resource) }),
        associated_data: event.originalType,
        nonce,
      },
    });
    this.bodies.set(event.eventId, body);
    return body;
  }

  private headersFor(delivery: NotifyDelivery, body: string): Record<string, string> {
    const { clock, wechatpayPrivateKey, wechatpayPublicKeyId } = this.options;
    const nowSeconds = Math.floor(clock.now() / 1000);
    switch (delivery.variant) {
      case 'normal':
        return signWechatpayMessage(body, wechatpayPrivateKey, wechatpayPublicKeyId, nowSeconds);
      case 'stale-timestamp':
        return signWechatpayMessage(body, wechatpayPrivateKey, wechatpayPublicKeyId, nowSeconds - 301);
      case 'forged':
        // Right serial, wrong key: what someone without WeChat's private key can produce.
        this.forgeryKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
        return signWechatpayMessage(body, this.forgeryKey, wechatpayPublicKeyId, nowSeconds);
      case 'signtest': {
        const headers = signWechatpayMessage(body, wechatpayPrivateKey, wechatpayPublicKeyId, nowSeconds);
        return { ...headers, 'Wechatpay-Signature': `${SIGNTEST_PREFIX}${headers['Wechatpay-Signature']}` };
      }
      case 'replay':
        return this.lastSent.get(delivery.eventId)?.headers ?? {};
    }
  }

  private async attempt(delivery: NotifyDelivery, body: string, retriesDone: number): Promise<void> {
    if (this.stopped) return;
    const headers = this.headersFor(delivery, body);
    const attempt: NotifyAttempt = { atMs: this.options.clock.now(), status: null };
    delivery.attempts.push(attempt);
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json', 'User-Agent': 'Mozilla/4.0', Accept: '*/*' },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      attempt.status = response.status;
    } catch (error) {
      attempt.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (this.stopped) return;
    if (attempt.status === 200 || attempt.status === 204) {
      delivery.received = true;
      if (delivery.variant === 'normal') this.lastSent.set(delivery.eventId, { headers, body });
      return this.finish(delivery);
    }
    const wait = this.options.retryScheduleMs[retriesDone];
    if (delivery.variant !== 'normal' || wait === undefined) return this.finish(delivery);
    this.schedule(wait, () => this.attempt(delivery, body, retriesDone + 1));
  }

  private schedule(delayMs: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    this.timers.add(timer);
  }

  private finish(delivery: NotifyDelivery): void {
    delivery.finished = true;
    this.pending -= 1;
    if (this.pending === 0) this.flushIdle();
  }

  private flushIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
