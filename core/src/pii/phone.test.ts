import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PhoneKeys, decryptPhone, encryptPhone, maskPhone, maskPhonesInText, normalizePhone, phoneBlindIndex } from './phone.ts';

const PHONE = '13812345678';
const keysOf = (keyId: number, encryptionKey = randomBytes(32), indexKey = randomBytes(32)): PhoneKeys => ({ keyId, encryptionKey, indexKey });
const mobileArb = fc.tuple(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 0, max: 999_999_999 })).map(([second, rest]) => `1${second}${String(rest).padStart(9, '0')}`);

describe('encryptPhone / decryptPhone', () => {
  it('when a phone is encrypted and decrypted with the same keys, then the number comes back', () => {
    // Arrange
    const keys = keysOf(1);

    // Act
    const { keyId, ciphertext } = encryptPhone(PHONE, keys);

    // Assert
    expect(keyId).toBe(1);
    expect(decryptPhone(ciphertext, keyId, keys)).toBe(PHONE);
  });

  it('when the same phone is encrypted twice, then the ciphertexts differ (random IV) and neither contains the digits', () => {
    const keys = keysOf(1);
    const a = encryptPhone(PHONE, keys).ciphertext;
    const b = encryptPhone(PHONE, keys).ciphertext;
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from(PHONE))).toBe(false);
    expect(a).toHaveLength(12 + 16 + PHONE.length); // IV + tag + body
  });

  it('property: any mobile number survives the round trip', () => {
    const keys = keysOf(3);
    fc.assert(
      fc.property(mobileArb, (phone) => {
        const { keyId, ciphertext } = encryptPhone(phone, keys);
        expect(decryptPhone(ciphertext, keyId, keys)).toBe(phone);
      }),
      { numRuns: 50 },
    );
  });

  it('when keys rotate, then rows written with the old key are read through `previous`, and new rows use the new id', () => {
    // Arrange
    const oldKeys = keysOf(1);
    const stored = encryptPhone(PHONE, oldKeys);
    const newKeys: PhoneKeys = { ...keysOf(2), previous: new Map([[1, oldKeys.encryptionKey]]) };

    // Act
    const read = decryptPhone(stored.ciphertext, stored.keyId, newKeys);
    const rewritten = encryptPhone(PHONE, newKeys);

    // Assert
    expect(read).toBe(PHONE);
    expect(rewritten.keyId).toBe(2);
    expect(decryptPhone(rewritten.ciphertext, 2, newKeys)).toBe(PHONE);
  });

  it('when the key id is unknown (rotated without `previous`), then decryption refuses', () => {
    const stored = encryptPhone(PHONE, keysOf(1));
    expect(() => decryptPhone(stored.ciphertext, 1, keysOf(2))).toThrow(/no phone key with id 1/);
  });

  it('when the key is wrong for the id, then authentication fails', () => {
    const stored = encryptPhone(PHONE, keysOf(1));
    expect(() => decryptPhone(stored.ciphertext, 1, keysOf(1))).toThrow();
  });

  it.each([
    ['IV', 0],
    ['tag', 12],
    ['body', 28],
    ['last byte', 12 + 16 + PHONE.length - 1],
  ])('when one bit of the %s is flipped, then decryption throws', (_part, index) => {
    // Arrange
    const keys = keysOf(1);
    const tampered = Buffer.from(encryptPhone(PHONE, keys).ciphertext);
    tampered[index]! ^= 0x01;

    // Act / Assert
    expect(() => decryptPhone(tampered, 1, keys)).toThrow();
  });

  it.each([20, 24])('when the ciphertext is cut to %i bytes (a short tag), then it is refused for its tag length, not checked against fewer bits', (length) => {
    const keys = keysOf(1);
    const { ciphertext } = encryptPhone(PHONE, keys);
    expect(() => decryptPhone(ciphertext.subarray(0, length), 1, keys)).toThrow(/authentication tag length/i);
  });

  it.each([0, 20, 27, 28, 30])('when the ciphertext is cut to %i bytes, then decryption throws', (length) => {
    const keys = keysOf(1);
    const { ciphertext } = encryptPhone(PHONE, keys);
    expect(() => decryptPhone(ciphertext.subarray(0, length), 1, keys)).toThrow();
  });
});

