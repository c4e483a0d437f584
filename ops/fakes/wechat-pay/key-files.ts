/**
 * Keeps the fake's key material in a directory, so the fake and a gateway
 * started separately (the demo stack) agree across restarts. File names follow
 * what 商户平台 hands out where there is one (apiclient_key.pem, pub_key.pem).
 * The wechatpay_private_key.pem exists only here: upstream never gives it out.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WechatPayTestKeys } from '../../../core/src/wechatpay/testing/keys.ts';

interface KeyConfig {
  mchid: string;
  appid: string;
  merchantSerialNo: string;
  wechatpayPublicKeyId: string;
  apiV3Key: string;
}

export const KEY_FILES = {
  config: 'wechatpay.json',
  merchantPrivateKey: 'apiclient_key.pem',
  merchantPublicKey: 'apiclient_pub.pem',
  wechatpayPublicKey: 'pub_key.pem',
  wechatpayPrivateKey: 'wechatpay_private_key.pem',
} as const;

export function hasKeyFiles(dir: string): boolean {
  return Object.values(KEY_FILES).every((file) => existsSync(path.join(dir, file)));
}

export async function writeKeyFiles(dir: string, keys: WechatPayTestKeys): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const config: KeyConfig = {
    mchid: keys.mchid,
    appid: keys.appid,
    merchantSerialNo: keys.merchantSerialNo,
    wechatpayPublicKeyId: keys.wechatpayPublicKeyId,
    apiV3Key: keys.apiV3Key,
  };
  const pem = (key: { export(options: object): string | Buffer }, type: 'pkcs8' | 'spki') => String(key.export({ type, format: 'pem' }));
  await Promise.all([
    writeFile(path.join(dir, KEY_FILES.config), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 }),
    writeFile(path.join(dir, KEY_FILES.merchantPrivateKey), pem(keys.merchantPrivateKey, 'pkcs8'), { mode: 0o600 }),
    writeFile(path.join(dir, KEY_FILES.merchantPublicKey), pem(keys.merchantPublicKey, 'spki')),
    writeFile(path.join(dir, KEY_FILES.wechatpayPublicKey), pem(keys.wechatpayPublicKey, 'spki')),
    writeFile(path.join(dir, KEY_FILES.wechatpayPrivateKey), pem(keys.wechatpayPrivateKey, 'pkcs8'), { mode: 0o600 }),
  ]);
}

export async function readKeyFiles(dir: string): Promise<WechatPayTestKeys> {
  const read = (file: string) => readFile(path.join(dir, file), 'utf8');
  const config = JSON.parse(await read(KEY_FILES.config)) as KeyConfig;
  return {
    ...config,
    merchantPrivateKey: createPrivateKey(await read(KEY_FILES.merchantPrivateKey)),
    merchantPublicKey: createPublicKey(await read(KEY_FILES.merchantPublicKey)),
    wechatpayPublicKey: createPublicKey(await read(KEY_FILES.wechatpayPublicKey)),
    wechatpayPrivateKey: createPrivateKey(await read(KEY_FILES.wechatpayPrivateKey)),
  };
}

/** The WECHATPAY_* settings a gateway or worker needs to talk to a fake whose keys live in `dir`. */
export function merchantSettings(dir: string, keys: WechatPayTestKeys, apiBase: string, notifyBase: string): Record<string, string> {
  return {
    WECHATPAY_API_BASE: apiBase,
    WECHATPAY_MCHID: keys.mchid,
    WECHATPAY_APPID: keys.appid,
    WECHATPAY_SERIAL: keys.merchantSerialNo,
    WECHATPAY_PRIVATE_KEY_PATH: path.join(dir, KEY_FILES.merchantPrivateKey),
    WECHATPAY_PUBLIC_KEY_ID: keys.wechatpayPublicKeyId,
    WECHATPAY_PUBLIC_KEY_PATH: path.join(dir, KEY_FILES.wechatpayPublicKey),
    WECHATPAY_APIV3_KEY: keys.apiV3Key,
    WECHATPAY_NOTIFY_URL: `${notifyBase}/v1/payments/wechat/notify`,
    WECHATPAY_REFUND_NOTIFY_URL: `${notifyBase}/v1/payments/wechat/refund-notify`,
  };
}
