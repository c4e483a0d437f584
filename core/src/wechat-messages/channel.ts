import type { SubscribeChannel } from '../notifications/channels.ts';
import type { SubscribeMessageSender } from './sender.ts';
import type { MiniprogramState, SubscribeLang } from './types.ts';

/**
 * The sender as the notification workers' SubscribeChannel. Their outcome has
 * a numeric errcode: a failure without one from WeChat (network, HTTP error,
 * refused before sending) becomes -1, and `reason` still tells them apart.
 */
export function subscribeChannel(sender: SubscribeMessageSender, options: { miniprogramState: MiniprogramState; lang: SubscribeLang }): SubscribeChannel {
  return {
    async send(input) {
      const result = await sender.send({ ...input, miniprogramState: options.miniprogramState, lang: options.lang });
      if (result.kind === 'sent') return { kind: 'sent', msgid: result.msgid ?? null };
      return { kind: 'failed', errcode: result.errcode ?? -1, reason: result.reason, retryable: result.retryable, noConsent: result.reason === 'NO_CONSENT' };
    },
  };
}
