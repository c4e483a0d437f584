import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { sleep } from '../lib/progress.ts';

/** Child processes of the bench: started with this Node, watched, and always stopped by their own pid. */

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** The last lines it printed (stdout and stderr), for error messages and the report. */
  tail: string[];
  /** Lines at warn level or worse (pino level ≥ 40) or not JSON at all: what the bench reports as suspicious. */
  warnings: string[];
  exited: boolean;
  stop(): Promise<void>;
}

const children = new Set<Child>();

export function spawnNode(name: string, script: string, env: Record<string, string>, onLine?: (line: string) => void, nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, script)], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const child: Child = {
    name,
    pid: proc.pid,
    process: proc,
    tail: [],
    warnings: [],
    exited: false,
    stop: () => stopChild(child),
  };
  for (const stream of [proc.stdout, proc.stderr]) {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        child.tail.push(line);
        if (child.tail.length > 40) child.tail.shift();
        if (isWarning(line) && child.warnings.length < 200) child.warnings.push(line.slice(0, 600));
        onLine?.(line);
      }
    });
  }
  proc.once('exit', () => {
    child.exited = true;
    children.delete(child);
  });
  children.add(child);
  return child;
}

function isWarning(line: string): boolean {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level !== 'number' || level >= 40;
  } catch {
    return true;
  }
}

/** SIGTERM (graceful: the gateway and workers finish in-flight work), SIGKILL if it takes longer than `graceMs`. */
async function stopChild(child: Child, graceMs = 25_000): Promise<void> {
  if (child.exited) return;
  const gone = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => c.stop()));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `url` until it answers 2xx; fails at once if the child died meanwhile. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited) throw new Error(`${child.name} exited while starting:\n${child.tail.join('\n')}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms:\n${child.tail.join('\n')}`);
}

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; null once it is gone or unreadable. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Pid of a process by its command name (e.g. mariadbd), for CPU accounting of shared services. */
export function pidByName(...names: string[]): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) return Number(entry);
      } catch {
        // raced with the process exiting
      }
    }
  } catch {
    // no /proc: not Linux
  }
  return null;
}

/** CPU use of several processes over an interval, as % of one core. */
export class CpuMeter {
  readonly #pids: Record<string, number>;
  #start: Record<string, number | null> = {};
  #startedAt = 0;

  constructor(pids: Record<string, number | null>) {
    this.#pids = Object.fromEntries(Object.entries(pids).filter((e): e is [string, number] => e[1] !== null));
  }

  begin(): void {
    this.#startedAt = performance.now();
    this.#start = Object.fromEntries(Object.entries(this.#pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  }

  /** CPU seconds each process used since begin(). */
  used(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.#pids)) {
      const before = this.#start[name];
      const after = cpuSeconds(pid);
      if (before != null && after != null) out[name] = after - before;
    }
    return out;
  }

  end(extra: Record<string, number> = {}): Record<string, number> {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    if (seconds <= 0) return {};
    const out: Record<string, number> = {};
    for (const [name, cpu] of Object.entries({ ...this.used(), ...extra })) out[name] = Math.round((cpu / seconds) * 100);
    return out;
  }
}
