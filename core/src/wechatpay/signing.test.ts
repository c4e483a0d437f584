import { createPublicKey, createSign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkWechatpaySignature,
  createNonce,
  parseAuthorization,
  requestSignatureMessage,
  responseSignatureMessage,
  signRequest,
  signWechatpayMessage,
} from './signing.ts';
import { credentialsFromTestKeys, generateTestKeys } from './testing/keys.ts';
import { toWechatTime } from './time.ts';
import { createWechatPayClient } from './client.ts';
import { manualClock } from '../clock.ts';

const keys = generateTestKeys();
const NOW_MS = Date.parse('2026-05-20T05:29:35Z');

describe('request signature', () => {
  it('builds the five-line message exactly as the documentation spells it', () => {
    const built = requestSignatureMessage('get', '/v3/pay/transactions/out-trade-no/X1?mchid=1900000001', '1554208460', 'NONCE', '');
    // Written out by hand from §3.2, not with the function's own template.
    expect(built).toBe(['GET', '/v3/pay/transactions/out-trade-no/X1?mchid=1900000001', '1554208460', 'NONCE', '', ''].join('\n'));
    expect(requestSignatureMessage('POST', '/v3/x', '1', 'n', '{"a":1}')).toBe('POST\n/v3/x\n1\nn\n{"a":1}\n');
  });

  it('produces an Authorization header that parses back and verifies with the merchant public key', () => {
    const body = '{"mchid":"1900000109"}';
    const header = signRequest({
      method: 'POST',
      canonicalUrl: '/v3/pay/transactions/out-trade-no/A-1/close',
      body,
      mchid: keys.mchid,
      merchantSerialNo: keys.merchantSerialNo,
      merchantPrivateKey: keys.merchantPrivateKey,
      timestampSeconds: 1554208460,
      nonce: 'abcDEF123',
    });
    expect(header).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="abcDEF123",timestamp="1554208460",serial_no="[0-9A-F]{40}",signature="[A-Za-z0-9+/=]+"$/);
    const fields = parseAuthorization(header);
    expect(fields).toMatchObject({ mchid: keys.mchid, nonce_str: 'abcDEF123', timestamp: '1554208460', serial_no: keys.merchantSerialNo });
    const message = Buffer.from(`POST\n/v3/pay/transactions/out-trade-no/A-1/close\n1554208460\nabcDEF123\n${body}\n`);
    expect(verify('sha256', message, keys.merchantPublicKey, Buffer.from(fields!.signature, 'base64'))).toBe(true);
    // One changed byte of the body no longer verifies.
    const tampered = Buffer.from(`POST\n/v3/pay/transactions/out-trade-no/A-1/close\n1554208460\nabcDEF123\n${body.replace('109', '108')}\n`);
    expect(verify('sha256', tampered, keys.merchantPublicKey, Buffer.from(fields!.signature, 'base64'))).toBe(false);
  });

  it('agrees with an independent createSign implementation', () => {
    const message = 'GET\n/v3/refund/domestic/refunds/R1\n1700000000\nn0nce\n\n';
    const independent = createSign('RSA-SHA256').update(message).sign(keys.merchantPrivateKey, 'base64');
    const header = signRequest({
      method: 'GET',
      canonicalUrl: '/v3/refund/domestic/refunds/R1',
      body: '',
      mchid: keys.mchid,
      merchantSerialNo: keys.merchantSerialNo,
      merchantPrivateKey: keys.merchantPrivateKey,
      timestampSeconds: 1700000000,
      nonce: 'n0nce',
    });
    // PKCS#1 v1.5 is deterministic, so both signatures must be identical.
    expect(parseAuthorization(header)?.signature).toBe(independent);
  });

  it('parses attributes in any order and rejects malformed headers', () => {
    const reordered = 'WECHATPAY2-SHA256-RSA2048 signature="c2ln",serial_no="ABC",timestamp="1",nonce_str="n",mchid="1"';
    expect(parseAuthorization(reordered)).toEqual({ mchid: '1', nonce_str: 'n', timestamp: '1', serial_no: 'ABC', signature: 'c2ln' });
    expect(parseAuthorization('Bearer x')).toBeNull();
    expect(parseAuthorization(undefined)).toBeNull();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="A"')).toBeNull();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",timestamp="1",serial_no="A",signature="s"')).toBeNull();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="A",signature="s" junk')).toBeNull();
  });

  it('makes 32-character alphanumeric nonces', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9A-Za-z]{32}$/);
  });
});

