// Main package: what the first screen and the store page need. Booking and account screens load on demand.
export default defineAppConfig({
  pages: ['pages/index/index', 'pages/store/index', 'pages/bookings/index', 'pages/account/index'],
  subPackages: [
    { root: 'booking', pages: ['new/index', 'detail/index'] },
    { root: 'account', pages: ['notices/index'] },
  ],
  preloadRule: {
    'pages/store/index': { network: 'all', packages: ['booking'] },
    'pages/bookings/index': { network: 'all', packages: ['booking'] },
  },
  window: {
    navigationBarTitleText: '智约',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f6f8',
    backgroundTextStyle: 'dark',
  },
  tabBar: {
    color: '#8a8f99',
    selectedColor: '#f0633c',
    backgroundColor: '#ffffff',
    borderStyle: 'white',
    list: [
      { pagePath: 'pages/index/index', text: '首页', iconPath: 'assets/tab/home-normal.png', selectedIconPath: 'assets/tab/home-active.png' },
      { pagePath: 'pages/bookings/index', text: '我的预约', iconPath: 'assets/tab/bookings-normal.png', selectedIconPath: 'assets/tab/bookings-active.png' },
      { pagePath: 'pages/account/index', text: '我的', iconPath: 'assets/tab/account-normal.png', selectedIconPath: 'assets/tab/account-active.png' },
    ],
  },
  requiredPrivateInfos: ['getLocation'],
  permission: { 'scope.userLocation': { desc: '用于为你推荐附近的门店' } },
  lazyCodeLoading: 'requiredComponents',
});
