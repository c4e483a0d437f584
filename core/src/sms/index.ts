/** Tencent Cloud SMS (SendSms 2021-01-11 + delivery-status callback): the one import for SMS code. */
export { isRetryableHttpStatus, isRetryableSmsCode, LocalSmsErrorCodes, retryAfterMsFor } from './classification.ts';
export { resultFromError, resultFromResponse, type SmsAccepted, type SmsFailed, type SmsSendResult } from './result.ts';
export {
  createSmsSender,
  DEFAULT_SMS_ENDPOINT,
  SMS_REGIONS,
  type SmsExchange,
  type SmsMessage,
  type SmsRegion,
  type SmsSender,
  type SmsSenderConfig,
  type SmsSenderOptions,
  toMainlandE164,
} from './sender.ts';
export { smsEnv, smsSenderFromSettings, type SmsSettings } from './settings.ts';
export { parseChinaDateTime, parseStatusCallback, SmsCallbackFormatError, type SmsStatusReport, STATUS_CALLBACK_ANSWER } from './status-callback.ts';
