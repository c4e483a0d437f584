/**
 * A thin typed sender over the official Tencent Cloud SDK's SendSms
 * (API 2021-01-11, TC3-HMAC-SHA256 signed by the SDK). It never throws for
 * anything Tencent or the network does: every outcome is an SmsSendResult
 * with a retryable flag (see classification.ts), so the job that sends it
 * decides retries on data, not on exception types.
 *
 * Only the SMS client module is imported (≈ 60–95 ms cold on Node 24); the
 * SDK's root entry loads every Tencent Cloud product (≈ 300 ms more).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Client } from 'tencentcloud-sdk-nodejs/tencentcloud/services/sms/v20210111/sms_client.js';
import { type Clock, systemClock } from '../clock.ts';
import { maskPhone, normalizePhone } from '../pii/phone.ts';
import { failed, resultFromError, resultFromResponse, type SmsSendResult } from './result.ts';

export const SMS_REGIONS = ['ap-guangzhou', 'ap-beijing', 'ap-nanjing'] as const;
export type SmsRegion = (typeof SMS_REGIONS)[number];

export const DEFAULT_SMS_ENDPOINT = 'sms.tencentcloudapi.com';
const DEFAULT_TIMEOUT_MS = 10_000;
/** Tencent: "SessionContext … 长度需小于512字节". */
const MAX_SESSION_CONTEXT_BYTES = 511;

export interface SmsSenderConfig {
  secretId: string;
  secretKey: string;
  /** Sent as X-TC-Region. Default ap-guangzhou. */
  region?: SmsRegion;
  /**
   * host[:port], no scheme: sms.tencentcloudapi.com (default) or the local fake (127.0.0.1:9104).
   * The SDK signs with service = the host's first label, so a host that does not start with
   * `sms.` signs as another service; the fake accepts that, Tencent would not (see connectTo).
   */
  endpoint?: string;
  /** 'https://' (default); 'http://' only for the local fake. */
  protocol?: 'https://' | 'http://';
  /**
   * Connect to this IP address whatever the endpoint's host name resolves to. With
   * endpoint `sms.tencentcloudapi.com:9104` + connectTo `127.0.0.1` the fake receives requests
   * byte-identical to production ones (Host and credential scope `sms`).
   */
  connectTo?: string;
  /** An explicit HTTP(S) proxy URL. Without it the SDK's silent `http_proxy` fallback is switched off. */
  proxy?: string;
  smsSdkAppId: string;
  /** The approved signature, e.g. 智约; Tencent prepends it as 【智约】. */
  signName: string;
  /** Whole request, connect to last byte. Default 10 000 ms (the SDK's own default is 60 s). */
  timeoutMs?: number;
}

export interface SmsMessage {
  /** +86 followed by 11 digits, or the 11 mainland digits (spaces and dashes are tolerated). */
  phone: string;
  /** An approved template id. */
  templateId: string;
  /** One string per template variable, in order. */
  params: readonly string[];
  /** Echoed by Tencent in the answer (< 512 bytes); use an id of ours, never personal data. */
  sessionContext?: string;
}

/** One SendSms call, for logs and metrics. The phone is masked; nothing else personal is in it. */
export interface SmsExchange {
  action: 'SendSms';
  /** From the injected clock, so logs line up with the rest of the process. */
  atMs: number;
  durationMs: number;
  phoneMasked: string;
  templateId: string;
  /** 'Ok' or the failure code. */
  code: string;
  requestId: string | null;
}

export interface SmsSender {
  send(message: SmsMessage): Promise<SmsSendResult>;
}

export interface SmsSenderOptions {
  /**
   * Stamps exchanges. It does not sign: the SDK takes X-TC-Timestamp from the system
   * time (which is what Tencent checks), so a shifted demo clock never causes
   * AuthFailure.SignatureExpire upstream; a fake must then run on the system clock too.
   */
  clock?: Clock;
  onExchange?: (exchange: SmsExchange) => void;
}

/** `+8613812345678`, or null when it is not a mainland mobile number. */
export function toMainlandE164(phone: string): string | null {
  try {
    return `+86${normalizePhone(phone)}`;
  } catch {
    return null;
  }
}

function connectLookup(address: string): LookupFunction {
  const family = isIP(address);
  if (family === 0) throw new Error('connectTo must be an IP address');
  // Node asks with { all: true } when autoSelectFamily is on (the default), and expects an array then.
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

export function createSmsSender(config: SmsSenderConfig, options: SmsSenderOptions = {}): SmsSender {
  const clock = options.clock ?? systemClock;
  const protocol = config.protocol ?? 'https://';
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!config.secretId || !config.secretKey) throw new Error('SMS sender needs secretId and secretKey');
  if (!config.smsSdkAppId || !config.signName) throw new Error('SMS sender needs smsSdkAppId and signName');

  const lookup = config.connectTo === undefined ? undefined : connectLookup(config.connectTo);
  // An explicit agent, because without one the SDK routes through process.env.http_proxy
  // whenever it is set; keep-alive matches Node's own global agent.
  const agent =
    config.proxy !== undefined
      ? undefined
      : protocol === 'http://'
        ? new HttpAgent({ keepAlive: true, ...(lookup ? { lookup } : {}) })
        : new HttpsAgent({ keepAlive: true, ...(lookup ? { lookup } : {}) });

  const client = new Client({
    credential: { secretId: config.secretId, secretKey: config.secretKey },
    region: config.region ?? 'ap-guangzhou',
    profile: {
      signMethod: 'TC3-HMAC-SHA256',
      httpProfile: {
        endpoint: config.endpoint ?? DEFAULT_SMS_ENDPOINT,
        protocol,
        reqMethod: 'POST',
        // The SDK takes seconds and hands node-fetch `reqTimeout * 1000` ms.
        reqTimeout: timeoutMs / 1000,
        ...(agent ? { agent } : {}),
        ...(config.proxy !== undefined ? { proxy: config.proxy } : {}),
      },
    },
  });

  return {
    async send(message) {
      const atMs = clock.now();
      const phone = toMainlandE164(message.phone);
      const phoneMasked = phone === null ? '****' : maskPhone(phone.slice(3));
      const started = performance.now();
      const report = (result: SmsSendResult) => {
        options.onExchange?.({
          action: 'SendSms',
          atMs,
          durationMs: Math.round(performance.now() - started),
          phoneMasked,
          templateId: message.templateId,
          code: result.kind === 'accepted' ? 'Ok' : result.code,
          requestId: result.requestId,
        });
        return result;
      };

      // Programming errors, not outcomes: they would fail the same way forever.
      if (!message.templateId) throw new Error('templateId is required');
      if (message.sessionContext !== undefined && Buffer.byteLength(message.sessionContext) > MAX_SESSION_CONTEXT_BYTES) {
        throw new Error('sessionContext must be under 512 bytes');
      }
      // A number that cannot be mainland never reaches Tencent; same code as Tencent's answer, so callers handle one case.
      if (phone === null) {
        return report(failed('InvalidParameterValue.IncorrectPhoneNumber', 'not a mainland China mobile number', null));
      }

      try {
        const response = await client.SendSms({
          PhoneNumberSet: [phone],
          SmsSdkAppId: config.smsSdkAppId,
          SignName: config.signName,
          TemplateId: message.templateId,
          TemplateParamSet: [...message.params],
          ...(message.sessionContext !== undefined ? { SessionContext: message.sessionContext } : {}),
        });
        return report(resultFromResponse(response));
      } catch (error) {
        return report(resultFromError(error));
      }
    },
  };
}
