import { readFileSync } from 'node:fs';
import type { Clock } from '../clock.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { createWechatPayClient, type WechatPayClient, type WechatPayExchange } from './client.ts';
import { loadCredentialsFromPem } from './credentials.ts';
import type { NonceStore } from './notify.ts';
import { wechatPayProvider } from './payment-provider.ts';

export interface WechatPaySettings {
  WECHATPAY_API_BASE: string;
  WECHATPAY_MCHID?: string | undefined;
  WECHATPAY_APPID?: string | undefined;
  WECHATPAY_SERIAL?: string | undefined;
  WECHATPAY_PRIVATE_KEY_PATH?: string | undefined;
  WECHATPAY_PUBLIC_KEY_ID?: string | undefined;
  WECHATPAY_PUBLIC_KEY_PATH?: string | undefined;
  WECHATPAY_APIV3_KEY?: string | undefined;
  WECHATPAY_NOTIFY_URL?: string | undefined;
  WECHATPAY_REFUND_NOTIFY_URL?: string | undefined;
  WECHATPAY_TIMEOUT_MS: number;
}

export interface WechatPay {
  client: WechatPayClient;
  provider: PaymentProvider;
}

const required = [
  'WECHATPAY_MCHID',
  'WECHATPAY_APPID',
  'WECHATPAY_SERIAL',
  'WECHATPAY_PRIVATE_KEY_PATH',
  'WECHATPAY_PUBLIC_KEY_ID',
  'WECHATPAY_PUBLIC_KEY_PATH',
  'WECHATPAY_APIV3_KEY',
  'WECHATPAY_NOTIFY_URL',
  'WECHATPAY_REFUND_NOTIFY_URL',
] as const;

/**
 * Builds the WeChat Pay client from validated settings, reading the key files
 * once at boot. null when payments are not configured at all; a half-done
 * configuration is an error, so a typo never silently turns payments off.
 */
export function wechatPayFromSettings(
  settings: WechatPaySettings,
  options: { clock: Clock; nonceStore?: NonceStore; onExchange?: (exchange: WechatPayExchange) => void },
): WechatPay | null {
  const missing = required.filter((name) => !settings[name]);
  if (missing.length === required.length) return null;
  if (missing.length > 0) throw new Error(`WeChat Pay is partly configured; missing ${missing.join(', ')}`);
  const credentials = loadCredentialsFromPem({
    mchid: settings.WECHATPAY_MCHID!,
    appid: settings.WECHATPAY_APPID!,
    merchantSerialNo: settings.WECHATPAY_SERIAL!,
    merchantPrivateKeyPem: readFileSync(settings.WECHATPAY_PRIVATE_KEY_PATH!, 'utf8'),
    apiV3Key: settings.WECHATPAY_APIV3_KEY!,
    wechatpayPublicKeyId: settings.WECHATPAY_PUBLIC_KEY_ID!,
    wechatpayPublicKeyPem: readFileSync(settings.WECHATPAY_PUBLIC_KEY_PATH!, 'utf8'),
  });
  const client = createWechatPayClient({
    baseUrl: settings.WECHATPAY_API_BASE,
    credentials,
    clock: options.clock,
    timeoutMs: settings.WECHATPAY_TIMEOUT_MS,
    ...(options.nonceStore ? { nonceStore: options.nonceStore } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
  });
  const provider = wechatPayProvider(client, {
    mchid: credentials.mchid,
    appid: credentials.appid,
    notifyUrl: settings.WECHATPAY_NOTIFY_URL!,
    refundNotifyUrl: settings.WECHATPAY_REFUND_NOTIFY_URL!,
  });
  return { client, provider };
}
