/**
 * The dependency rules of the codebase (run by `npm run lint:deps`, part of ./ops/test):
 *   gateway, workers → core → db;   core's pure domain never does I/O (only lifecycle/ and the provider clients wechatpay/, sms/, wechat-messages/ do);
 *   the gateway knows of workers/ only the job contracts; nothing imports Express or BullMQ into the domain.
 */
// reviews/submit-review.ts composes the review rules with storage, as lifecycle/ does; the rest of reviews/ stays pure.
const pureCore = '^core/src/(?!lifecycle/|wechatpay/|sms/|wechat-messages/|reviews/submit-review\\.ts|logging\\.ts)';
// Tests and test harnesses compose whole stacks (gateway + workers in one process); the rules are about product code.
const testCode = '(\\.(integration-)?test\\.ts$|/testing/)';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'pure-domain-does-no-io',
      comment: 'Domain rules (time, inventory, availability, states) stay pure: no storage, queues or HTTP.',
      severity: 'error',
      from: { path: pureCore, pathNot: testCode },
      to: { path: ['^db/', '^gateway/', '^workers/', '^ops/', 'node_modules/(express|bullmq|ioredis|kysely|mysql2|node-cron|pino)/'] },
    },
    {
      name: 'domain-never-imports-express-or-bullmq',
      severity: 'error',
      from: { path: '^core/', pathNot: testCode },
      to: { path: ['^gateway/', '^workers/', 'node_modules/(express|bullmq|node-cron)/'] },
    },
    {
      name: 'db-depends-only-on-the-pure-domain',
      severity: 'error',
      from: { path: '^db/', pathNot: '^db/testing/' },
      to: { path: ['^core/src/lifecycle/', '^gateway/', '^workers/', '^ops/', '^loadtest/'] },
    },
    {
      name: 'gateway-knows-only-job-contracts-of-workers',
      severity: 'error',
      from: { path: '^gateway/', pathNot: testCode },
      to: { path: '^workers/', pathNot: '^workers/src/jobs/contracts\\.ts$' },
    },
    { name: 'workers-do-not-import-the-gateway', severity: 'error', from: { path: '^workers/', pathNot: testCode }, to: { path: '^gateway/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^miniprogram/|loadtest/reports/)' },
  },
};
