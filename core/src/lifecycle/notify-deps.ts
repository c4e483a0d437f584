import type { ChannelTemplates, SmsChannel, SubscribeChannel } from '../notifications/channels.ts';
import type { PhoneKeys } from '../pii/phone.ts';
import type { LifecycleDeps } from './deps.ts';

/** What sending notifications needs beyond storage: the channels (null = not configured) and their templates. */
export interface NotifyDeps extends LifecycleDeps {
  sms: SmsChannel | null;
  subscribe: SubscribeChannel | null;
  templates: ChannelTemplates;
  phoneKeys: PhoneKeys;
  /** Mini program page a subscribe message opens (booking id appended). */
  bookingPage: string;
}
