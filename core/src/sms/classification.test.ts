import { describe, expect, it } from 'vitest';
import { isRetryableHttpStatus, isRetryableSmsCode, retryAfterMsFor } from './classification.ts';

describe('isRetryableSmsCode', () => {
  it.each([
    'RequestLimitExceeded',
    'RequestLimitExceeded.IPLimitExceeded',
    'InternalError',
    'InternalError.Timeout',
    'InternalError.OtherError',
    'InternalError.SendAndRecvFail',
    'LimitExceeded.PhoneNumberThirtySecondLimit',
    'LimitExceeded.PhoneNumberOneHourLimit',
    'LimitExceeded.DeliveryFrequencyLimit',
    'TIMEOUT',
    'NETWORK_ERROR',
    'UNEXPECTED_RESPONSE',
  ])('retries %s (throttling, Tencent-side or transport)', (code) => {
    expect(isRetryableSmsCode(code)).toBe(true);
  });

  it.each([
    'AuthFailure.SignatureFailure',
    'AuthFailure.SignatureExpire',
    'AuthFailure.SecretIdNotFound',
    'LimitExceeded.PhoneNumberDailyLimit',
    'LimitExceeded.PhoneNumberSameContentDailyLimit',
    'LimitExceeded.AppDailyLimit',
    'LimitExceeded.PhoneNumberCountLimit',
    'FailedOperation.TemplateIncorrectOrUnapproved',
    'FailedOperation.TemplateParamSetNotMatchApprovedTemplate',
    'FailedOperation.SignatureIncorrectOrUnapproved',
    'FailedOperation.PhoneNumberInBlacklist',
    'FailedOperation.InsufficientBalanceInSmsPackage',
    'InvalidParameterValue.IncorrectPhoneNumber',
    'InvalidParameterValue.TemplateParameterFormatError',
    'UnauthorizedOperation.SmsSdkAppIdVerifyFail',
    'UnauthorizedOperation.RequestIpNotInWhitelist',
    // Clock skew of more than 10 minutes fails the same way until someone fixes the clock.
    'InternalError.RequestTimeException',
    'HTTP_ERROR',
    'SomethingNew.NeverSeenBefore',
    // A prefix must match at a segment boundary, not inside a word.
    'InternalErrorish',
  ])('does not retry %s', (code) => {
    expect(isRetryableSmsCode(code)).toBe(false);
  });
});

describe('retry hints', () => {
  it('names the throttle window where the code implies one', () => {
    expect(retryAfterMsFor('LimitExceeded.PhoneNumberThirtySecondLimit')).toBe(30_000);
    expect(retryAfterMsFor('LimitExceeded.PhoneNumberOneHourLimit')).toBe(3_600_000);
    expect(retryAfterMsFor('InternalError.Timeout')).toBeNull();
  });

  it('treats 5xx and 429 as retryable HTTP statuses, other 4xx not', () => {
    expect([500, 502, 503, 429, 400, 403, 404].map(isRetryableHttpStatus)).toEqual([true, true, true, true, false, false, false]);
  });
});
