/**
 * What a merchant holds to talk to WeChat Pay. Verifier keys are one map from
 * `Wechatpay-Serial` to key, so the WeChat Pay public key (`PUB_KEY_ID_…`) and
 * legacy platform certificates (40-hex serials) work side by side during a
 * migration, as the Go SDK's combined verifier does.
 */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';

export interface WechatPayCredentials {
  mchid: string;
  /** The mini program bound to the mchid. */
  appid: string;
  /** Serial of the merchant API certificate (apiclient_cert.pem), 40 hex. */
  merchantSerialNo: string;
  /** apiclient_key.pem. */
  merchantPrivateKey: KeyObject;
  /** 32 ASCII characters, set in 商户平台 → API安全. */
  apiV3Key: string;
  /** Wechatpay-Serial → verifier key. */
  platformKeys: Readonly<Record<string, KeyObject>>;
  /** Sent as `Wechatpay-Serial` on requests so responses are signed with the public key, not a certificate. */
  wechatpayPublicKeyId: string;
}

const PUBLIC_KEY_ID = /^PUB_KEY_ID_[0-9A-Za-z]+$/;
const CERT_SERIAL = /^[0-9A-Fa-f]{40}$/;

export function isPublicKeyId(serial: string): boolean {
  return PUBLIC_KEY_ID.test(serial);
}

export interface PemCredentialsInput {
  mchid: string;
  appid: string;
  merchantSerialNo: string;
  merchantPrivateKeyPem: string;
  apiV3Key: string;
  wechatpayPublicKeyId: string;
  /** pub_key.pem downloaded next to the id. */
  wechatpayPublicKeyPem: string;
  /** Legacy platform certificates (PEM); their serials are read from the certificates. */
  platformCertificatePems?: readonly string[];
}

/** Parses and checks everything up front, so a bad key fails at boot, not at the first payment. */
export function loadCredentialsFromPem(input: PemCredentialsInput): WechatPayCredentials {
  if (!/^\d{1,32}$/.test(input.mchid)) throw new Error('WeChat Pay mchid must be digits');
  if (!CERT_SERIAL.test(input.merchantSerialNo)) throw new Error('WeChat Pay merchant serial must be 40 hex characters');
  if (!/^[\x21-\x7e]{32}$/.test(input.apiV3Key)) throw new Error('WeChat Pay APIv3 key must be 32 printable ASCII characters');
  if (!isPublicKeyId(input.wechatpayPublicKeyId)) throw new Error('WeChat Pay public key id must look like PUB_KEY_ID_…');

  const merchantPrivateKey = createPrivateKey(input.merchantPrivateKeyPem);
  requireRsa2048(merchantPrivateKey, 'merchant private key');
  const publicKey = createPublicKey(input.wechatpayPublicKeyPem);
  requireRsa2048(publicKey, 'WeChat Pay public key');

  const platformKeys: Record<string, KeyObject> = { [input.wechatpayPublicKeyId]: publicKey };
  for (const pem of input.platformCertificatePems ?? []) {
    const certificate = new X509Certificate(pem);
    platformKeys[certificate.serialNumber.toUpperCase()] = certificate.publicKey;
  }
  return {
    mchid: input.mchid,
    appid: input.appid,
    merchantSerialNo: input.merchantSerialNo.toUpperCase(),
    merchantPrivateKey,
    apiV3Key: input.apiV3Key,
    platformKeys,
    wechatpayPublicKeyId: input.wechatpayPublicKeyId,
  };
}

function requireRsa2048(key: KeyObject, what: string): void {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || bits === undefined || bits < 2048) throw new Error(`${what} must be an RSA key of at least 2048 bits`);
}
