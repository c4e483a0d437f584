import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock.ts';
import { decryptResource, encryptResource } from './aead.ts';
import { isWechatPayError } from './errors.ts';
import { memoryNonceStore, verifyAndDecryptNotification } from './notify.ts';
import { createNonce, signWechatpayMessage } from './signing.ts';
import { credentialsFromTestKeys, generateTestKeys } from './testing/keys.ts';

const keys = generateTestKeys();
const credentials = credentialsFromTestKeys(keys);
const NOW_MS = Date.parse('2026-05-20T05:29:35Z');

const transaction = {
  appid: keys.appid,
  mchid: keys.mchid,
  out_trade_no: 'ZY20260520001',
  transaction_id: '4200000000202605200000000001',
  trade_type: 'JSAPI',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  bank_type: 'OTHERS',
  attach: 'booking:01J',
  success_time: '2026-05-20T13:29:35+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 8800, payer_total: 8800, currency: 'CNY', payer_currency: 'CNY' },
};

function notification(options: { apiV3Key?: string; associatedData?: string; resource?: object; originalType?: string } = {}) {
  const nonce = createNonce(12);
  const associatedData = options.associatedData ?? 'transaction';
  const body = JSON.stringify({
    id: 'EV-2018022511223320873',
    create_time: '2026-05-20T13:29:36+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: options.originalType ?? 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptResource({ apiV3Key: options.apiV3Key ?? keys.apiV3Key, nonce, associatedData, plaintext: JSON.stringify(options.resource ?? transaction) }),
      associated_data: associatedData,
      nonce,
    },
  });
  return body;
}

function headersFor(body: string, options: { atMs?: number; nonce?: string; serial?: string; signWith?: typeof keys.wechatpayPrivateKey } = {}) {
  return signWechatpayMessage(
    body,
    options.signWith ?? keys.wechatpayPrivateKey,
    options.serial ?? keys.wechatpayPublicKeyId,
    Math.floor((options.atMs ?? NOW_MS) / 1000),
    options.nonce,
  );
}

