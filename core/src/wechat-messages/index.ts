/** WeChat subscribe messages: field fitting (pure), error classification (pure) and the sender (HTTP). */
export { classifyErrcode, TOKEN_REJECTED_ERRCODES } from './classify.ts';
export {
  ELLIPSIS,
  FIELD_KINDS,
  FIELD_LIMITS,
  type FieldError,
  type FieldErrorCode,
  type FieldKind,
  type FitDataResult,
  type FitResult,
  fitField,
  fitTemplateData,
  formatAmountFen,
  formatDateValue,
  formatTimeRange,
  formatTimeValue,
  keywordKind,
  truncateCodePoints,
} from './fields.ts';
export { subscribeChannel } from './channel.ts';
export { WechatApiError } from './http.ts';
export { createSubscribeMessageSender, type SubscribeMessageSender, type SubscribeMessageSenderOptions } from './sender.ts';
export { createStableTokenFetcher, type StableTokenFetcherOptions } from './stable-token.ts';
export type * from './types.ts';
