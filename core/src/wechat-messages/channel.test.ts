import { describe, expect, it } from 'vitest';
import { subscribeChannel } from './channel.ts';
import type { SubscribeMessageSender } from './sender.ts';
import type { SubscribeMessage, SubscribeSendResult } from './types.ts';

function stubSender(result: SubscribeSendResult): SubscribeMessageSender & { calls: SubscribeMessage[] } {
  const calls: SubscribeMessage[] = [];
  return {
    calls,
    send: async (message) => {
      calls.push(message);
      return result;
    },
  };
}

const input = { openid: 'o123', templateId: 'tmpl', page: 'pages/booking/detail?id=1', data: { thing1: '剪发' } };

describe('subscribeChannel', () => {
  it('adds the configured state and language', async () => {
    const sender = stubSender({ kind: 'sent', msgid: '123' });
    await expect(subscribeChannel(sender, { miniprogramState: 'trial', lang: 'zh_CN' }).send(input)).resolves.toStrictEqual({ kind: 'sent', msgid: '123' });
    expect(sender.calls).toStrictEqual([{ ...input, miniprogramState: 'trial', lang: 'zh_CN' }]);
  });

  it('maps a missing msgid to null, 43101 to noConsent and a missing errcode to -1', async () => {
    const options = { miniprogramState: 'formal', lang: 'zh_CN' } as const;
    await expect(subscribeChannel(stubSender({ kind: 'sent' }), options).send(input)).resolves.toStrictEqual({ kind: 'sent', msgid: null });
    await expect(
      subscribeChannel(stubSender({ kind: 'failed', errcode: 43101, errmsg: 'user refuse to accept the msg', reason: 'NO_CONSENT', retryable: false }), options).send(input),
    ).resolves.toStrictEqual({ kind: 'failed', errcode: 43101, reason: 'NO_CONSENT', retryable: false, noConsent: true });
    await expect(
      subscribeChannel(stubSender({ kind: 'failed', errcode: null, errmsg: 'timed out', reason: 'SYSTEM', retryable: true }), options).send(input),
    ).resolves.toStrictEqual({ kind: 'failed', errcode: -1, reason: 'SYSTEM', retryable: true, noConsent: false });
  });
});
