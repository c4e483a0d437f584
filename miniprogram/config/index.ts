import { defineConfig } from '@tarojs/cli';

const target = process.env.TARO_ENV;
const apiBase = process.env.ZHIYUE_API_BASE ?? 'http://127.0.0.1:8080';

// The fake WeChat servers exist only for the H5 build; the weapp build gets no such constants.
const h5Only =
  target === 'h5'
    ? {
        ZHIYUE_WECHAT_FAKE_BASE: JSON.stringify(process.env.ZHIYUE_WECHAT_FAKE_BASE ?? 'http://127.0.0.1:9101'),
        ZHIYUE_PAY_FAKE_BASE: JSON.stringify(process.env.ZHIYUE_PAY_FAKE_BASE ?? 'http://127.0.0.1:9103'),
      }
    : {};

export default defineConfig(async () => ({
  projectName: 'zhiyue-miniprogram',
  date: '2026-11-30',
  designWidth: 750,
  deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
  sourceRoot: 'src',
  outputRoot: `dist/${target}`,
  plugins: [],
  defineConstants: { ZHIYUE_API_BASE: JSON.stringify(apiBase), ...h5Only },
  framework: 'react',
  compiler: 'webpack5',
  cache: { enable: false },
  mini: {
    postcss: {
      pxtransform: { enable: true, config: {} },
      cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
    },
  },
  h5: {
    publicPath: '/',
    staticDirectory: 'static',
    router: { mode: 'hash' },
    postcss: { autoprefixer: { enable: true, config: {} } },
  },
}));
