/**
 * Fresh key material for tests and local runs, so the client and the fake
 * WeChat Pay server agree without any file from 商户平台: a merchant RSA-2048
 * pair with a 40-hex serial, a "WeChat Pay public key" pair with a
 * PUB_KEY_ID_ id, and a 32-character APIv3 key.
 */
import { generateKeyPairSync, type KeyObject, randomBytes, randomInt } from 'node:crypto';
import type { WechatPayCredentials } from '../credentials.ts';

export interface WechatPayTestKeys {
  mchid: string;
  appid: string;
  merchantSerialNo: string;
  merchantPrivateKey: KeyObject;
  merchantPublicKey: KeyObject;
  wechatpayPublicKeyId: string;
  /** WeChat's side only: the fake signs responses and notifies with it. */
  wechatpayPrivateKey: KeyObject;
  wechatpayPublicKey: KeyObject;
  apiV3Key: string;
}

function digits(count: number): string {
  let out = '';
  for (let i = 0; i < count; i += 1) out += String(randomInt(10));
  return out;
}

export function generateTestKeys(options: { mchid?: string; appid?: string } = {}): WechatPayTestKeys {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const wechatpay = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    mchid: options.mchid ?? '1900000109',
    appid: options.appid ?? 'wxd678efh567hg6787',
    merchantSerialNo: randomBytes(20).toString('hex').toUpperCase(),
    merchantPrivateKey: merchant.privateKey,
    merchantPublicKey: merchant.publicKey,
    wechatpayPublicKeyId: `PUB_KEY_ID_${digits(32)}`,
    wechatpayPrivateKey: wechatpay.privateKey,
    wechatpayPublicKey: wechatpay.publicKey,
    // base64url of 24 bytes is exactly 32 printable ASCII characters.
    apiV3Key: randomBytes(24).toString('base64url'),
  };
}

/** What the merchant side holds of those keys. */
export function credentialsFromTestKeys(keys: WechatPayTestKeys): WechatPayCredentials {
  return {
    mchid: keys.mchid,
    appid: keys.appid,
    merchantSerialNo: keys.merchantSerialNo,
    merchantPrivateKey: keys.merchantPrivateKey,
    apiV3Key: keys.apiV3Key,
    platformKeys: { [keys.wechatpayPublicKeyId]: keys.wechatpayPublicKey },
    wechatpayPublicKeyId: keys.wechatpayPublicKeyId,
  };
}
