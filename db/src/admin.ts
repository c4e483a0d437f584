import { createConnection } from 'mysql2/promise';
import { type MysqlSettings, mysqlPoolOptions } from './connection.ts';

/** Creates the database if needed (tests and first runs); the name is validated by config, so quoting is safe. */
export async function ensureDatabase(settings: MysqlSettings): Promise<void> {
  const { connectionLimit: _ignored, ...options } = mysqlPoolOptions(settings, false);
  const connection = await createConnection(options);
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${settings.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

export async function dropDatabase(settings: MysqlSettings): Promise<void> {
  const { connectionLimit: _ignored, ...options } = mysqlPoolOptions(settings, false);
  const connection = await createConnection(options);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${settings.database}\``);
  } finally {
    await connection.end();
  }
}
