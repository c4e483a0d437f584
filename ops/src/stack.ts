/**
 * `npm run stack`: runs the fake WeChat API, the gateway and the workers as
 * child processes (as production would run them: separate processes), prints
 * where to look, and stops them gracefully on Ctrl-C / SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../../core/src/config/env.ts';

const env = parseEnv(
  {
    HTTP_PORT: z.coerce.number().int().default(8080),
    WORKER_HTTP_PORT: z.coerce.number().int().default(9102),
    FAKE_WECHAT_PORT: z.coerce.number().int().default(9101),
    /** Set to a real base URL to log in against WeChat itself instead of the local fake. */
    WECHAT_API_BASE: z.string().url().optional(),
  },
  process.env,
);
const root = path.resolve(import.meta.dirname, '../..');
const wechatBase = env.WECHAT_API_BASE ?? `http://127.0.0.1:${env.FAKE_WECHAT_PORT}`;
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

if (!env.WECHAT_API_BASE) run('wechat', 'ops/fakes/wechat-api/main.ts', { FAKE_WECHAT_PORT: String(env.FAKE_WECHAT_PORT) });
run('gateway', 'gateway/src/server.ts', { HTTP_PORT: String(env.HTTP_PORT), WECHAT_API_BASE: wechatBase });
run('workers', 'workers/src/main.ts', { WORKER_HTTP_PORT: String(env.WORKER_HTTP_PORT) });

const gateway = `http://127.0.0.1:${env.HTTP_PORT}`;
try {
  await waitFor(`${gateway}/readyz`, 60_000);
  await waitFor(`http://127.0.0.1:${env.WORKER_HTTP_PORT}/healthz`, 60_000);
} catch (error) {
  console.error(`stack: ${(error as Error).message}`);
  await stop(1);
}
console.log(`
  智约 Zhiyue is running (Node ${process.version})

  Demo page        ${gateway}/
  API (OpenAPI)    ${gateway}/openapi.json
  Readiness        ${gateway}/readyz
  Metrics          ${gateway}/metrics        (gateway + workers)
  Worker metrics   http://127.0.0.1:${env.WORKER_HTTP_PORT}/metrics
  WeChat API       ${wechatBase}${env.WECHAT_API_BASE ? '' : '  (local fake)'}

  Merchant logins  salon.owner, clinic.owner, fitness.owner, flash.owner, salon.front — password zhiyue-demo
  Load test        npm run loadtest -- flash-sale      (in another terminal)

  Ctrl-C stops everything.
`);
