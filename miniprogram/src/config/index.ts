/**
 * H5 settings: build-time defaults (the local demo stack) that the host page may override
 * before the app starts with `window.__ZHIYUE_CONFIG__` (the E2E tests point the app at a
 * test stack on random ports this way).
 */
interface H5Config {
  apiBase: string;
  wechatFakeBase: string;
  payFakeBase: string;
  /** Who the fake wx.login logs in: one stable id per browser unless the host page names one. */
  fakeUser: string;
  fakeLocation: { lat: number; lng: number } | null;
}

declare global {
  interface Window {
    __ZHIYUE_CONFIG__?: Partial<H5Config>;
  }
}

function browserUser(): string {
  const key = 'zy.fakeUser';
  try {
    const known = window.localStorage.getItem(key);
    if (known) return known;
    const made = `h5-${Math.random().toString(36).slice(2, 12)}`;
    window.localStorage.setItem(key, made);
    return made;
  } catch {
    return 'h5-anonymous';
  }
}

const overrides: Partial<H5Config> = (typeof window !== 'undefined' && window.__ZHIYUE_CONFIG__) || {};

export const runtimeConfig: H5Config = {
  apiBase: overrides.apiBase ?? ZHIYUE_API_BASE,
  wechatFakeBase: overrides.wechatFakeBase ?? ZHIYUE_WECHAT_FAKE_BASE,
  payFakeBase: overrides.payFakeBase ?? ZHIYUE_PAY_FAKE_BASE,
  fakeUser: overrides.fakeUser ?? browserUser(),
  fakeLocation: overrides.fakeLocation ?? null,
};
