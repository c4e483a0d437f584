import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { PhoneKeys } from '../pii/phone.ts';
import type { AnswerValues } from './definition.ts';

/**
 * Answers may hold phone numbers, names and ID numbers, so they only ever
 * leave the gateway sealed: AES-256-GCM with the phone key material (key id
 * in front, so a rotation keeps old answers readable). The sealed form is what
 * sits in Redis next to the hold and in MySQL `booking_answers`; job data and
 * the intent stream carry only the form version.
 */
export interface SealedAnswers {
  formVersion: number;
  /** `<keyId>.<base64url(iv | tag | ciphertext)>` of the JSON values. */
  sealed: string;
  /** Keyed digest of the values: part of the idempotency request hash without revealing them. */
  digest: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** JSON with sorted keys, so equal answers give equal digests whatever order the client sent. */
function canonical(values: AnswerValues): string {
  return JSON.stringify(Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export function sealAnswers(formVersion: number, values: AnswerValues, keys: PhoneKeys): SealedAnswers {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.encryptionKey, iv);
  const plain = canonical(values);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    formVersion,
    sealed: `${keys.keyId}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`,
    digest: createHmac('sha256', keys.indexKey).update(`answers:${plain}`).digest('base64url').slice(0, 22),
  };
}

export function openAnswers(sealed: string, keys: PhoneKeys): AnswerValues {
  const dot = sealed.indexOf('.');
  const keyId = Number(sealed.slice(0, dot));
  const key = keyId === keys.keyId ? keys.encryptionKey : keys.previous?.get(keyId);
  if (dot < 1 || !key) throw new Error(`no answers key with id ${sealed.slice(0, Math.max(dot, 0))}`);
  const bytes = Buffer.from(sealed.slice(dot + 1), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  return JSON.parse(plain) as AnswerValues;
}
