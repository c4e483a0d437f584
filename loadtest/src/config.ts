import { parseArgs } from 'node:util';
import path from 'node:path';
import { z } from 'zod';
import { mysqlEnv, parseEnv } from '../../core/src/config/env.ts';

export const SCENARIOS = ['flash-sale', 'steady'] as const;
export type Scenario = (typeof SCENARIOS)[number];

const positiveInt = z.coerce.number().int().positive();

const schema = {
  ...mysqlEnv,
  LOADTEST_BASE_URL: z.string().url().default('http://127.0.0.1:8080'),
  LOADTEST_WECHAT_URL: z.string().url().default('http://127.0.0.1:9101'),
  /** Default depends on the scenario (flash-sale 5000, steady 1000). */
  LOADTEST_CUSTOMERS: positiveInt.optional(),
  /** Default depends on the scenario (flash-sale 1000, steady 64). */
  LOADTEST_CONNECTIONS: positiveInt.optional(),
  LOADTEST_LOGIN_CONCURRENCY: positiveInt.default(32),
  /** Fake WeChat users are `<prefix>-<n>`; the same prefix logs in the same customers again. */
  LOADTEST_USER_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).default('loadtest'),
  /** steady: seconds of load and requests per second over all connections. */
  LOADTEST_DURATION_S: positiveInt.default(30),
  LOADTEST_RATE: positiveInt.default(200),
  /** steady: `storeId[:serviceId]` list; without a service id, the store's first service. */
  LOADTEST_STEADY_TARGETS: z.string().regex(/^\d+(:\d+)?(,\d+(:\d+)?)*$/).default('1:1,3,2'),
  /** flash-sale: a store id to use instead of looking for the restaurant with a flash_sale service. */
  LOADTEST_FLASH_STORE: positiveInt.optional(),
  /** Days after today searched for slots. */
  LOADTEST_HORIZON_DAYS: z.coerce.number().int().min(0).max(60).default(14),
  /** How long to wait for every accepted booking to reach MySQL. */
  LOADTEST_SETTLE_TIMEOUT_S: positiveInt.default(120),
  /** Per-request timeout of the load generator. */
  LOADTEST_REQUEST_TIMEOUT_S: positiveInt.default(30),
  LOADTEST_REPORT_DIR: z.string().default(path.resolve(import.meta.dirname, '../reports')),
};

export type LoadtestConfig = ReturnType<typeof parseLoadtestConfig>;

function parseLoadtestConfig(source: Record<string, string | undefined>) {
  return parseEnv(schema, source);
}

const flagToEnv = {
  'base-url': 'LOADTEST_BASE_URL',
  'wechat-url': 'LOADTEST_WECHAT_URL',
  customers: 'LOADTEST_CUSTOMERS',
  connections: 'LOADTEST_CONNECTIONS',
  'login-concurrency': 'LOADTEST_LOGIN_CONCURRENCY',
  users: 'LOADTEST_USER_PREFIX',
  duration: 'LOADTEST_DURATION_S',
  rate: 'LOADTEST_RATE',
  targets: 'LOADTEST_STEADY_TARGETS',
  store: 'LOADTEST_FLASH_STORE',
  'horizon-days': 'LOADTEST_HORIZON_DAYS',
  'settle-timeout': 'LOADTEST_SETTLE_TIMEOUT_S',
  'request-timeout': 'LOADTEST_REQUEST_TIMEOUT_S',
  'report-dir': 'LOADTEST_REPORT_DIR',
} as const;

export const USAGE = `usage: npm run loadtest -- <${SCENARIOS.join('|')}> [--flag value ...]

Every flag has an environment variable of the same meaning (the flag wins):
${Object.entries(flagToEnv)
  .map(([flag, env]) => `  --${flag.padEnd(18)} ${env}`)
  .join('\n')}
MySQL for the invariant check: MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD, MYSQL_DATABASE (default zhiyue).`;

/** The scenario and its configuration: flags are layered over the environment, then parsed once. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): { scenario: Scenario; config: LoadtestConfig } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: Object.fromEntries(Object.keys(flagToEnv).map((flag) => [flag, { type: 'string' as const }])),
  });
  const [scenario, ...rest] = positionals;
  if (!scenario || rest.length > 0 || !(SCENARIOS as readonly string[]).includes(scenario)) throw new UsageError(USAGE);
  const overrides: Record<string, string> = {};
  for (const [flag, name] of Object.entries(flagToEnv)) {
    const value = values[flag];
    if (typeof value === 'string') overrides[name] = value;
  }
  return { scenario: scenario as Scenario, config: parseLoadtestConfig({ ...env, ...overrides }) };
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function mysqlSettingsOf(config: LoadtestConfig, poolSize = 4) {
  return {
    host: config.MYSQL_HOST,
    port: config.MYSQL_PORT,
    user: config.MYSQL_USER,
    password: config.MYSQL_PASSWORD,
    database: config.MYSQL_DATABASE,
    poolSize,
  };
}
