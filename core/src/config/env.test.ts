import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { base64Key, clockEnv, clockSettingsFrom, devDefault, mysqlEnv, parseEnv, phoneKeyEnv, redisEnv, runtimeEnv } from './env.ts';

const shape = { ...runtimeEnv, ...mysqlEnv, ...redisEnv, ...clockEnv, ...phoneKeyEnv };
const realKey = () => randomBytes(32).toString('base64');

function messageOf(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('parseEnv', () => {
  it('when nothing is set, then every variable has its development default', () => {
    const config = parseEnv(shape, {});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: 3306,
      MYSQL_DATABASE: 'zhiyue',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      REDIS_KEY_PREFIX: 'zy',
      CLOCK_MODE: 'system',
      CLOCK_OFFSET_MS: 0,
      PHONE_KEY_ID: 1,
    });
  });

  it('when numbers come in as strings, then they are coerced', () => {
    const config = parseEnv(shape, { MYSQL_PORT: '3307', MYSQL_POOL_SIZE: '25', CLOCK_OFFSET_MS: '-3600000' });
    expect([config.MYSQL_PORT, config.MYSQL_POOL_SIZE, config.CLOCK_OFFSET_MS]).toEqual([3307, 25, -3_600_000]);
  });

  it('when parsed, then the result is frozen', () => {
    // Act
    const config = parseEnv(shape, {});

    // Assert
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { MYSQL_PORT: number }).MYSQL_PORT = 1;
    }).toThrow(TypeError);
    expect(config.MYSQL_PORT).toBe(3306);
  });

  it('when several variables are bad, then one error lists every one of them', () => {
    // Act
    const message = messageOf(() =>
      parseEnv(shape, { NODE_ENV: 'staging', MYSQL_PORT: 'abc', REDIS_URL: 'not a url', MYSQL_DATABASE: 'drop;table', CLOCK_AT: 'yesterday', MYSQL_POOL_SIZE: '2.5' }),
    );

    // Assert
    expect(message).toMatch(/^invalid configuration:/);
    for (const name of ['NODE_ENV', 'MYSQL_PORT', 'REDIS_URL', 'MYSQL_DATABASE', 'CLOCK_AT', 'MYSQL_POOL_SIZE']) expect(message).toContain(`${name}:`);
    expect(message).not.toContain('MYSQL_HOST');
  });

  it('when NODE_ENV is production and the phone keys are the development ones, then it refuses and names both', () => {
    const message = messageOf(() => parseEnv(shape, { NODE_ENV: 'production' }));
    expect(message).toMatch(/development defaults are not allowed in production/);
    expect(message).toContain('PHONE_ENC_KEY');
    expect(message).toContain('PHONE_INDEX_KEY');
  });

  it('when production sets only one real key, then only the other is named', () => {
    const message = messageOf(() => parseEnv(shape, { NODE_ENV: 'production', PHONE_ENC_KEY: realKey() }));
    expect(message).toContain('PHONE_INDEX_KEY');
    expect(message).not.toContain('PHONE_ENC_KEY');
  });

  it('when production copies the development key value explicitly, then it is still refused', () => {
    const devKey = parseEnv(shape, {}).PHONE_ENC_KEY;
    expect(messageOf(() => parseEnv(shape, { NODE_ENV: 'production', PHONE_ENC_KEY: devKey, PHONE_INDEX_KEY: realKey() }))).toContain('PHONE_ENC_KEY');
  });

  it('when production has real keys, then it parses', () => {
    const config = parseEnv(shape, { NODE_ENV: 'production', PHONE_ENC_KEY: realKey(), PHONE_INDEX_KEY: realKey() });
    expect(config.NODE_ENV).toBe('production');
  });

  it('when the environment is development or test, then development defaults are fine', () => {
    expect(parseEnv(shape, { NODE_ENV: 'test' }).PHONE_ENC_KEY).toBe(parseEnv(shape, {}).PHONE_ENC_KEY);
  });

  it('when a process registers its own development default, then production refuses it as well', () => {
    // Arrange
    const own = { ...runtimeEnv, WECHAT_SECRET: z.string().default(devDefault('dev-only-wechat-secret')) };

    // Act / Assert
    expect(parseEnv(own, {}).WECHAT_SECRET).toBe('dev-only-wechat-secret');
    expect(messageOf(() => parseEnv(own, { NODE_ENV: 'production' }))).toContain('WECHAT_SECRET');
  });
});

