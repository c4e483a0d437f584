/**
 * The WECHATPAY2-SHA256-RSA2048 scheme, both directions. Shared by the client
 * and the fake server so they cannot drift apart; the unit tests pin the
 * message format against independently built strings.
 */
import { type KeyObject, randomInt, sign, verify } from 'node:crypto';

export const SIGNATURE_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
/** Probe traffic from WeChat carries signatures starting with this; they must never verify. */
export const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';
/** `|now − timestamp| ≥ 300 s` is rejected (Go SDK's FiveMinute). */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const NONCE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 32 characters `[0-9A-Za-z]`, as the official SDKs generate. */
export function createNonce(length = 32): string {
  let nonce = '';
  for (let i = 0; i < length; i += 1) nonce += NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)];
  return nonce;
}

/** `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`; body is the exact string sent, '' for GET. */
export function requestSignatureMessage(method: string, canonicalUrl: string, timestamp: string, nonce: string, body: string): string {
  return `${method.toUpperCase()}\n${canonicalUrl}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** `TIMESTAMP\nNONCE\nRAW_BODY\n` for responses and notifications. */
export function responseSignatureMessage(timestamp: string, nonce: string, body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), Buffer.from('\n')]);
}

export function signSha256WithRsa(message: string | Buffer, privateKey: KeyObject): string {
  return sign('sha256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, privateKey).toString('base64');
}

export function verifySha256WithRsa(message: string | Buffer, signature: string, publicKey: KeyObject): boolean {
  if (signature.startsWith(SIGNTEST_PREFIX)) return false;
  try {
    return verify('sha256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The canonical URL WeChat signs: path and query exactly as on the wire, no scheme or host. */
export function canonicalUrlOf(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url, 'http://placeholder') : url;
  return parsed.pathname + parsed.search;
}

export interface AuthorizationFields {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

export function formatAuthorization(fields: AuthorizationFields): string {
  return (
    `${SIGNATURE_SCHEME} mchid="${fields.mchid}",nonce_str="${fields.nonce_str}",` +
    `timestamp="${fields.timestamp}",serial_no="${fields.serial_no}",signature="${fields.signature}"`
  );
}

/** Attribute order is free; every attribute must be present exactly once. Null on anything else. */
export function parseAuthorization(header: string | undefined | null): AuthorizationFields | null {
  if (!header?.startsWith(`${SIGNATURE_SCHEME} `)) return null;
  const fields = new Map<string, string>();
  const attribute = /\s*([a-z_]+)="([^"]*)"\s*(,|$)/gy;
  const rest = header.slice(SIGNATURE_SCHEME.length + 1);
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = attribute.exec(rest)) !== null && match[0] !== '') {
    const [, name = '', value = ''] = match;
    if (fields.has(name)) return null;
    fields.set(name, value);
    consumed = attribute.lastIndex;
    if (consumed === rest.length) break;
  }
  if (consumed !== rest.length) return null;
  const get = (name: keyof AuthorizationFields) => fields.get(name);
  const mchid = get('mchid');
  const nonce = get('nonce_str');
  const timestamp = get('timestamp');
  const serial = get('serial_no');
  const signature = get('signature');
  if (!mchid || !nonce || !timestamp || !serial || !signature) return null;
  return { mchid, nonce_str: nonce, timestamp, serial_no: serial, signature };
}

export interface SignRequestInput {
  method: string;
  canonicalUrl: string;
  body: string;
  mchid: string;
  merchantSerialNo: string;
  merchantPrivateKey: KeyObject;
  timestampSeconds: number;
  nonce?: string;
}

/** The Authorization header value for one request. */
export function signRequest(input: SignRequestInput): string {
  const timestamp = String(input.timestampSeconds);
  const nonce = input.nonce ?? createNonce();
  const message = requestSignatureMessage(input.method, input.canonicalUrl, timestamp, nonce, input.body);
  return formatAuthorization({
    mchid: input.mchid,
    nonce_str: nonce,
    timestamp,
    serial_no: input.merchantSerialNo,
    signature: signSha256WithRsa(message, input.merchantPrivateKey),
  });
}

export interface WechatpaySignatureHeaders {
  timestamp: string;
  nonce: string;
  serial: string;
  signature: string;
}

export type SignatureCheck =
  | { ok: true; timestampSeconds: number }
  | { ok: false; reason: 'MISSING_HEADERS' | 'UNKNOWN_SERIAL' | 'TIMESTAMP_SKEW' | 'SIGNATURE_INVALID' | 'SIGNTEST_PROBE' };

/**
 * Checks a WeChat-signed message (a response or a notification) against the
 * verifier keys, by serial or public-key id. The signature is checked before
 * the timestamp so a skew report is only ever given for genuine messages.
 */
export function checkWechatpaySignature(
  headers: Partial<WechatpaySignatureHeaders>,
  body: string | Buffer,
  keys: Readonly<Record<string, KeyObject>>,
  nowMs: number,
): SignatureCheck {
  const { timestamp, nonce, serial, signature } = headers;
  if (!timestamp || !nonce || !serial || !signature || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'MISSING_HEADERS' };
  const key = Object.hasOwn(keys, serial) ? keys[serial] : undefined;
  if (!key) return { ok: false, reason: 'UNKNOWN_SERIAL' };
  // Told apart from forgeries so logs show WeChat probing us, which is routine, not an attack.
  if (signature.startsWith(SIGNTEST_PREFIX)) return { ok: false, reason: 'SIGNTEST_PROBE' };
  if (!verifySha256WithRsa(responseSignatureMessage(timestamp, nonce, body), signature, key)) return { ok: false, reason: 'SIGNATURE_INVALID' };
  const timestampSeconds = Number(timestamp);
  if (Math.abs(nowMs / 1000 - timestampSeconds) >= MAX_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'TIMESTAMP_SKEW' };
  return { ok: true, timestampSeconds };
}

/** The five headers WeChat puts on every signed 2xx and every notification. */
export function signWechatpayMessage(
  body: string | Buffer,
  platformPrivateKey: KeyObject,
  serial: string,
  timestampSeconds: number,
  nonce: string = createNonce(),
): Record<string, string> {
  const timestamp = String(timestampSeconds);
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Serial': serial,
    'Wechatpay-Signature': signSha256WithRsa(responseSignatureMessage(timestamp, nonce, body), platformPrivateKey),
    'Wechatpay-Signature-Type': SIGNATURE_SCHEME,
  };
}

type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Case-insensitive lookup over fetch Headers or Node's IncomingHttpHeaders. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}

export function wechatpaySignatureHeaders(headers: HeaderBag): Partial<WechatpaySignatureHeaders> {
  return {
    timestamp: headerValue(headers, 'Wechatpay-Timestamp'),
    nonce: headerValue(headers, 'Wechatpay-Nonce'),
    serial: headerValue(headers, 'Wechatpay-Serial'),
    signature: headerValue(headers, 'Wechatpay-Signature'),
  };
}

export type { HeaderBag };
