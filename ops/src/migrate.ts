/**
 * `npm run migrate`: creates the database if needed and applies every pending
 * migration, printing each result. Exits 1 if any migration failed.
 */
import { mysqlEnv, mysqlSettingsFrom, parseEnv, runtimeEnv } from '../../core/src/config/env.ts';
import { ensureDatabase } from '../../db/src/admin.ts';
import { createDb } from '../../db/src/connection.ts';
import { migrateToLatest } from '../../db/src/migrate.ts';

const env = parseEnv({ ...runtimeEnv, ...mysqlEnv }, process.env);
const settings = { ...mysqlSettingsFrom(env), poolSize: 2 };

await ensureDatabase(settings);
const db = createDb(settings);
const { error, results } = await migrateToLatest(db);
for (const result of results ?? []) {
  const mark = result.status === 'Success' ? 'ok  ' : result.status === 'Error' ? 'FAIL' : 'skip';
  console.log(`${mark} ${result.migrationName}`);
}
if (!results?.length && !error) console.log(`database ${settings.database} is up to date`);
await db.destroy();
if (error) {
  console.error('migration failed:', error);
  process.exit(1);
}
