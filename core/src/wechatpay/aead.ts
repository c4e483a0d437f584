/**
 * AEAD_AES_256_GCM as WeChat Pay uses it for notify resources: key = the
 * APIv3 key's 32 ASCII bytes, iv = the 12-character nonce as UTF-8, the
 * 16-byte tag appended to the ciphertext before Base64.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

const TAG_BYTES = 16;

function keyBytes(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new Error('the APIv3 key must be 32 bytes');
  return key;
}

export interface AeadInput {
  apiV3Key: string;
  nonce: string;
  associatedData: string;
}

export function encryptResource(input: AeadInput & { plaintext: string }): string {
  const cipher = createCipheriv('aes-256-gcm', keyBytes(input.apiV3Key), Buffer.from(input.nonce, 'utf8'));
  cipher.setAAD(Buffer.from(input.associatedData, 'utf8'));
  const data = Buffer.concat([cipher.update(input.plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([data, cipher.getAuthTag()]).toString('base64');
}

/** Throws on a wrong key, nonce, AAD or any tampered byte. */
export function decryptResource(input: AeadInput & { ciphertext: string }): string {
  const raw = Buffer.from(input.ciphertext, 'base64');
  if (raw.length < TAG_BYTES) throw new Error('ciphertext shorter than its tag');
  const decipher = createDecipheriv('aes-256-gcm', keyBytes(input.apiV3Key), Buffer.from(input.nonce, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  decipher.setAAD(Buffer.from(input.associatedData, 'utf8'));
  return Buffer.concat([decipher.update(raw.subarray(0, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}
