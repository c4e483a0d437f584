/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.css';

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'h5';
  }
}

/** Build-time constants (config/index.ts defineConstants). */
declare const ZHIYUE_API_BASE: string;
/** H5 build only: the fake WeChat API and fake WeChat Pay the browser plays the phone against. */
declare const ZHIYUE_WECHAT_FAKE_BASE: string;
declare const ZHIYUE_PAY_FAKE_BASE: string;
