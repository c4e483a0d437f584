import { defineConfig } from 'vitest/config';

// The mini program's own installs and builds are never test files; its pure-TS unit tests under
// miniprogram/src (no @tarojs imports), its script tests and its browser E2E tests are.
const ignored = ['**/node_modules/**', 'miniprogram/node_modules/**', 'miniprogram/dist/**', 'loadtest/reports/**'];

export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          // Of the mini program only src/: the rest of it is Taro's, built by its own tool chain.
          exclude: [...ignored, '**/*.timezone.test.ts', 'miniprogram/!(src)/**'],
        },
      },
      // Time-zone suites run twice, because a fake time zone per test is not possible in one process.
      { test: { name: 'tz:UTC', include: ['**/*.timezone.test.ts'], exclude: ignored, env: { TZ: 'UTC' } } },
      { test: { name: 'tz:Asia/Shanghai', include: ['**/*.timezone.test.ts'], exclude: ignored, env: { TZ: 'Asia/Shanghai' } } },
      {
        test: {
          name: 'integration',
          include: ['**/*.integration-test.ts'],
          exclude: ignored,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: more parallel files only make the real MariaDB and Redis slower for everyone.
          maxWorkers: 2,
        },
      },
      {
        // The H5 build in Chromium against the real stack: one browser and one stack at a time.
        test: {
          name: 'e2e',
          include: ['miniprogram/e2e/**/*.e2e-test.ts'],
          exclude: ignored,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 1,
          fileParallelism: false,
          // The browser shares two cores with the integration suites: a screen may take seconds to settle.
          expect: { poll: { timeout: 15_000, interval: 100 } },
        },
      },
    ],
  },
});
