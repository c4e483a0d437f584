import Taro from '@tarojs/taro';

import { runtimeConfig } from '../config';
import { formatFen } from '../domain/money';
import { t } from '../i18n';
import type { Platform, PaymentResult } from './types';

/**
 * The H5 build's phone: login codes, payment and subscribe consent come from the local
 * fake WeChat servers (ops/fakes), which speak the real protocols to the gateway. This file
 * is never part of the weapp build (index.weapp.ts replaces it).
 */

async function callFake<T>(base: string, path: string, body: unknown): Promise<T> {
  const response = await Taro.request<T>({ url: `${base}/__fake__${path}`, method: 'POST', data: body as never, header: { 'content-type': 'application/json' } });
  if (response.statusCode !== 200) throw new Error(`fake ${path} answered ${response.statusCode}: ${JSON.stringify(response.data)}`);
  return response.data;
}

const prepayIdOf = (pkg: string) => pkg.replace(/^prepay_id=/, '');

export const platform: Platform = {
  kind: 'h5-fake',

  async login() {
    const { code } = await callFake<{ code: string }>(runtimeConfig.wechatFakeBase, '/login-code', { user: runtimeConfig.fakeUser });
    return code;
  },

  async requestPayment(params, display): Promise<PaymentResult> {
    const sheet = await Taro.showModal({ title: t('pay.sheetTitle'), content: t('pay.sheetBody', { amount: formatFen(display.amountFen) }), confirmText: t('pay.sheetConfirm'), cancelText: t('common.cancel') });
    if (!sheet.confirm) return { result: 'cancelled' };
    try {
      await callFake(runtimeConfig.payFakeBase, '/pay', { target: prepayIdOf(params.package) });
      return { result: 'paid' };
    } catch (error) {
      return { result: 'failed', message: (error as Error).message };
    }
  },

  async requestSubscribe(templateIds, labels) {
    const sheet = await Taro.showModal({ title: t('subscribe.sheetTitle'), content: labels.join('、'), confirmText: t('subscribe.allow'), cancelText: t('subscribe.deny') });
    if (!sheet.confirm) return [];
    for (const templateId of templateIds) {
      await callFake(runtimeConfig.wechatFakeBase, '/subscribe-consent', { user: runtimeConfig.fakeUser, templateId });
    }
    return [...templateIds];
  },

  async getLocation() {
    if (runtimeConfig.fakeLocation) return runtimeConfig.fakeLocation;
    if (typeof navigator === 'undefined' || !navigator.geolocation) return null;
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (position) => resolve({ lat: position.coords.latitude, lng: position.coords.longitude }),
        () => resolve(null),
        { timeout: 3000, maximumAge: 600_000 },
      );
    });
  },

  async openLocation(place) {
    window.open(`https://uri.amap.com/marker?position=${place.lng},${place.lat}&name=${encodeURIComponent(place.name)}`, '_blank', 'noopener');
  },
};
