import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadCredentialsFromPem, type PemCredentialsInput } from './credentials.ts';
import { generateTestKeys } from './testing/keys.ts';

const keys = generateTestKeys();
const pem = (key: { export(options: object): string | Buffer }, type: 'pkcs8' | 'spki') => String(key.export({ type, format: 'pem' }));
const input: PemCredentialsInput = {
  mchid: keys.mchid,
  appid: keys.appid,
  merchantSerialNo: keys.merchantSerialNo.toLowerCase(),
  merchantPrivateKeyPem: pem(keys.merchantPrivateKey, 'pkcs8'),
  apiV3Key: keys.apiV3Key,
  wechatpayPublicKeyId: keys.wechatpayPublicKeyId,
  wechatpayPublicKeyPem: pem(keys.wechatpayPublicKey, 'spki'),
};

describe('loadCredentialsFromPem', () => {
  it('loads the merchant key and files the WeChat Pay public key under its id', () => {
    const credentials = loadCredentialsFromPem(input);
    expect(credentials.merchantSerialNo).toBe(keys.merchantSerialNo);
    expect(Object.keys(credentials.platformKeys)).toEqual([keys.wechatpayPublicKeyId]);
    expect(credentials.platformKeys[keys.wechatpayPublicKeyId]?.equals(keys.wechatpayPublicKey)).toBe(true);
    expect(credentials.merchantPrivateKey.equals(keys.merchantPrivateKey)).toBe(true);
  });

  it('refuses bad material at load time', () => {
    expect(() => loadCredentialsFromPem({ ...input, apiV3Key: 'short' })).toThrow(/APIv3/);
    expect(() => loadCredentialsFromPem({ ...input, merchantSerialNo: 'XYZ' })).toThrow(/serial/);
    expect(() => loadCredentialsFromPem({ ...input, wechatpayPublicKeyId: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' })).toThrow(/PUB_KEY_ID/);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => loadCredentialsFromPem({ ...input, merchantPrivateKeyPem: pem(weak.privateKey, 'pkcs8') })).toThrow(/2048/);
    expect(() => loadCredentialsFromPem({ ...input, merchantPrivateKeyPem: 'not a key' })).toThrow();
  });
});
