import { platform } from '../platform';
import { api } from './api';

// What the WeChat consent sheet lists; at most three templates per request.
const WANTED: Record<string, string> = { BOOKING_CONFIRMED: '预约成功通知', REMINDER: '预约提醒', BOOKING_CHANGED: '预约变更通知', BOOKING_CANCELLED: '预约取消通知', REFUND_ISSUED: '退款通知' };
const PER_REQUEST = 3;

export interface SubscribeOffer {
  templateIds: string[];
  labels: string[];
}

/** Loaded before the tap: WeChat only opens the consent sheet from a tap handler, without awaiting the network first. */
export async function loadSubscribeOffer(): Promise<SubscribeOffer | null> {
  const { templates } = await api.subscriptions();
  const picked = templates.filter((tpl) => tpl.kind in WANTED).slice(0, PER_REQUEST);
  if (picked.length === 0) return null;
  return { templateIds: picked.map((tpl) => tpl.templateId), labels: picked.map((tpl) => WANTED[tpl.kind]!) };
}

export async function subscribe(offer: SubscribeOffer): Promise<number> {
  const accepted = await platform.requestSubscribe(offer.templateIds, offer.labels);
  if (accepted.length > 0) await api.saveSubscriptions(accepted);
  return accepted.length;
}
