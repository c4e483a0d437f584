/**
 * The fake's "approved" SMS templates, content rendering, billing and the
 * messages it answers with. Template ids are numeric strings like Tencent's;
 * `{1}`…`{n}` are the variables, so a template's parameter count is the
 * number of distinct placeholders.
 */

export interface FakeSmsTemplate {
  text: string;
  /** Verification-code templates take only 0–6 digits per variable (Tencent's rule). */
  kind: 'verification' | 'notification';
}

/** The defaults, named after the notification kinds that use them (main.ts prints them as SMS_TEMPLATE_*). */
export const DEFAULT_TEMPLATES: Readonly<Record<string, FakeSmsTemplate & { name: string }>> = {
  '2100001': { name: 'VERIFICATION_CODE', kind: 'verification', text: '您的验证码为{1}，{2}分钟内有效，请勿泄露给他人。' },
  '2100002': { name: 'BOOKING_CONFIRMED', kind: 'notification', text: '您在{1}预约的{2}已确认，时间{3}，请准时到店。' },
  '2100003': { name: 'BOOKING_CHANGED', kind: 'notification', text: '您在{1}的{2}预约已改到{3}。' },
  '2100004': { name: 'BOOKING_CANCELLED', kind: 'notification', text: '您在{1}预约的{2}（{3}）已取消。' },
  '2100005': { name: 'REMINDER', kind: 'notification', text: '温馨提醒：您在{1}预约的{2}将于{3}开始。' },
  '2100006': { name: 'REFUND_ISSUED', kind: 'notification', text: '您在{1}的退款{2}元已原路退回，预计{3}到账。' },
  '2100007': { name: 'WAITLIST_OFFER', kind: 'notification', text: '{1}的{2}有空位了（{3}），请尽快在小程序内确认。' },
  '2100008': { name: 'REVIEW_REQUEST', kind: 'notification', text: '感谢光临{1}，欢迎在小程序内评价本次{2}。' },
};

export function paramCountOf(text: string): number {
  return new Set([...text.matchAll(/\{(\d+)\}/g)].map((m) => m[1])).size;
}

export function renderContent(signName: string, text: string, params: readonly string[]): string {
  return `【${signName}】${text.replace(/\{(\d+)\}/g, (whole, n: string) => params[Number(n) - 1] ?? whole)}`;
}

/** Tencent bills mainland SMS per 70 characters, long messages per 67 (signature included). */
export function feeOf(content: string): number {
  const length = [...content].length;
  return length <= 70 ? 1 : Math.ceil(length / 67);
}

/** The longest mainland content Tencent accepts (signature included). */
export const MAX_CONTENT_LENGTH = 500;

/**
 * Messages for the codes the fake produces. Tencent's wording is not fully
 * documented; these follow the error-code pages and field reports (the
 * template one is quoted from an answer seen in the field).
 */
export const CODE_MESSAGES: Readonly<Record<string, string>> = {
  Ok: 'send success',
  'AuthFailure.SignatureFailure': 'The provided credentials could not be validated. Please check your signature is correct.',
  'AuthFailure.SignatureExpire': 'Signature expired. Timestamp and server time cannot differ by more than five minutes.',
  'AuthFailure.SecretIdNotFound': 'The SecretId is not found, please ensure that your SecretId is correct.',
  'AuthFailure.InvalidAuthorization': 'Authorization in the request header is invalid.',
  'FailedOperation.TemplateIncorrectOrUnapproved': 'template is not approved or request content does not match the approved template content',
  'FailedOperation.SignatureIncorrectOrUnapproved': 'signature is not approved or signature format is incorrect',
  'UnauthorizedOperation.SmsSdkAppIdVerifyFail': 'SmsSdkAppId verify fail, please check whether the SmsSdkAppId belongs to the account of the SecretId',
  'InvalidParameterValue.IncorrectPhoneNumber': 'invalid mobile number',
  'InvalidParameterValue.TemplateParameterFormatError': 'Verification code template parameter format error',
  'InvalidParameterValue.ContentLengthLimit': 'the content of the sms message is too long',
  'LimitExceeded.PhoneNumberThirtySecondLimit': 'the number of sms messages sent from a single mobile number within 30 seconds exceeds the upper limit',
  'LimitExceeded.PhoneNumberOneHourLimit': 'the number of sms messages sent from a single mobile number within 1 hour exceeds the upper limit',
  'LimitExceeded.PhoneNumberDailyLimit': 'the number of sms messages sent from a single mobile number every day exceeds the upper limit',
  'LimitExceeded.DeliveryFrequencyLimit': 'the sms delivery hits the delivery rate limit policy',
  'LimitExceeded.PhoneNumberCountLimit': 'the number of mobile numbers in a single request exceeds 200',
  'MissingParameter.EmptyPhoneNumberSet': 'the list of mobile numbers passed in is empty',
  'InternalError.Timeout': 'the request to deliver the sms message timed out',
  'InternalError.OtherError': 'other error',
  RequestLimitExceeded: 'The number of requests exceeds the frequency limit.',
};

export function messageFor(code: string): string {
  return CODE_MESSAGES[code] ?? `fake failure ${code}`;
}
