import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H5BuildMissing, type H5Host, startH5Host } from './h5-host.ts';

let dir: string;
let host: H5Host;
const INDEX = '<!doctype html><title>智约</title><div id="app"></div>';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zy-h5-'));
  await mkdir(path.join(dir, 'js'));
  await writeFile(path.join(dir, 'index.html'), INDEX);
  await writeFile(path.join(dir, 'js', 'app.3f9a1c.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'favicon.ico'), 'icon');
  host = await startH5Host({ dir, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('h5 host', () => {
  it('when / is asked, then index.html, never cached', async () => {
    const res = await fetch(`${host.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe(INDEX);
  });

  it('when a hashed bundle is asked, then it with a year-long immutable cache; other files revalidate', async () => {
    const js = await fetch(`${host.url}/js/app.3f9a1c.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    expect((await fetch(`${host.url}/favicon.ico`)).headers.get('cache-control')).toBe('no-cache');
  });

  it('when a client-side route is asked, then index.html (SPA fallback)', async () => {
    const res = await fetch(`${host.url}/pages/store/index?id=3`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe(INDEX);
  });

  it('when a missing file with an extension is asked, or a POST, then 404', async () => {
    expect((await fetch(`${host.url}/js/app.old.js`)).status).toBe(404);
    expect((await fetch(`${host.url}/static/logo.png`)).status).toBe(404);
    expect((await fetch(`${host.url}/pages/index`, { method: 'POST' })).status).toBe(404);
  });

  it('when the directory has no index.html, then startH5Host throws and the script exits 1 saying how to build', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'zy-h5-empty-'));
    try {
      await expect(startH5Host({ dir: empty, port: 0, host: '127.0.0.1' })).rejects.toBeInstanceOf(H5BuildMissing);
      const run = spawnSync(process.execPath, [path.join(import.meta.dirname, 'h5-host.ts')], { env: { ...process.env, H5_DIST_DIR: empty, H5_PORT: '0' }, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('npm run build:h5 --prefix miniprogram');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
