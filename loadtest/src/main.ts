/**
 * `npm run loadtest -- <flash-sale|steady> [--flag value …]`: load against an
 * already running stack (gateway, workers, fake WeChat), then the invariant
 * check in MySQL. Progress goes to stderr; stdout gets one summary line.
 * Exit 0 = every invariant held, 1 = an invariant failed, 2 = the run could
 * not happen (usage, stack not reachable, nothing left to book).
 */
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../../db/src/connection.ts';
import { loadConfig, mysqlSettingsOf, type Scenario, UsageError } from './config.ts';
import { expectReachable } from './lib/api.ts';
import { note } from './lib/progress.ts';
import { writeReports } from './lib/report.ts';
import { buildReport, type ScenarioOutcome } from './scenarios/common.ts';
import { flashSale, NothingToSell } from './scenarios/flash-sale.ts';
import { steady } from './scenarios/steady.ts';

const scenarios: Record<Scenario, typeof flashSale> = { 'flash-sale': flashSale, steady };

async function main(): Promise<number> {
  let parsed: ReturnType<typeof loadConfig>;
  try {
    parsed = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : String((error as Error).message));
    return 2;
  }
  const { scenario, config } = parsed;
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg();
  note(`loadtest ${scenario} against ${config.LOADTEST_BASE_URL} (Node ${process.version})`);
  await expectReachable('gateway', `${config.LOADTEST_BASE_URL}/healthz`, 'start it with `npm run gateway` (or `npm run stack`)');
  await expectReachable('fake WeChat API', `${config.LOADTEST_WECHAT_URL}/__fake__/stats`, 'start it with `npm run fake:wechat` and the gateway with WECHAT_API_BASE pointing at it');

  const db = createDb(mysqlSettingsOf(config));
  let outcome: ScenarioOutcome;
  try {
    outcome = await scenarios[scenario](config, db);
  } catch (error) {
    await db.destroy();
    if (error instanceof NothingToSell) {
      console.error(`${scenario}: cannot run: ${error.message}`);
      return 2;
    }
    throw error;
  }
  await db.destroy();

  const report = buildReport(scenario, config, outcome, startedAt, loadAverageAtStart);
  const files = await writeReports(config.LOADTEST_REPORT_DIR, report);
  for (const failed of report.invariants.filter((i) => !i.ok)) note(`INVARIANT FAILED: ${failed.name}: ${failed.detail}`);
  note(`reports: ${path.relative(process.cwd(), files.json)}, ${path.relative(process.cwd(), files.html)}`);
  console.log(report.summary);
  return report.pass ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error('loadtest failed:', error);
  process.exitCode = 2;
}
