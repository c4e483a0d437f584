/**
 * Request shapes the fake enforces, with WeChat's PARAM_ERROR detail format
 * (`field` as a JSON pointer, `value`, `issue`, `location`).
 */
import { z } from 'zod';
import { isRfc3339 } from '../../../core/src/wechatpay/time.ts';

export interface ParamErrorDetail {
  field: string;
  value: unknown;
  issue: string;
  location: 'body' | 'query' | 'path';
}

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

/** WeChat accepts only 1–3-byte UTF-8: no emoji or other astral characters. */
const noAstral = (value: string) => !/[\u{10000}-\u{10FFFF}]/u.test(value);
const maxBytes = (limit: number) => (value: string) => Buffer.byteLength(value, 'utf8') <= limit;

/**
 * Upstream requires public HTTPS without a query string. The fake also takes
 * plain HTTP to loopback, where tests and the demo stack listen.
 */
export function acceptableNotifyUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?')) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

const text = (max: number) => z.string().min(1).refine(maxBytes(max), `不能超过${max}字节`).refine(noAstral, '不支持4字节UTF-8字符');

export const jsapiOrderSchema = z.looseObject({
  appid: z.string().min(1).max(32),
  mchid: z.string().min(1).max(32),
  description: text(127),
  out_trade_no: z.string().regex(OUT_TRADE_NO, '商户订单号只能是6-32位数字、大小写字母_-|*'),
  time_expire: z.string().refine(isRfc3339, '时间格式应为RFC3339').optional(),
  attach: z.string().refine(maxBytes(128), '不能超过128字节').optional(),
  notify_url: z.string().max(255).refine(acceptableNotifyUrl, 'notify_url必须是https地址且不能携带参数'),
  amount: z.object({ total: z.number().int().positive(), currency: z.literal('CNY').optional() }),
  payer: z.object({ openid: z.string().min(1).max(128) }),
});
export type JsapiOrderBody = z.infer<typeof jsapiOrderSchema>;

export const closeOrderSchema = z.looseObject({ mchid: z.string().min(1).max(32) });

export const refundSchema = z.looseObject({
  out_trade_no: z.string().regex(OUT_TRADE_NO).optional(),
  transaction_id: z.string().min(1).max(32).optional(),
  out_refund_no: z.string().regex(OUT_REFUND_NO, '商户退款单号只能是数字、大小写字母_-|*@'),
  reason: text(80).optional(),
  notify_url: z.string().max(256).refine(acceptableNotifyUrl, 'notify_url必须是https地址且不能携带参数').optional(),
  funds_account: z.literal('AVAILABLE').optional(),
  amount: z.object({ refund: z.number().int().positive(), total: z.number().int().positive(), currency: z.literal('CNY') }),
});
export type RefundBody = z.infer<typeof refundSchema>;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The first problem, reported the way WeChat reports one. */
export function detailOf(error: z.ZodError, input: unknown, location: ParamErrorDetail['location'] = 'body'): ParamErrorDetail {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  return { field: `/${path.map(String).join('/')}`, value: valueAt(input, path) ?? null, issue: issue?.message ?? 'invalid', location };
}
