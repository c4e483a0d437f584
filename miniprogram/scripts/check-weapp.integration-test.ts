import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWeapp } from './check-weapp.ts';

// WeChat's real compilers (wcc, wcsc from miniprogram-compiler) over a small hand-made weapp output.
const script = fileURLToPath(new URL('./check-weapp.ts', import.meta.url));
const dirs: string[] = [];

/** A clean weapp-like directory: app + one page, with `overrides` (path → content) applied on top. */
function weapp(overrides: Record<string, string | Buffer> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'zy-weapp-'));
  dirs.push(root);
  const files: Record<string, string | Buffer> = {
    'app.json': JSON.stringify({ pages: ['pages/x/x'], subPackages: [{ root: 'sub', pages: ['y/y'] }] }),
    'app.js': 'App({})',
    'app.wxss': 'page { background: #fff; }\n',
    'pages/x/x.json': '{}',
    'pages/x/x.js': 'Page({})',
    'pages/x/x.wxml': '<view class="a"><text>{{title}}</text></view>\n',
    'pages/x/x.wxss': '.a { color: red; }\n',
    'sub/y/y.json': '{}',
    'sub/y/y.js': 'Page({})',
    'sub/y/y.wxml': '<view>y</view>\n',
    ...overrides,
  };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

function run(root: string) {
  const result = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('check-weapp', () => {
  it('when the output is clean, then every check passes, the CLI exits 0 and prints the package table', () => {
    const root = weapp();

    const check = checkWeapp(root);
    const cli = run(root);

    expect(check.errors).toEqual([]);
    expect(check.packages.map((p) => [p.name, p.files])).toEqual([['main', 7], ['sub', 3]]);
    expect(cli.status).toBe(0);
    expect(cli.output).toMatch(/main\s+7\s+[\d.]+\s+2048\.0/);
    expect(cli.output).toContain('check:weapp ok');
  });

  it('when a WXML tag is not closed, then it fails with wcc’s message', () => {
    const root = weapp({ 'pages/x/x.wxml': '<view><text>x</view>' });

    const check = checkWeapp(root);
    const cli = run(root);

    expect(check.ok).toBe(false);
    expect(check.errors.join('\n')).toMatch(/pages\/x\/x\.wxml:1:\d+: expect end-tag `text`\., near `view`/);
    expect(cli.status).toBe(1);
    expect(cli.output).toContain('FAIL WXML (wcc)');
    expect(cli.output).toContain('expect end-tag `text`');
  });

  it('when a WXSS rule is not closed, then it fails with wcsc’s message', () => {
    const root = weapp({ 'pages/x/x.wxss': '.a { color: red;\n' });

    const check = checkWeapp(root);
    const cli = run(root);

    expect(check.ok).toBe(false);
    expect(check.errors.join('\n')).toMatch(/WXSS \(wcsc exited 1\): ERR: pages\/x\/x\.wxss\(\d+:\d+\)/);
    expect(cli.status).toBe(1);
    expect(cli.output).toContain('ERR: pages/x/x.wxss');
  });

  it('when a file names the local fakes, then it fails and names the file', () => {
    const root = weapp({ 'sub/y/y.js': 'Page({ onLoad() { fetch("http://127.0.0.1:9/__fake__/pay") } })' });

    const check = checkWeapp(root);
    const cli = run(root);

    expect(check.errors).toEqual(['fake code (__fake__) in the weapp build: sub/y/y.js']);
    expect(cli.status).toBe(1);
    expect(cli.output).toContain('sub/y/y.js');
  });

  it('when the main package is over 2 MiB, then it fails; the same bytes split with a subpackage pass', () => {
    const big = Buffer.alloc(2.1 * 1024 * 1024, 0x20);
    const half = big.subarray(0, big.length / 2);
    const overMain = weapp({ 'assets/big.js': big });
    const split = weapp({ 'assets/big.js': half, 'sub/big.js': half });

    const main = checkWeapp(overMain);
    const cli = run(overMain);

    expect(main.errors).toEqual([expect.stringMatching(/^package main is 215\d\.\d KiB, over its limit of 2048\.0 KiB$/)]);
    expect(cli.status).toBe(1);
    expect(checkWeapp(split).errors).toEqual([]);
  });

  it('when every package fits but all together are over 20 MiB, then it fails', () => {
    const part = Buffer.alloc(1.9 * 1024 * 1024, 0x20);
    const roots = Array.from({ length: 11 }, (_, i) => `sub${i}`);
    const root = weapp({
      'app.json': JSON.stringify({ pages: ['pages/x/x'], subpackages: roots.map((r) => ({ root: `${r}/`, pages: ['y/y'] })) }),
      ...Object.fromEntries(roots.map((r) => [`${r}/y/y.js`, part])),
    });

    const check = checkWeapp(root);

    expect(check.packages).toHaveLength(12);
    expect(check.errors).toEqual([expect.stringMatching(/^all packages together are 2\d{4}\.\d KiB, over the limit of 20480\.0 KiB$/)]);
  });

  it('when the directory has no app.json, then it fails and says to build first', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'zy-weapp-'));
    dirs.push(root);

    expect(run(root)).toMatchObject({ status: 1, output: expect.stringContaining('build first') });
  });
});
