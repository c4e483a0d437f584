import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { canonicalRequest, parseTc3Authorization, signaturesEqual, stringToSign, tc3AuthorizationHeader, tc3Signature, utcDate } from './tc3.ts';

// CommonJS with `exports.default = Sign`: Node and vitest disagree on what an ESM default import of it is, require does not.
const require = createRequire(import.meta.url);
const { sign3 } = (require('tencentcloud-sdk-nodejs/tencentcloud/common/sign.js') as typeof import('tencentcloud-sdk-nodejs/tencentcloud/common/sign.js')).default;

const secretId = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE';
const secretKey = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';
const timestamp = 1_796_000_000;
const payload = { PhoneNumberSet: ['+8613812345678'], SmsSdkAppId: '1400006666', SignName: '智约', TemplateId: '2100002', TemplateParamSet: ['静安店', '剪发', '10:00'] };

describe('TC3-HMAC-SHA256 (the fake) against the official SDK', () => {
  it.each([
    ['sms.tencentcloudapi.com', 'sms'],
    ['127.0.0.1:9104', '127'],
  ])('produces the SDK signature for endpoint %s (service %s)', (endpoint, service) => {
    const url = `https://${endpoint}/`;
    const sdkHeader = sign3({ method: 'POST', url, payload, timestamp, service, secretId, secretKey, multipart: false, boundary: '', headers: { 'Content-Type': 'application/json' } });
    const ours = tc3AuthorizationHeader({ secretId, secretKey, service, timestamp, host: new URL(url).hostname, contentType: 'application/json', payload: JSON.stringify(payload) });
    expect(ours).toBe(sdkHeader);
    expect(parseTc3Authorization(sdkHeader)).toEqual({ secretId, date: utcDate(timestamp), service, signedHeaders: ['content-type', 'host'], signature: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('changes the signature when any signed part changes', () => {
    const date = utcDate(timestamp);
    const sign = (body: string, host = 'sms.tencentcloudapi.com', ts = timestamp, key = secretKey) => {
      const canonical = canonicalRequest({ method: 'POST', path: '/', query: '', headers: { 'content-type': 'application/json', host }, signedHeaders: ['content-type', 'host'], payload: body });
      return tc3Signature(key, date, 'sms', stringToSign(ts, date, 'sms', canonical));
    };
    const reference = sign('{"a":1}');
    expect(signaturesEqual(reference, sign('{"a":1}'))).toBe(true);
    for (const other of [sign('{"a":2}'), sign('{"a":1}', 'evil.example.com'), sign('{"a":1}', undefined, timestamp + 1), sign('{"a":1}', undefined, undefined, 'other')]) {
      expect(signaturesEqual(reference, other)).toBe(false);
    }
    expect(signaturesEqual(reference, 'zz')).toBe(false);
  });

  it('rejects malformed Authorization headers', () => {
    expect(parseTc3Authorization(undefined)).toBeNull();
    expect(parseTc3Authorization('TC3-HMAC-SHA256 Credential=AKID/2026-12-01/sms/tc3_request, SignedHeaders=content-type;host')).toBeNull();
    expect(parseTc3Authorization(`HMAC-SHA256 Credential=AKID/2026-12-01/sms/tc3_request, SignedHeaders=content-type;host, Signature=${'a'.repeat(64)}`)).toBeNull();
  });
});
