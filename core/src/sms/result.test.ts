import { describe, expect, it } from 'vitest';
import { resultFromError, resultFromResponse } from './result.ts';

/** What TencentCloudSDKHttpException looks like: an Error with requestId/traceId (+ code or httpCode). */
function sdkException(message: string, fields: { requestId?: string; code?: string; httpCode?: number }): Error {
  return Object.assign(new Error(message), { requestId: fields.requestId ?? '', traceId: 'trace-1' }, fields.code ? { code: fields.code } : {}, fields.httpCode ? { httpCode: fields.httpCode } : {});
}

describe('resultFromResponse', () => {
  it('accepts Code Ok with its SerialNo, Fee and RequestId', () => {
    const result = resultFromResponse({
      SendStatusSet: [{ SerialNo: '2433:3369245', PhoneNumber: '+8613812345678', Fee: 2, SessionContext: 'n-1', Code: 'Ok', Message: 'send success', IsoCode: 'CN' }],
      RequestId: 'req-1',
    });
    expect(result).toEqual({ kind: 'accepted', serialNo: '2433:3369245', fee: 2, requestId: 'req-1' });
  });

  it('turns a per-number code inside a 200 into a failure with the request id, masking the number in the message', () => {
    const result = resultFromResponse({
      SendStatusSet: [{ SerialNo: '', PhoneNumber: '+8613812345678', Fee: 0, Code: 'LimitExceeded.PhoneNumberDailyLimit', Message: 'daily limit for +8613812345678 reached', IsoCode: 'CN' }],
      RequestId: 'req-2',
    });
    expect(result).toEqual({
      kind: 'failed',
      code: 'LimitExceeded.PhoneNumberDailyLimit',
      message: 'daily limit for 138****5678 reached',
      retryable: false,
      requestId: 'req-2',
      retryAfterMs: null,
    });
  });

  it('gives a per-number throttle its window', () => {
    const result = resultFromResponse({ SendStatusSet: [{ Code: 'LimitExceeded.PhoneNumberThirtySecondLimit', Message: 'x' }], RequestId: 'r' });
    expect(result).toMatchObject({ kind: 'failed', retryable: true, retryAfterMs: 30_000 });
  });

  it.each([
    ['no SendStatusSet', { RequestId: 'r' }],
    ['an empty SendStatusSet', { SendStatusSet: [], RequestId: 'r' }],
    ['Ok without SerialNo', { SendStatusSet: [{ Code: 'Ok', SerialNo: '' }], RequestId: 'r' }],
    ['no response at all', undefined],
  ])('answers UNEXPECTED_RESPONSE (retryable) for %s', (_name, response) => {
    expect(resultFromResponse(response)).toMatchObject({ kind: 'failed', code: 'UNEXPECTED_RESPONSE', retryable: true });
  });
});

describe('resultFromError', () => {
  it('maps an API error (Response.Error) by its code, keeping the RequestId', () => {
    expect(resultFromError(sdkException('The provided credentials could not be validated.', { code: 'AuthFailure.SignatureFailure', requestId: 'req-3' }))).toEqual({
      kind: 'failed',
      code: 'AuthFailure.SignatureFailure',
      message: 'The provided credentials could not be validated.',
      retryable: false,
      requestId: 'req-3',
      retryAfterMs: null,
    });
    expect(resultFromError(sdkException('busy', { code: 'RequestLimitExceeded', requestId: 'req-4' }))).toMatchObject({ retryable: true, retryAfterMs: 1_000 });
    expect(resultFromError(sdkException('timeout', { code: 'InternalError.Timeout', requestId: 'req-5' }))).toMatchObject({ retryable: true, requestId: 'req-5' });
  });

  it('masks phone numbers Tencent quotes in messages, in every written form', () => {
    const result = resultFromError(sdkException('bad numbers +8613812345678, 13912345678 and 8615912345678', { code: 'InvalidParameterValue.IncorrectPhoneNumber', requestId: 'r' }));
    expect(result.message).toBe('bad numbers 138****5678, 139****5678 and 159****5678');
    expect(result.retryable).toBe(false);
  });

  it('maps non-200 statuses to HTTP_ERROR, retryable only for 5xx and 429', () => {
    expect(resultFromError(sdkException('Bad Gateway', { httpCode: 502 }))).toMatchObject({ code: 'HTTP_ERROR', message: 'HTTP 502 Bad Gateway', retryable: true, requestId: null });
    expect(resultFromError(sdkException('Too Many Requests', { httpCode: 429 }))).toMatchObject({ retryable: true });
    expect(resultFromError(sdkException('Forbidden', { httpCode: 403 }))).toMatchObject({ code: 'HTTP_ERROR', retryable: false });
  });

  it('tells a timeout (may have been sent) from a connection failure (was not)', () => {
    expect(resultFromError(sdkException('network timeout at: https://sms.tencentcloudapi.com/', {}))).toMatchObject({ code: 'TIMEOUT', retryable: true, requestId: null });
    expect(resultFromError(sdkException('request to https://sms.tencentcloudapi.com/ failed, reason: connect ECONNREFUSED', {}))).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('maps what the SDK lets escape (a non-JSON 200) to UNEXPECTED_RESPONSE', () => {
    expect(resultFromError(new SyntaxError('Unexpected token < in JSON'))).toMatchObject({ code: 'UNEXPECTED_RESPONSE', message: 'SyntaxError: Unexpected token < in JSON', retryable: true });
    expect(resultFromError('a string')).toMatchObject({ code: 'UNEXPECTED_RESPONSE' });
  });
});
