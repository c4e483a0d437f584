import Taro from '@tarojs/taro';

import type { Platform, PaymentResult } from './types';

const isCancel = (error: unknown) => /cancel/i.test(String((error as { errMsg?: string })?.errMsg ?? error));

export const platform: Platform = {
  kind: 'weapp',

  async login() {
    const { code } = await Taro.login();
    return code;
  },

  async requestPayment(params, _display): Promise<PaymentResult> {
    try {
      await Taro.requestPayment({ ...params, signType: 'RSA' });
      return { result: 'paid' };
    } catch (error) {
      if (isCancel(error)) return { result: 'cancelled' };
      return { result: 'failed', message: String((error as { errMsg?: string })?.errMsg ?? error) };
    }
  },

  async requestSubscribe(templateIds) {
    try {
      // Taro 4.1's typing wants entityIds too (an Alipay field); WeChat takes tmplIds alone.
      const answer = await Taro.requestSubscribeMessage({ tmplIds: [...templateIds] } as Taro.requestSubscribeMessage.Option);
      // The answer has one key per template id: 'accept' | 'reject' | 'ban' | 'filter'.
      return templateIds.filter((id) => (answer as Record<string, unknown>)[id] === 'accept');
    } catch {
      return [];
    }
  },

  async getLocation() {
    try {
      const { latitude, longitude } = await Taro.getLocation({ type: 'gcj02' });
      return { lat: latitude, lng: longitude };
    } catch {
      return null;
    }
  },

  async openLocation(place) {
    await Taro.openLocation({ latitude: place.lat, longitude: place.lng, name: place.name, address: place.address, scale: 16 });
  },
};
