import Taro from '@tarojs/taro';

/** Every route of the app in one place (subpackage pages load on first visit). */
export const go = {
  store: (id: number) => Taro.navigateTo({ url: `/pages/store/index?id=${id}` }),
  book: (storeId: number, serviceId: number, resourceId?: number) =>
    Taro.navigateTo({ url: `/booking/new/index?storeId=${storeId}&serviceId=${serviceId}${resourceId ? `&resourceId=${resourceId}` : ''}` }),
  booking: (id: string) => Taro.navigateTo({ url: `/booking/detail/index?id=${encodeURIComponent(id)}` }),
  bookingReplacing: (id: string) => Taro.redirectTo({ url: `/booking/detail/index?id=${encodeURIComponent(id)}` }),
  notices: () => Taro.navigateTo({ url: '/account/notices/index' }),
  home: () => Taro.switchTab({ url: '/pages/index/index' }),
  bookings: () => Taro.switchTab({ url: '/pages/bookings/index' }),
};
