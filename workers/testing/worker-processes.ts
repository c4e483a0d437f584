import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Worker processes a fault-injection test starts and kills, as production runs them (separate
 * processes). Every child is tracked, so a test's afterAll can kill whatever is still running.
 */
export function workerProcesses() {
  const children = new Set<ChildProcess>();

  function start(env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [path.join(root, 'workers/src/main.ts')], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  }

  return { start, children, killAll: () => Promise.all([...children].map((c) => killProcess(c))) };
}

/** Resolves once the process has exited (at once if it already had). */
export function killProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
