/** WeChat Pay API v3 (JSAPI / mini program): the one import for payment code. */
export { decryptResource, encryptResource } from './aead.ts';
export { fenToYuan, parseTradeBill, type TradeBill, TradeBillFormatError, type TradeBillRow, type TradeBillSummary, yuanToFen } from './bill.ts';
export {
  createWechatPayClient,
  type CreateJsapiOrderInput,
  type CreateRefundInput,
  type RequestPaymentParams,
  type WechatPayClient,
  type WechatPayClientOptions,
  type WechatPayExchange,
} from './client.ts';
export { isPublicKeyId, loadCredentialsFromPem, type PemCredentialsInput, type WechatPayCredentials } from './credentials.ts';
export { isOrderPaidError, isWechatPayError, WechatPayError } from './errors.ts';
export {
  memoryNonceStore,
  type NonceStore,
  NOTIFY_NONCE_TTL_SECONDS,
  type NotificationInput,
  type NotificationEventType,
  verifyAndDecryptNotification,
  type WechatPayNotification,
} from './notify.ts';
export { toWechatTime, parseWechatTime, chinaDate } from './time.ts';
export type { Refund, RefundNotice, RefundStatus, TradeState, Transaction } from './types.ts';
