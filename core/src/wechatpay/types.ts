/**
 * WeChat Pay's payloads, validated with zod. Field names stay snake_case as
 * on the wire so they can be checked against WeChat's documentation line by
 * line; amounts are integer fen. Unknown fields pass through untouched.
 */
import { z } from 'zod';

const fen = z.number().int().nonnegative();

export const TRADE_STATES = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR'] as const;
export type TradeState = (typeof TRADE_STATES)[number];

export const transactionSchema = z.looseObject({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  /** Absent until paid. */
  transaction_id: z.string().optional(),
  trade_type: z.string().optional(),
  trade_state: z.enum(TRADE_STATES),
  trade_state_desc: z.string().optional(),
  bank_type: z.string().optional(),
  attach: z.string().optional(),
  /** RFC 3339; absent until paid. */
  success_time: z.string().optional(),
  payer: z.looseObject({ openid: z.string().optional() }).optional(),
  amount: z
    .looseObject({
      total: fen.optional(),
      payer_total: fen.optional(),
      currency: z.string().optional(),
      payer_currency: z.string().optional(),
    })
    .optional(),
  promotion_detail: z.array(z.unknown()).optional(),
});
export type Transaction = z.infer<typeof transactionSchema>;

export const REFUND_STATUSES = ['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const refundSchema = z.looseObject({
  refund_id: z.string(),
  out_refund_no: z.string(),
  transaction_id: z.string(),
  out_trade_no: z.string(),
  channel: z.string(),
  user_received_account: z.string(),
  success_time: z.string().optional(),
  create_time: z.string(),
  status: z.enum(REFUND_STATUSES),
  funds_account: z.string().optional(),
  amount: z.looseObject({
    total: fen,
    refund: fen,
    payer_total: fen,
    payer_refund: fen,
    settlement_refund: fen.optional(),
    settlement_total: fen.optional(),
    discount_refund: fen.optional(),
    currency: z.string(),
    from: z.array(z.unknown()).optional(),
  }),
  promotion_detail: z.array(z.unknown()).optional(),
});
export type Refund = z.infer<typeof refundSchema>;

/** The decrypted resource of REFUND.* notifies. */
export const refundNoticeSchema = z.looseObject({
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string(),
  out_refund_no: z.string(),
  refund_id: z.string(),
  refund_status: z.enum(REFUND_STATUSES),
  success_time: z.string().optional(),
  user_received_account: z.string().optional(),
  amount: z.looseObject({ total: fen, refund: fen, payer_total: fen, payer_refund: fen }),
});
export type RefundNotice = z.infer<typeof refundNoticeSchema>;

export const prepayResponseSchema = z.looseObject({ prepay_id: z.string().min(1) });

export const billLocationSchema = z.looseObject({
  download_url: z.url(),
  hash_type: z.literal('SHA1'),
  hash_value: z.string().regex(/^[0-9A-Fa-f]{40}$/),
});
export type BillLocation = z.infer<typeof billLocationSchema>;

export const errorBodySchema = z.looseObject({ code: z.string(), message: z.string().optional(), detail: z.unknown().optional() });
