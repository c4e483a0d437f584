import { defineConfig } from 'vitest/config';

const ignored = ['**/node_modules/**', 'miniprogram/**', 'loadtest/reports/**'];

export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...ignored, '**/*.timezone.test.ts'],
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
    ],
  },
});