describe('phoneBlindIndex', () => {
  it('when the same phone is indexed twice, then the index is the same 32 bytes', () => {
    const keys = keysOf(1);
    const a = phoneBlindIndex(PHONE, keys);
    expect(a).toHaveLength(32);
    expect(a.equals(phoneBlindIndex(PHONE, keys))).toBe(true);
  });

  it('when phones differ by one digit, then their indexes differ', () => {
    const keys = keysOf(1);
    expect(phoneBlindIndex('13812345678', keys).equals(phoneBlindIndex('13812345679', keys))).toBe(false);
  });

  it('when the index key differs, then the index differs', () => {
    expect(phoneBlindIndex(PHONE, keysOf(1)).equals(phoneBlindIndex(PHONE, keysOf(1)))).toBe(false);
  });

  it('when only the encryption key rotates, then the index stays the same (lookups keep working)', () => {
    const indexKey = randomBytes(32);
    expect(phoneBlindIndex(PHONE, keysOf(1, randomBytes(32), indexKey)).equals(phoneBlindIndex(PHONE, keysOf(2, randomBytes(32), indexKey)))).toBe(true);
  });

  it('when the index is computed, then it does not contain the phone digits', () => {
    expect(phoneBlindIndex(PHONE, keysOf(1)).includes(Buffer.from(PHONE))).toBe(false);
  });
});

describe('normalizePhone', () => {
  it.each(['13812345678', '+8613812345678', '8613812345678', '+86 138 1234 5678', '138-1234-5678', ' 138 1234 5678 ', '+86-138-1234-5678'])(
    'when given %j, then it becomes 13812345678',
    (raw) => {
      expect(normalizePhone(raw)).toBe('13812345678');
    },
  );

  it.each([
    ['a Beijing landline', '010-12345678'],
    ['a Shanghai landline with spaces', '021 1234 5678'],
    ['a mobile prefix that does not exist', '12812345678'],
    ['ten digits', '1381234567'],
    ['twelve digits', '138123456789'],
    ['a US number', '+1 415 555 0100'],
    ['a 0086 prefix', '0086 13812345678'],
    ['letters', 'call me'],
    ['nothing', ''],
  ])('when given %s, then it is refused', (_label, raw) => {
    expect(() => normalizePhone(raw)).toThrow(/not a mainland China mobile number/);
  });

  it('property: any mobile in +86, spaced or dashed form normalizes to its 11 digits', () => {
    fc.assert(
      fc.property(mobileArb, fc.constantFrom('', '+86', '86', '+86 '), fc.constantFrom(' ', '-', ''), (phone, prefix, sep) => {
        const written = `${prefix}${phone.slice(0, 3)}${sep}${phone.slice(3, 7)}${sep}${phone.slice(7)}`;
        expect(normalizePhone(written)).toBe(phone);
      }),
    );
  });
});

describe('maskPhone', () => {
  it('when a mobile is masked, then only the first three and last four digits show', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('when the value is too short to mask safely, then nothing of it shows', () => {
    expect(maskPhone('123456')).toBe('****');
  });
});

describe('maskPhonesInText', () => {
  it('when a sentence holds several mobiles, then every one is masked', () => {
    const text = 'customer 13812345678 called, forward to 15900001111 or +8618698765432.';
    expect(maskPhonesInText(text)).toBe('customer 138****5678 called, forward to 159****1111 or 186****5432.');
  });

  it('when a mobile sits between Chinese characters, then it is still masked', () => {
    expect(maskPhonesInText('客户手机13812345678预约失败')).toBe('客户手机138****5678预约失败');
  });

  it('when a mobile is glued to letters (a key or a message), then it is masked', () => {
    expect(maskPhonesInText('phone=13812345678&x=1')).toBe('phone=138****5678&x=1');
  });

  it.each([
    ['a 12-digit order number', 'order 213812345678 paid'],
    ['a 12-digit run ending in a mobile-like part', 'order 138123456789 paid'],
    ['a 10-digit run', 'id 1381234567 done'],
    ['an 18-digit id number', 'id 110101199003071234 ok'],
    ['an epoch timestamp', 'at 1764547200000 ms'],
    ['a landline', 'call 01012345678'],
  ])('when the text holds %s, then it is left alone', (_label, text) => {
    expect(maskPhonesInText(text)).toBe(text);
  });

  it('property: a mobile inside any text loses its middle four digits', () => {
    const wordArb = fc.stringMatching(/^[a-z ,.]{0,12}$/);
    fc.assert(
      fc.property(wordArb, mobileArb, wordArb, (before, phone, after) => {
        expect(maskPhonesInText(`${before}${phone}${after}`)).toBe(`${before}${phone.slice(0, 3)}****${phone.slice(7)}${after}`);
      }),
    );
  });

  it('property: a digit run of 12 or 14+ digits is never touched', () => {
    const runArb = fc.oneof(fc.constant(12), fc.integer({ min: 14, max: 24 })).chain((n) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`)));
    fc.assert(
      fc.property(runArb, (digits) => {
        expect(maskPhonesInText(`x ${digits} y`)).toBe(`x ${digits} y`);
      }),
    );
  });
});

describe('maskPhonesInText with separators', () => {
  it('when a number is typed with spaces or dashes, then it is masked too', () => {
    expect(maskPhonesInText('call 138 1234 5678 or +86-139-8765-4321')).toBe('call 138****5678 or 139****4321');
  });
});
