import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../db/testing/test-env.ts';
import { JWT_SECRET, stackEnv } from '../testing/test-stack.ts';

/** The gateway as its own process, the way production runs it: SIGTERM must end it cleanly. */
let env: TestEnv;
const root = path.resolve(import.meta.dirname, '../..');

beforeAll(async () => {
  env = await createTestEnv('shutdown');
});

afterAll(async () => {
  await env?.cleanup();
});

describe('gateway shutdown', () => {
  it('when the gateway gets SIGTERM, then it stops accepting, closes its pools and exits 0', async () => {
    const child = spawn(process.execPath, [path.join(root, 'gateway/src/server.ts')], {
      cwd: root,
      env: { ...process.env, ...stackEnv(env, { HTTP_PORT: '0', JWT_SECRET, LOG_LEVEL: 'info' }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const match = /"url":"(http:[^"]+)"/.exec(buffered);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`gateway exited early with ${code}`)));
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const started = performance.now();
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(performance.now() - started).toBeLessThan(10_000);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
