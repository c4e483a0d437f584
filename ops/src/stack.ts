/**
 * `npm run stack`: runs the fake WeChat API, the fake WeChat Pay, the gateway
 * and the workers as child processes (as production would run them: separate
 * processes), prints where to look, and stops them gracefully on Ctrl-C / SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../../core/src/config/env.ts';
import { hasKeyFiles, merchantSettings, readKeyFiles, writeKeyFiles } from '../fakes/wechat-pay/key-files.ts';

const root = path.resolve(import.meta.dirname, '../..');

const env = parseEnv(
  {
    HTTP_PORT: z.coerce.number().int().default(8080),
    WORKER_HTTP_PORT: z.coerce.number().int().default(9102),
    FAKE_WECHAT_PORT: z.coerce.number().int().default(9101),
    /** Set to a real base URL to log in against WeChat itself instead of the local fake. */
    WECHAT_API_BASE: z.string().url().optional(),
    /** The mini program: customers log in with it and pay in it (WECHATPAY_APPID). Same default as the gateway. */
    WECHAT_APPID: z.string().min(1).default('wxdev0000000000000'),
    FAKE_WECHATPAY_PORT: z.coerce.number().int().default(9103),
    FAKE_WECHATPAY_KEY_DIR: z.string().min(1).default(path.join(root, '.run', 'fake-wechatpay')),
    /**
     * Set to a real WeChat Pay base URL (with every other WECHATPAY_* setting in the environment) to pay
     * there instead of the local fake; the gateway and workers then get the environment as it is.
     */
    WECHATPAY_API_BASE: z.string().url().optional(),
  },
  process.env,
);
const wechatBase = env.WECHAT_API_BASE ?? `http://127.0.0.1:${env.FAKE_WECHAT_PORT}`;
const fakePay = !env.WECHATPAY_API_BASE;
const wechatPayBase = env.WECHATPAY_API_BASE ?? `http://127.0.0.1:${env.FAKE_WECHATPAY_PORT}`;
const keyDir = path.resolve(root, env.FAKE_WECHATPAY_KEY_DIR);
const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

function run(name: string, script: string, extraEnv: Record<string, string>): void {
  const child = spawn(process.execPath, [path.join(root, script)], { cwd: root, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `${name.padEnd(8)}|`;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${prefix} exited (${signal ?? code}); stopping the stack`);
    void stop(1);
  });
  children.push({ name, child });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('stack: stopping (SIGTERM to every process, they finish in-flight work)…');
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
        }),
    ),
  );
  process.exit(exitCode);
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

const gateway = `http://127.0.0.1:${env.HTTP_PORT}`;

/**
 * Starts the fake WeChat Pay (it creates its keys on first start, then reuses them), waits until it
 * answers, then reads the keys it uses: the WECHATPAY_* settings of the gateway and the workers.
 */
async function startFakeWechatPay(): Promise<Record<string, string>> {
  // Orders carry the mini program's appid and the fake refuses any other: keys made under another
  // WECHAT_APPID get the current one (the appid is configuration, not key material).
  if (hasKeyFiles(keyDir)) {
    const stored = await readKeyFiles(keyDir);
    if (stored.appid !== env.WECHAT_APPID) await writeKeyFiles(keyDir, { ...stored, appid: env.WECHAT_APPID });
  }
  run('wxpay', 'ops/fakes/wechat-pay/main.ts', {
    FAKE_WECHATPAY_PORT: String(env.FAKE_WECHATPAY_PORT),
    FAKE_WECHATPAY_KEY_DIR: keyDir,
    WECHAT_APPID: env.WECHAT_APPID,
  });
  await waitFor(`${wechatPayBase}/__fake__/health`, 30_000);
  const keys = await readKeyFiles(keyDir);
  return { ...merchantSettings(keyDir, keys, wechatPayBase, gateway), WECHATPAY_APPID: env.WECHAT_APPID };
}

if (!env.WECHAT_API_BASE) run('wechat', 'ops/fakes/wechat-api/main.ts', { FAKE_WECHAT_PORT: String(env.FAKE_WECHAT_PORT), WECHAT_APPID: env.WECHAT_APPID });
try {
  // With a real provider the WECHATPAY_* settings come from the environment the children inherit.
  const wechatPay = fakePay ? await startFakeWechatPay() : {};
  run('gateway', 'gateway/src/server.ts', { HTTP_PORT: String(env.HTTP_PORT), WECHAT_API_BASE: wechatBase, WECHAT_APPID: env.WECHAT_APPID, ...wechatPay });
  // Settlement crons keep their defaults: deadlines every 2 s, silent orders queried every 20 s, the bill at 10:30.
  run('workers', 'workers/src/main.ts', { WORKER_HTTP_PORT: String(env.WORKER_HTTP_PORT), ...wechatPay });
  await waitFor(`${gateway}/readyz`, 60_000);
  await waitFor(`http://127.0.0.1:${env.WORKER_HTTP_PORT}/healthz`, 60_000);
} catch (error) {
  console.error(`stack: ${(error as Error).message}`);
  await stop(1);
}
// The demo page assumes the fakes' default ports; other ports go to it in the query string.
const demoQuery = new URLSearchParams();
if (!env.WECHAT_API_BASE && env.FAKE_WECHAT_PORT !== 9101) demoQuery.set('wechat', wechatBase);
if (fakePay && env.FAKE_WECHATPAY_PORT !== 9103) demoQuery.set('wechatpay', wechatPayBase);
console.log(`
  智约 Zhiyue is running (Node ${process.version})

  Demo page        ${gateway}/${demoQuery.size > 0 ? `?${demoQuery}` : ''}
  API (OpenAPI)    ${gateway}/openapi.json
  Readiness        ${gateway}/readyz
  Metrics          ${gateway}/metrics        (gateway + workers)
  Worker metrics   http://127.0.0.1:${env.WORKER_HTTP_PORT}/metrics
  WeChat API       ${wechatBase}${env.WECHAT_API_BASE ? '' : '  (local fake)'}
  WeChat Pay       ${wechatPayBase}${fakePay ? `  (local fake: payer and control API under /__fake__/, keys in ${path.relative(root, keyDir) || keyDir})` : ''}

  Merchant logins  salon.owner, clinic.owner, fitness.owner, flash.owner, salon.front — password zhiyue-demo
  Load test        npm run loadtest -- flash-sale      (in another terminal)

  Ctrl-C stops everything.
`);
