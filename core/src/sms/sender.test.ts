import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock.ts';
import { createSmsSender, type SmsExchange, toMainlandE164 } from './sender.ts';

const config = {
  secretId: 'AKIDtest',
  secretKey: 'secret',
  smsSdkAppId: '1400006666',
  signName: '智约',
  // Nothing listens there; the cases below must not reach the network anyway.
  endpoint: '127.0.0.1:1',
  protocol: 'http://' as const,
  timeoutMs: 500,
};

describe('toMainlandE164', () => {
  it.each([
    ['13812345678', '+8613812345678'],
    ['+8613812345678', '+8613812345678'],
    ['8613812345678', '+8613812345678'],
    ['138 1234 5678', '+8613812345678'],
    ['12812345678', null],
    ['+85291234567', null],
    ['1381234567', null],
  ])('%s → %s', (input, expected) => {
    expect(toMainlandE164(input)).toBe(expected);
  });
});

describe('createSmsSender', () => {
  it('refuses a non-mainland number without calling Tencent, with a masked exchange', async () => {
    const exchanges: SmsExchange[] = [];
    const sender = createSmsSender(config, { clock: manualClock(1_000), onExchange: (e) => exchanges.push(e) });
    const result = await sender.send({ phone: '+85291234567', templateId: '2100002', params: ['a', 'b', 'c'] });
    expect(result).toEqual({ kind: 'failed', code: 'InvalidParameterValue.IncorrectPhoneNumber', message: 'not a mainland China mobile number', retryable: false, requestId: null, retryAfterMs: null });
    expect(exchanges).toEqual([expect.objectContaining({ atMs: 1_000, phoneMasked: '****', code: 'InvalidParameterValue.IncorrectPhoneNumber', requestId: null })]);
    expect(JSON.stringify(exchanges)).not.toContain('91234567');
  });

  it('reports a transport failure as a retryable result with the phone masked, never as a throw', async () => {
    const exchanges: SmsExchange[] = [];
    const sender = createSmsSender(config, { onExchange: (e) => exchanges.push(e) });
    const result = await sender.send({ phone: '13812345678', templateId: '2100002', params: ['a', 'b', 'c'] });
    expect(result).toMatchObject({ kind: 'failed', code: 'NETWORK_ERROR', retryable: true, requestId: null });
    expect(exchanges[0]?.phoneMasked).toBe('138****5678');
    expect(JSON.stringify([result, exchanges])).not.toContain('13812345678');
  });

  it('throws for programming errors, without the phone in the message', async () => {
    const sender = createSmsSender(config);
    await expect(sender.send({ phone: '13812345678', templateId: '2100002', params: [], sessionContext: 'x'.repeat(512) })).rejects.toThrow(/^sessionContext must be under 512 bytes$/);
    await expect(sender.send({ phone: '13812345678', templateId: '', params: [] })).rejects.toThrow('templateId is required');
  });

  it('checks its configuration at creation', () => {
    expect(() => createSmsSender({ ...config, secretKey: '' })).toThrow(/secretId and secretKey/);
    expect(() => createSmsSender({ ...config, connectTo: 'localhost' })).toThrow(/IP address/);
  });
});
