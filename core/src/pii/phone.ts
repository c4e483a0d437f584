import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Phone numbers are stored encrypted (AES-256-GCM, key id kept for rotation)
 * with an HMAC blind index for lookups, and never appear in logs or job data.
 */
export interface PhoneKeys {
  /** Key id written with each ciphertext, so old rows stay readable after rotation. */
  keyId: number;
  encryptionKey: Buffer;
  /** Separate key for the blind index, so the index alone cannot be brute-forced with the data key. */
  indexKey: Buffer;
  /** Older encryption keys by id, for reading rows written before a rotation. */
  previous?: ReadonlyMap<number, Buffer>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function normalizePhone(raw: string): string {
  const digits = raw.replace(/[\s-]/g, '');
  const match = /^(?:\+?86)?(1[3-9]\d{9})$/.exec(digits);
  if (!match) throw new Error('not a mainland China mobile number');
  return match[1]!;
}

export function encryptPhone(phone: string, keys: PhoneKeys): { keyId: number; ciphertext: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.encryptionKey, iv);
  const body = Buffer.concat([cipher.update(phone, 'utf8'), cipher.final()]);
  return { keyId: keys.keyId, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]) };
}

export function decryptPhone(ciphertext: Buffer, keyId: number, keys: PhoneKeys): string {
  const key = keyId === keys.keyId ? keys.encryptionKey : keys.previous?.get(keyId);
  if (!key) throw new Error(`no phone key with id ${keyId}`);
  // A fixed tag length: a truncated ciphertext must not be checked against a shortened tag.
  const decipher = createDecipheriv('aes-256-gcm', key, ciphertext.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(ciphertext.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(ciphertext.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

export function phoneBlindIndex(phone: string, keys: PhoneKeys): Buffer {
  return createHmac('sha256', keys.indexKey).update(phone).digest();
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

// Also catches the spaced and dashed forms people type (138 1234 5678, +86-138-1234-5678).
const PHONE_IN_TEXT = /(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g;

/** Masks every mainland mobile number inside free text (log lines, error messages). */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (_whole, head: string, _middle: string, tail: string) => `${head}****${tail}`);
}
