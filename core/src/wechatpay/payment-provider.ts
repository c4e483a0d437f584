import type { BillEntry, PaymentProvider, ProviderRefund, ProviderTransaction } from '../payments/provider.ts';
import type { WechatPayClient } from './client.ts';
import { isOrderPaidError, isWechatPayError } from './errors.ts';
import { parseWechatTime } from './time.ts';
import type { Refund, RefundNotice, Transaction } from './types.ts';

/**
 * WeChat Pay seen through the booking life cycle's PaymentProvider port: the
 * wire shapes (snake_case, RFC 3339, error codes) end here.
 */
export function wechatPayProvider(
  client: WechatPayClient,
  settings: { mchid: string; appid: string; notifyUrl: string; refundNotifyUrl: string },
): PaymentProvider {
  return {
    mchid: settings.mchid,
    appid: settings.appid,
    createOrder: (input) =>
      client.createJsapiOrder({
        outTradeNo: input.outTradeNo,
        description: input.description,
        amountFen: input.amountFen,
        payerOpenid: input.payerOpenid,
        timeExpire: input.expiresAtMs,
        notifyUrl: settings.notifyUrl,
        attach: input.attach,
      }),
    clientParams: (prepayId) => client.requestPaymentParams(prepayId),
    async queryOrder(outTradeNo) {
      try {
        return transactionFromWechat(await client.queryOrder(outTradeNo));
      } catch (error) {
        if (isWechatPayError(error) && error.code === 'ORDER_NOT_EXIST') return null;
        throw error;
      }
    },
    async closeOrder(outTradeNo) {
      try {
        await client.closeOrder(outTradeNo);
        return 'closed';
      } catch (error) {
        if (isOrderPaidError(error)) return 'already-paid';
        // Never created at WeChat (our createOrder failed): there is nothing that could be paid.
        if (isWechatPayError(error) && error.code === 'ORDER_NOT_EXIST') return 'closed';
        throw error;
      }
    },
    async refund(input) {
      return refundFromWechat(
        await client.createRefund({
          outRefundNo: input.outRefundNo,
          outTradeNo: input.outTradeNo,
          refundFen: input.refundFen,
          totalFen: input.totalFen,
          reason: input.reason,
          notifyUrl: settings.refundNotifyUrl,
        }),
      );
    },
    async queryRefund(outRefundNo) {
      try {
        return refundFromWechat(await client.queryRefund(outRefundNo));
      } catch (error) {
        if (isWechatPayError(error) && (error.code === 'RESOURCE_NOT_EXISTS' || error.code === 'ORDER_NOT_EXIST')) return null;
        throw error;
      }
    },
    async tradeBill(billDate) {
      const bill = await client.tradeBill(billDate);
      return bill.rows.flatMap((row): BillEntry[] => {
        if (row.tradeState === 'REFUND') return [{ kind: 'refund', outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, amountFen: row.refundFen }];
        if (row.tradeState === 'SUCCESS') return [{ kind: 'payment', outTradeNo: row.outTradeNo, transactionId: row.transactionId, amountFen: row.orderFen }];
        return [];
      });
    },
  };
}

export function transactionFromWechat(tx: Transaction): ProviderTransaction {
  return {
    outTradeNo: tx.out_trade_no,
    transactionId: tx.transaction_id ?? null,
    state: tx.trade_state,
    totalFen: tx.amount?.total ?? 0,
    mchid: tx.mchid,
    appid: tx.appid,
    paidAtMs: tx.success_time ? parseWechatTime(tx.success_time) : null,
  };
}

export function refundFromWechat(refund: Refund): ProviderRefund {
  return {
    outRefundNo: refund.out_refund_no,
    refundId: refund.refund_id,
    status: refund.status,
    refundFen: refund.amount.refund,
    succeededAtMs: refund.success_time ? parseWechatTime(refund.success_time) : null,
  };
}

export function refundFromNotice(notice: RefundNotice): ProviderRefund {
  return {
    outRefundNo: notice.out_refund_no,
    refundId: notice.refund_id,
    status: notice.refund_status,
    refundFen: notice.amount.refund,
    succeededAtMs: notice.success_time ? parseWechatTime(notice.success_time) : null,
  };
}
