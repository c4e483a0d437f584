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
      await Taro.requestPayment({ ...params, timeStamp: params.timeStamp, signType: 'RSA' });
      return { result: 'paid' };
    } catch (error) {
      if (isCancel(error)) return { result: 'cancelled' };
      return { result: 'failed', message: String((error as { errMsg?: string })?.errMsg ?? error) };
    }
  },

  async requestSubscribe(templateIds) {
    try {
      const answer = (await Taro.requestSubscribeMessage({ tmplIds: [...templateIds], entityIds: [] } as never)) as unknown as Record<string, string>;
      return templateIds.filter((id) => answer[id] === 'accept');
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
