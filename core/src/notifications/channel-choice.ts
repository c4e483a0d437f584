/**
 * Which way a customer push goes, decided at send time (a consent may arrive
 * after planning). A subscribe message while the customer has a one-time
 * consent left for this kind; otherwise an SMS to the bound phone; otherwise
 * nothing, with the reason recorded.
 */
export interface PushContext {
  subscribeEnabled: boolean;
  smsEnabled: boolean;
  hasConsent: boolean;
  hasPhone: boolean;
  optedOut: { all: boolean; sms: boolean; subscribe: boolean };
}

export type PushChoice = { channel: 'subscribe' } | { channel: 'sms' } | { skip: 'OPTED_OUT' | 'NO_CHANNEL' };

export function choosePush(context: PushContext): PushChoice {
  if (context.optedOut.all) return { skip: 'OPTED_OUT' };
  const subscribe = context.subscribeEnabled && context.hasConsent && !context.optedOut.subscribe;
  if (subscribe) return { channel: 'subscribe' };
  const sms = context.smsEnabled && context.hasPhone && !context.optedOut.sms;
  if (sms) return { channel: 'sms' };
  return { skip: context.optedOut.sms || context.optedOut.subscribe ? 'OPTED_OUT' : 'NO_CHANNEL' };
}