describe('base64Key', () => {
  it('when the value is base64 of 32 bytes, then it is the key', () => {
    const bytes = randomBytes(32);
    expect(base64Key(bytes.toString('base64'), 'K').equals(bytes)).toBe(true);
  });

  it('when the value has another length, then the error names the variable', () => {
    expect(() => base64Key(randomBytes(16).toString('base64'), 'PHONE_ENC_KEY')).toThrow(/PHONE_ENC_KEY must be base64 of exactly 32 bytes/);
    expect(() => base64Key('', 'PHONE_INDEX_KEY')).toThrow(/PHONE_INDEX_KEY/);
  });

  it('when the development defaults are decoded, then they are usable 32-byte keys', () => {
    const config = parseEnv(shape, {});
    expect(base64Key(config.PHONE_ENC_KEY, 'PHONE_ENC_KEY')).toHaveLength(32);
    expect(base64Key(config.PHONE_INDEX_KEY, 'PHONE_INDEX_KEY')).toHaveLength(32);
  });
});

describe('clockSettingsFrom', () => {
  it('when the mode is system, then the settings say system', () => {
    expect(clockSettingsFrom({ CLOCK_MODE: 'system', CLOCK_OFFSET_MS: 0 })).toEqual({ mode: 'system' });
  });

  it('when the mode is fixed, then CLOCK_AT becomes the instant (with its offset honoured)', () => {
    expect(clockSettingsFrom({ CLOCK_MODE: 'fixed', CLOCK_AT: '2026-12-01T09:00:00+08:00', CLOCK_OFFSET_MS: 0 })).toEqual({ mode: 'fixed', at: Date.UTC(2026, 11, 1, 1, 0) });
  });

  it('when the mode is start-at, then CLOCK_AT is where the clock starts', () => {
    expect(clockSettingsFrom({ CLOCK_MODE: 'start-at', CLOCK_AT: '2026-12-02T00:30:00Z', CLOCK_OFFSET_MS: 5 })).toEqual({ mode: 'start-at', at: Date.UTC(2026, 11, 2, 0, 30) });
  });

  it.each(['fixed', 'start-at'])('when the mode is %s without CLOCK_AT, then it throws', (mode) => {
    expect(() => clockSettingsFrom({ CLOCK_MODE: mode, CLOCK_OFFSET_MS: 0 })).toThrow(`CLOCK_MODE=${mode} needs CLOCK_AT`);
  });

  it('when the mode is offset, then the offset is carried', () => {
    expect(clockSettingsFrom({ CLOCK_MODE: 'offset', CLOCK_OFFSET_MS: 86_400_000 })).toEqual({ mode: 'offset', offsetMs: 86_400_000 });
  });

  it('when the settings come from a parsed environment, then the two fit together', () => {
    const config = parseEnv(shape, { CLOCK_MODE: 'fixed', CLOCK_AT: '2026-12-01T00:00:00Z' });
    expect(clockSettingsFrom(config)).toEqual({ mode: 'fixed', at: Date.UTC(2026, 11, 1) });
  });
});

describe('parseEnv with empty variables', () => {
  it('when a variable is set but empty, then it takes its default instead of becoming 0', () => {
    const config = parseEnv({ ...mysqlEnv }, { MYSQL_PORT: '', MYSQL_HOST: '' });
    expect(config.MYSQL_PORT).toBe(3306);
    expect(config.MYSQL_HOST).toBe('127.0.0.1');
  });
});
