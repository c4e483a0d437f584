/**
 * `npm run check:weapp [dir]`: checks a weapp build (default miniprogram/dist/weapp) as WeChat would
 * before an upload. Exits 1 if any check fails:
 *   1. WXML compiles with WeChat's own wcc (through miniprogram-compiler's wxmlToJs, which throws wcc's message);
 *   2. WXSS compiles with WeChat's own wcsc (spawned here: the package's wxssToJs returns the error
 *      instead of throwing, and its callers lose wcsc's message);
 *   3. package sizes: main package ≤ 2 MiB, each subpackage ≤ 2 MiB, all together ≤ 20 MiB;
 *   4. no fake code: no file contains `__fake__` (the H5 test build's URLs of the local fakes).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MiB = 1024 * 1024;
export const MAIN_PACKAGE_LIMIT = 2 * MiB;
export const SUBPACKAGE_LIMIT = 2 * MiB;
export const TOTAL_LIMIT = 20 * MiB;
const FAKE_MARKER = '__fake__';
// wcc and wcsc print whole compiled programs on stdout; spawnSync's default 1 MiB would cut a real app off.
const MAX_BUFFER = 256 * MiB;

const miniprogramDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(miniprogramDir, 'package.json'));
const compilerDir = path.dirname(require.resolve('miniprogram-compiler/package.json'));

export interface PackageSize {
  /** `main` or the subpackage root as app.json names it. */
  name: string;
  files: number;
  bytes: number;
  limit: number;
}

export interface WeappCheck {
  ok: boolean;
  /** One entry per failed check, with the compiler's own message. */
  errors: string[];
  packages: PackageSize[];
  totalBytes: number;
}

/** Every file below `root` (relative, `/`-separated), node_modules left out as the compilers leave it out. */
function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((file) => file.split(path.sep).join('/'))
    .filter((file) => !file.startsWith('node_modules/') && statSync(path.join(root, file)).isFile())
    .sort();
}

/** npm installs the package's Linux binaries without the execute bit. */
function binary(name: 'wcc' | 'wcsc'): string {
  const file = path.join(compilerDir, 'bin', 'linux', name);
  chmodSync(file, 0o755);
  return file;
}

export function checkWxml(root: string): string | null {
  binary('wcc');
  const { wxmlToJs } = require('miniprogram-compiler') as { wxmlToJs(root: string, options?: { maxBuffer?: number }): string };
  try {
    wxmlToJs(root, { maxBuffer: MAX_BUFFER });
    return null;
  } catch (error) {
    return `WXML (wcc): ${(error as Error).message.trim()}`;
  }
}

function isJsonFile(file: string): boolean {
  try {
    JSON.parse(readFileSync(file, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs wcsc over every .wxss as miniprogram-compiler's wcsc.js orders them: a file with a sibling
 * .json (a page or component, also app.wxss) goes first, and `-pc` says how many there are.
 */
export function checkWxss(root: string, files = listFiles(root)): string | null {
  const components: string[] = [];
  const others: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.wxss'))) {
    const json = path.join(root, `${file.slice(0, -'.wxss'.length)}.json`);
    if (isJsonFile(json)) components.unshift(file);
    else others.push(file);
  }
  if (components.length + others.length === 0) return null;
  const result = spawnSync(binary('wcsc'), ['-db', '-pc', String(components.length), ...components, ...others], { cwd: root, maxBuffer: MAX_BUFFER });
  if (result.error) return `WXSS (wcsc): ${result.error.message}`;
  if (result.status === 0) return null;
  const output = `${result.stderr.toString()}${result.stdout.length < 4096 ? result.stdout.toString() : ''}`.trim();
  return `WXSS (wcsc exited ${result.status ?? result.signal}): ${output}`;
}

/** Subpackage roots from app.json (`subPackages` or the older `subpackages`), without trailing slash. */
function subpackageRoots(root: string): string[] {
  const app = JSON.parse(readFileSync(path.join(root, 'app.json'), 'utf8')) as {
    subPackages?: { root: string }[];
    subpackages?: { root: string }[];
  };
  return [...(app.subPackages ?? []), ...(app.subpackages ?? [])].map((p) => p.root.replace(/^\.?\//, '').replace(/\/+$/, ''));
}

export function measurePackages(root: string, files = listFiles(root)): PackageSize[] {
  const roots = subpackageRoots(root);
  const packages = new Map<string, PackageSize>([['main', { name: 'main', files: 0, bytes: 0, limit: MAIN_PACKAGE_LIMIT }]]);
  for (const sub of roots) packages.set(sub, { name: sub, files: 0, bytes: 0, limit: SUBPACKAGE_LIMIT });
  for (const file of files) {
    const owner = roots.find((sub) => file.startsWith(`${sub}/`)) ?? 'main';
    const size = packages.get(owner)!;
    size.files++;
    size.bytes += statSync(path.join(root, file)).size;
  }
  return [...packages.values()];
}

export function findFakeCode(root: string, files = listFiles(root)): string[] {
  return files.filter((file) => readFileSync(path.join(root, file)).includes(FAKE_MARKER));
}

export function checkWeapp(root: string): WeappCheck {
  const errors: string[] = [];
  if (!existsSync(path.join(root, 'app.json'))) {
    return { ok: false, errors: [`${root}/app.json is missing: build first (npm run build:mini:weapp)`], packages: [], totalBytes: 0 };
  }
  const files = listFiles(root);
  const wxml = checkWxml(root);
  if (wxml) errors.push(wxml);
  const wxss = checkWxss(root, files);
  if (wxss) errors.push(wxss);
  const packages = measurePackages(root, files);
  const totalBytes = packages.reduce((sum, p) => sum + p.bytes, 0);
  for (const p of packages) {
    if (p.bytes > p.limit) errors.push(`package ${p.name} is ${kib(p.bytes)} KiB, over its limit of ${kib(p.limit)} KiB`);
  }
  if (totalBytes > TOTAL_LIMIT) errors.push(`all packages together are ${kib(totalBytes)} KiB, over the limit of ${kib(TOTAL_LIMIT)} KiB`);
  const fakes = findFakeCode(root, files);
  if (fakes.length > 0) errors.push(`fake code (${FAKE_MARKER}) in the weapp build: ${fakes.join(', ')}`);
  return { ok: errors.length === 0, errors, packages, totalBytes };
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

export function formatSizes(check: WeappCheck): string {
  const rows = [
    ['package', 'files', 'KiB', 'limit KiB'],
    ...check.packages.map((p) => [p.name, String(p.files), kib(p.bytes), kib(p.limit)]),
    ['total', String(check.packages.reduce((sum, p) => sum + p.files, 0)), kib(check.totalBytes), kib(TOTAL_LIMIT)],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(miniprogramDir, 'dist', 'weapp'));
  const check = checkWeapp(root);
  console.log(`check:weapp ${root}`);
  if (check.packages.length > 0) console.log(formatSizes(check));
  for (const error of check.errors) console.error(`FAIL ${error}`);
  if (check.ok) console.log('check:weapp ok: wcc, wcsc, package sizes, no fake code');
  process.exit(check.ok ? 0 : 1);
}