describe('response and notify signature check', () => {
  const verifierKeys = { [keys.wechatpayPublicKeyId]: keys.wechatpayPublicKey };
  const body = '{"prepay_id":"wx201410272009395522657a690389285100"}';
  const signed = (overrides: Partial<Record<string, string>> = {}, atSeconds = NOW_MS / 1000) => {
    const h = signWechatpayMessage(body, keys.wechatpayPrivateKey, keys.wechatpayPublicKeyId, atSeconds, 'NONCE123');
    return {
      timestamp: h['Wechatpay-Timestamp'],
      nonce: h['Wechatpay-Nonce'],
      serial: h['Wechatpay-Serial'],
      signature: h['Wechatpay-Signature'],
      ...overrides,
    };
  };

  it('signs TIMESTAMP\\nNONCE\\nBODY\\n', () => {
    const h = signed();
    const message = Buffer.from(`${NOW_MS / 1000}\nNONCE123\n${body}\n`);
    expect(responseSignatureMessage(String(NOW_MS / 1000), 'NONCE123', body)).toEqual(message);
    expect(verify('sha256', message, keys.wechatpayPublicKey, Buffer.from(h.signature!, 'base64'))).toBe(true);
    expect(checkWechatpaySignature(h, body, verifierKeys, NOW_MS)).toEqual({ ok: true, timestampSeconds: NOW_MS / 1000 });
  });

  it('rejects SIGNTEST probes, unknown serials, other bodies and skew of 300 s or more', () => {
    expect(checkWechatpaySignature(signed({ signature: `WECHATPAY/SIGNTEST/${signed().signature}` }), body, verifierKeys, NOW_MS)).toEqual({ ok: false, reason: 'SIGNTEST_PROBE' });
    expect(checkWechatpaySignature(signed({ serial: 'PUB_KEY_ID_0000' }), body, verifierKeys, NOW_MS)).toEqual({ ok: false, reason: 'UNKNOWN_SERIAL' });
    expect(checkWechatpaySignature(signed(), `${body} `, verifierKeys, NOW_MS)).toEqual({ ok: false, reason: 'SIGNATURE_INVALID' });
    expect(checkWechatpaySignature(signed({ nonce: 'OTHER' }), body, verifierKeys, NOW_MS)).toEqual({ ok: false, reason: 'SIGNATURE_INVALID' });
    expect(checkWechatpaySignature(signed({}, NOW_MS / 1000 - 299), body, verifierKeys, NOW_MS).ok).toBe(true);
    expect(checkWechatpaySignature(signed({}, NOW_MS / 1000 - 300), body, verifierKeys, NOW_MS)).toEqual({ ok: false, reason: 'TIMESTAMP_SKEW' });
    expect(checkWechatpaySignature(signed({}, NOW_MS / 1000 + 300), body, verifierKeys, NOW_MS)).toEqual({ ok: false, reason: 'TIMESTAMP_SKEW' });
    expect(checkWechatpaySignature({ ...signed(), signature: undefined }, body, verifierKeys, NOW_MS)).toEqual({ ok: false, reason: 'MISSING_HEADERS' });
  });

  it('does not take a serial from the object prototype', () => {
    expect(checkWechatpaySignature(signed({ serial: 'constructor' }), body, verifierKeys, NOW_MS)).toEqual({ ok: false, reason: 'UNKNOWN_SERIAL' });
  });
});

describe('requestPaymentParams', () => {
  it('signs appId, timeStamp, nonceStr and package with the merchant key (paySign)', () => {
    const clock = manualClock(NOW_MS);
    const client = createWechatPayClient({ baseUrl: 'http://127.0.0.1:1', credentials: credentialsFromTestKeys(keys), clock });
    const params = client.requestPaymentParams('wx201410272009395522657a690389285100');
    expect(params).toMatchObject({ appId: keys.appid, timeStamp: String(NOW_MS / 1000), package: 'prepay_id=wx201410272009395522657a690389285100', signType: 'RSA' });
    expect(params.timeStamp).toMatch(/^\d{10}$/);
    expect(params.nonceStr.length).toBeLessThanOrEqual(32);
    const message = `${keys.appid}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    const merchantPublicKey = createPublicKey(keys.merchantPrivateKey);
    expect(verify('sha256', Buffer.from(message), merchantPublicKey, Buffer.from(params.paySign, 'base64'))).toBe(true);
    expect(verify('sha256', Buffer.from(message), keys.wechatpayPublicKey, Buffer.from(params.paySign, 'base64'))).toBe(false);
  });
});

describe('time format', () => {
  it('writes RFC 3339 in China time, whole seconds', () => {
    expect(toWechatTime(Date.parse('2026-05-20T05:29:35.987Z'))).toBe('2026-05-20T13:29:35+08:00');
    expect(toWechatTime(Date.parse('2026-12-31T16:00:00Z'))).toBe('2027-01-01T00:00:00+08:00');
  });
});