function deps() {
  const clock = manualClock(NOW_MS);
  return { credentials, clock, nonceStore: memoryNonceStore(clock) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isWechatPayError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('AEAD_AES_256_GCM', () => {
  const input = { apiV3Key: keys.apiV3Key, nonce: 'fdasflkja484', associatedData: 'transaction' };

  it('round-trips and appends a 16-byte tag', () => {
    const ciphertext = encryptResource({ ...input, plaintext: '{"a":"支付"}' });
    expect(Buffer.from(ciphertext, 'base64').length).toBe(Buffer.byteLength('{"a":"支付"}') + 16);
    expect(decryptResource({ ...input, ciphertext })).toBe('{"a":"支付"}');
  });

  it('detects a flipped bit, a wrong AAD, nonce or key', () => {
    const ciphertext = encryptResource({ ...input, plaintext: 'hello' });
    const raw = Buffer.from(ciphertext, 'base64');
    raw[0] = (raw[0] ?? 0) ^ 1;
    expect(() => decryptResource({ ...input, ciphertext: raw.toString('base64') })).toThrow();
    expect(() => decryptResource({ ...input, associatedData: 'refund', ciphertext })).toThrow();
    expect(() => decryptResource({ ...input, nonce: 'fdasflkja485', ciphertext })).toThrow();
    expect(() => decryptResource({ ...input, apiV3Key: 'x'.repeat(32), ciphertext })).toThrow();
  });
});

describe('verifyAndDecryptNotification', () => {
  it('returns the decrypted, typed transaction', async () => {
    const body = notification();
    const result = await verifyAndDecryptNotification({ headers: headersFor(body), rawBody: Buffer.from(body) }, deps());
    expect(result).toMatchObject({ id: 'EV-2018022511223320873', eventType: 'TRANSACTION.SUCCESS', originalType: 'transaction', resource: transaction });
  });

  it('accepts Node-style lower-case header objects and a string body', async () => {
    const body = notification();
    const lower = Object.fromEntries(Object.entries(headersFor(body)).map(([k, v]) => [k.toLowerCase(), v]));
    await expect(verifyAndDecryptNotification({ headers: lower, rawBody: body }, deps())).resolves.toMatchObject({ originalType: 'transaction' });
  });

  it('rejects a body that was re-serialized after signing', async () => {
    const body = notification();
    const reformatted = JSON.stringify(JSON.parse(body), null, 1);
    expect(await codeOf(verifyAndDecryptNotification({ headers: headersFor(body), rawBody: reformatted }, deps()))).toBe('NOTIFY_SIGNATURE_INVALID');
  });

  it('rejects SIGNTEST probes even with an otherwise valid signature', async () => {
    const body = notification();
    const headers = headersFor(body);
    headers['Wechatpay-Signature'] = `WECHATPAY/SIGNTEST/${headers['Wechatpay-Signature']}`;
    const rejection = verifyAndDecryptNotification({ headers, rawBody: body }, deps());
    await expect(rejection).rejects.toMatchObject({ code: 'NOTIFY_SIGNATURE_INVALID', message: expect.stringContaining('SIGNTEST') });
  });

  it('rejects a signature by another key and an unknown serial', async () => {
    const body = notification();
    const stranger = generateTestKeys();
    expect(await codeOf(verifyAndDecryptNotification({ headers: headersFor(body, { signWith: stranger.wechatpayPrivateKey }), rawBody: body }, deps()))).toBe(
      'NOTIFY_SIGNATURE_INVALID',
    );
    expect(await codeOf(verifyAndDecryptNotification({ headers: headersFor(body, { serial: stranger.wechatpayPublicKeyId }), rawBody: body }, deps()))).toBe(
      'NOTIFY_UNKNOWN_SERIAL',
    );
  });

  it('rejects timestamps 300 s or more away and accepts 299 s', async () => {
    const body = notification();
    for (const offset of [-300_000, 300_000, -3_600_000]) {
      expect(await codeOf(verifyAndDecryptNotification({ headers: headersFor(body, { atMs: NOW_MS + offset }), rawBody: body }, deps()))).toBe('NOTIFY_TIMESTAMP_SKEW');
    }
    await expect(verifyAndDecryptNotification({ headers: headersFor(body, { atMs: NOW_MS - 299_000 }), rawBody: body }, deps())).resolves.toBeDefined();
  });

  it('rejects a replayed nonce but accepts a re-signed retry of the same event', async () => {
    const context = deps();
    const body = notification();
    const headers = headersFor(body);
    await verifyAndDecryptNotification({ headers, rawBody: body }, context);
    expect(await codeOf(verifyAndDecryptNotification({ headers, rawBody: body }, context))).toBe('NOTIFY_REPLAYED');
    const retry = await verifyAndDecryptNotification({ headers: headersFor(body), rawBody: body }, context);
    expect(retry.id).toBe('EV-2018022511223320873');
  });

  it('does not burn the nonce of a notify that fails', async () => {
    const context = deps();
    const bad = notification({ apiV3Key: 'y'.repeat(32) });
    const headers = headersFor(bad, { nonce: 'SAME-NONCE' });
    expect(await codeOf(verifyAndDecryptNotification({ headers, rawBody: bad }, context))).toBe('NOTIFY_DECRYPT_FAILED');
    expect(context.nonceStore.size()).toBe(0);
  });

  it('reports a wrong APIv3 key or AAD as NOTIFY_DECRYPT_FAILED', async () => {
    const wrongKey = notification({ apiV3Key: 'z'.repeat(32) });
    expect(await codeOf(verifyAndDecryptNotification({ headers: headersFor(wrongKey), rawBody: wrongKey }, deps()))).toBe('NOTIFY_DECRYPT_FAILED');
    const body = notification();
    const swapped = body.replace('"associated_data":"transaction"', '"associated_data":"refund"');
    expect(await codeOf(verifyAndDecryptNotification({ headers: headersFor(swapped), rawBody: swapped }, deps()))).toBe('NOTIFY_DECRYPT_FAILED');
  });

  it('types refund notices and rejects resources of the wrong shape', async () => {
    const notice = {
      mchid: keys.mchid,
      out_trade_no: 'ZY20260520001',
      transaction_id: '4200000000202605200000000001',
      out_refund_no: 'RF20260520001',
      refund_id: '50000000382019052709732678859',
      refund_status: 'SUCCESS',
      success_time: '2026-05-20T13:40:00+08:00',
      user_received_account: '支付用户零钱',
      amount: { total: 8800, refund: 3000, payer_total: 8800, payer_refund: 3000 },
    };
    const body = notification({ originalType: 'refund', associatedData: 'refund', resource: notice });
    const result = await verifyAndDecryptNotification({ headers: headersFor(body), rawBody: body }, deps());
    expect(result.originalType).toBe('refund');
    expect(result.resource).toEqual(notice);

    const wrongShape = notification({ resource: { ...transaction, trade_state: 'PAID_MAYBE' } });
    expect(await codeOf(verifyAndDecryptNotification({ headers: headersFor(wrongShape), rawBody: wrongShape }, deps()))).toBe('NOTIFY_MALFORMED');
  });
});
