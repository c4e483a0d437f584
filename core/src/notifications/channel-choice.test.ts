import { describe, expect, it } from 'vitest';
import { choosePush, type PushContext } from './channel-choice.ts';

const base: PushContext = { subscribeEnabled: true, smsEnabled: true, hasConsent: true, hasPhone: true, optedOut: { all: false, sms: false, subscribe: false } };

describe('choosePush', () => {
  it('prefers a subscribe message while a consent is left, then SMS, then nothing with a reason', () => {
    expect(choosePush(base)).toEqual({ channel: 'subscribe' });
    expect(choosePush({ ...base, hasConsent: false })).toEqual({ channel: 'sms' });
    expect(choosePush({ ...base, hasConsent: false, hasPhone: false })).toEqual({ skip: 'NO_CHANNEL' });
    expect(choosePush({ ...base, subscribeEnabled: false })).toEqual({ channel: 'sms' });
  });

  it('respects opt-outs per channel and overall', () => {
    expect(choosePush({ ...base, optedOut: { all: true, sms: false, subscribe: false } })).toEqual({ skip: 'OPTED_OUT' });
    expect(choosePush({ ...base, optedOut: { all: false, sms: false, subscribe: true } })).toEqual({ channel: 'sms' });
    expect(choosePush({ ...base, hasConsent: false, optedOut: { all: false, sms: true, subscribe: false } })).toEqual({ skip: 'OPTED_OUT' });
  });
});
