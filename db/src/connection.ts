import { CompiledQuery, Kysely, MysqlDialect } from 'kysely';
import { createPool, type PoolOptions } from 'mysql2';
import type { Database } from './database.ts';

export interface MysqlSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  poolSize: number;
}

/** `withDatabase: false` connects to the server only (to create or drop the database). */
export function mysqlPoolOptions(settings: MysqlSettings, withDatabase = true): PoolOptions {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    ...(withDatabase ? { database: settings.database } : {}),
    connectionLimit: settings.poolSize,
    charset: 'utf8mb4',
    // Instants are stored as UTC DATETIME; 'Z' makes mysql2 read and write them as UTC whatever the server zone.
    timezone: 'Z',
    supportBigNumbers: true,
    decimalNumbers: true,
    // DATE columns are calendar dates in the store's zone, not instants: keep them as 'YYYY-MM-DD'.
    dateStrings: ['DATE'],
    enableKeepAlive: true,
  };
}

export function createDb(settings: MysqlSettings): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new MysqlDialect({
      pool: createPool(mysqlPoolOptions(settings)),
      // The session zone matters only to SQL date functions; keep it UTC like the data.
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw("SET time_zone = '+00:00'"));
      },
    }),
  });
}
