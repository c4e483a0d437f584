export default definePageConfig({ navigationBarTitleText: '智约', enablePullDownRefresh: true });
