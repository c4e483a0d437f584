/**
 * TC3-HMAC-SHA256 as Tencent Cloud API 3.0 verifies it, written from the
 * protocol description (reference §5.3), not from the SDK, so the fake checks
 * the SDK instead of agreeing with it by construction (tc3.test.ts checks the
 * two against each other).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

export interface Tc3Authorization {
  secretId: string;
  /** yyyy-mm-dd, UTC date of X-TC-Timestamp. */
  date: string;
  service: string;
  /** Lower-case header names in signing order, e.g. ['content-type', 'host']. */
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s,]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export function parseTc3Authorization(header: string | undefined): Tc3Authorization | null {
  const m = header === undefined ? null : AUTHORIZATION.exec(header.trim());
  if (!m) return null;
  return { secretId: m[1]!, date: m[2]!, service: m[3]!, signedHeaders: m[4]!.split(';'), signature: m[5]! };
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

export interface CanonicalRequestInput {
  method: string;
  /** Path, always "/" for Tencent Cloud API. */
  path: string;
  /** Query string without "?" ("" for POST). */
  query: string;
  /** Header name (lower case) → value as received; host without its port. */
  headers: Readonly<Record<string, string>>;
  signedHeaders: readonly string[];
  payload: Buffer | string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  // Names and values lower-cased and trimmed, in SignedHeaders order, each line ending in \n.
  const canonicalHeaders = input.signedHeaders.map((name) => `${name}:${(input.headers[name] ?? '').trim().toLowerCase()}\n`).join('');
  return [input.method.toUpperCase(), input.path, input.query, canonicalHeaders, input.signedHeaders.join(';'), sha256Hex(input.payload)].join('\n');
}

export function stringToSign(timestamp: number, date: string, service: string, canonical: string): string {
  return `${TC3_ALGORITHM}\n${timestamp}\n${date}/${service}/tc3_request\n${sha256Hex(canonical)}`;
}

export function tc3Signature(secretKey: string, date: string, service: string, toSign: string): string {
  const kDate = hmac(`TC3${secretKey}`, date);
  const kService = hmac(kDate, service);
  const kSigning = hmac(kService, 'tc3_request');
  return createHmac('sha256', kSigning).update(toSign).digest('hex');
}

export function signaturesEqual(expectedHex: string, givenHex: string): boolean {
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(givenHex, 'hex');
  return a.length === b.length && a.length === 32 && timingSafeEqual(a, b);
}

/** yyyy-mm-dd (UTC) of a Unix timestamp in seconds: the credential-scope date. */
export function utcDate(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
}

/** A complete Authorization header, for tests that build requests without the SDK. */
export function tc3AuthorizationHeader(input: {
  secretId: string;
  secretKey: string;
  service: string;
  timestamp: number;
  host: string;
  contentType: string;
  payload: Buffer | string;
}): string {
  const date = utcDate(input.timestamp);
  const signedHeaders = ['content-type', 'host'];
  const canonical = canonicalRequest({ method: 'POST', path: '/', query: '', headers: { 'content-type': input.contentType, host: input.host }, signedHeaders, payload: input.payload });
  const signature = tc3Signature(input.secretKey, date, input.service, stringToSign(input.timestamp, date, input.service, canonical));
  return `${TC3_ALGORITHM} Credential=${input.secretId}/${date}/${input.service}/tc3_request, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
}
