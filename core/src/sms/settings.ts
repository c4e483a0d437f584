/**
 * The SMS settings fragment of a process's environment (reference §8 names)
 * and the sender built from it. A process adds `smsEnv` to its own zod
 * schema and calls smsSenderFromSettings once at boot.
 */
import { z } from 'zod';
import { createSmsSender, DEFAULT_SMS_ENDPOINT, SMS_REGIONS, type SmsSender, type SmsSenderOptions } from './sender.ts';

export const smsEnv = {
  TENCENTCLOUD_SECRET_ID: z.string().min(1).optional(),
  TENCENTCLOUD_SECRET_KEY: z.string().min(1).optional(),
  SMS_REGION: z.enum(SMS_REGIONS).default('ap-guangzhou'),
  /** host[:port], no scheme. */
  SMS_ENDPOINT: z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'host[:port] without scheme').default(DEFAULT_SMS_ENDPOINT),
  SMS_PROTOCOL: z.enum(['https://', 'http://']).default('https://'),
  /** Optional: connect to this IP instead of resolving SMS_ENDPOINT's host (the fake, production-identical signing). */
  SMS_CONNECT_TO: z.union([z.ipv4(), z.ipv6()]).optional(),
  SMS_SDK_APP_ID: z.string().regex(/^\d+$/).optional(),
  SMS_SIGN_NAME: z.string().min(1).optional(),
  SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
};

export interface SmsSettings {
  TENCENTCLOUD_SECRET_ID?: string | undefined;
  TENCENTCLOUD_SECRET_KEY?: string | undefined;
  SMS_REGION: (typeof SMS_REGIONS)[number];
  SMS_ENDPOINT: string;
  SMS_PROTOCOL: 'https://' | 'http://';
  SMS_CONNECT_TO?: string | undefined;
  SMS_SDK_APP_ID?: string | undefined;
  SMS_SIGN_NAME?: string | undefined;
  SMS_TIMEOUT_MS: number;
}

const required = ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY', 'SMS_SDK_APP_ID', 'SMS_SIGN_NAME'] as const;

/**
 * null when SMS is not configured at all; a half-done configuration is an
 * error, so a typo never silently turns SMS off.
 */
export function smsSenderFromSettings(settings: SmsSettings, options: SmsSenderOptions = {}): SmsSender | null {
  const missing = required.filter((name) => !settings[name]);
  if (missing.length === required.length) return null;
  if (missing.length > 0) throw new Error(`SMS is partly configured; missing ${missing.join(', ')}`);
  return createSmsSender(
    {
      secretId: settings.TENCENTCLOUD_SECRET_ID!,
      secretKey: settings.TENCENTCLOUD_SECRET_KEY!,
      region: settings.SMS_REGION,
      endpoint: settings.SMS_ENDPOINT,
      protocol: settings.SMS_PROTOCOL,
      ...(settings.SMS_CONNECT_TO ? { connectTo: settings.SMS_CONNECT_TO } : {}),
      smsSdkAppId: settings.SMS_SDK_APP_ID!,
      signName: settings.SMS_SIGN_NAME!,
      timeoutMs: settings.SMS_TIMEOUT_MS,
    },
    options,
  );
}
