import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { manualClock, type ManualClock } from '../../core/src/clock.ts';
import type { LifecycleDeps } from '../../core/src/lifecycle/deps.ts';
import { dropDatabase, ensureDatabase } from '../src/admin.ts';
import { createDb, type MysqlSettings } from '../src/connection.ts';
import type { Database } from '../src/database.ts';
import { migrateToLatest } from '../src/migrate.ts';
import { createRedis, whenReady } from '../redis/connection.ts';
import { type RedisKeys, redisKeys } from '../redis/keys.ts';

/**
 * A throwaway world for one test file: its own MariaDB database (migrated
 * with the real migrations) and its own Redis key prefix, on the real
 * services. Nothing is mocked; `cleanup` drops both.
 */
export interface TestEnv extends LifecycleDeps {
  clock: ManualClock;
  mysql: MysqlSettings;
  redisUrl: string;
  prefix: string;
  cleanup(): Promise<void>;
}

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export function testMysqlSettings(database: string): MysqlSettings {
  return {
    host: process.env.TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.TEST_MYSQL_PORT ?? 3306),
    user: process.env.TEST_MYSQL_USER ?? 'root',
    password: process.env.TEST_MYSQL_PASSWORD ?? '',
    database,
    poolSize: 10,
  };
}

/** 2026-12-01 08:00 Asia/Shanghai, a Tuesday: a fixed "now" most tests start from. */
export const TEST_NOW = Date.parse('2026-12-01T00:00:00Z');

export async function createTestEnv(label: string, options: { now?: number } = {}): Promise<TestEnv> {
  const id = `${label.replace(/[^a-z0-9]/gi, '').slice(0, 12).toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const mysql = testMysqlSettings(`zyt_${id}`);
  await ensureDatabase(mysql);
  const db: Kysely<Database> = createDb(mysql);
  const { error } = await migrateToLatest(db);
  if (error) throw error;
  const prefix = `zyt-${id}`;
  const redis: Redis = createRedis({ url: TEST_REDIS_URL, failFast: false, name: `test-${id}` });
  await whenReady(redis);
  const keys: RedisKeys = redisKeys(prefix);
  const clock = manualClock(options.now ?? TEST_NOW);
  return {
    db,
    redis,
    keys,
    clock,
    mysql,
    redisUrl: TEST_REDIS_URL,
    prefix,
    async cleanup() {
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
      await db.destroy();
      await dropDatabase(mysql);
    },
  };
}

/** Deletes every key under a prefix: how tests simulate Redis losing its data without touching other runs. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (batch.length > 0) deleted += await redis.unlink(...batch);
  } while (cursor !== '0');
  return deleted;
}
