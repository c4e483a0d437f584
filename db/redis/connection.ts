import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Redis, type RedisOptions, type Result } from 'ioredis';

const scriptsDir = path.join(import.meta.dirname, 'scripts');

type Arg = string | number;

/** Typed signatures of the commands defined from scripts/*.lua (ioredis declaration merging). */
declare module 'ioredis' {
  interface RedisCommander<Context> {
    reserve(numKeys: number, ...keysAndArgs: Arg[]): Result<(string | number)[], Context>;
    reserveMany(numKeys: number, ...keysAndArgs: Arg[]): Result<(string | number)[][], Context>;
    releaseHold(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    markPersisted(numKeys: number, ...keysAndArgs: Arg[]): Result<number[], Context>;
    leaseExpiredHolds(holds: string, nowMs: number, leaseMs: number, limit: number): Result<string[], Context>;
    repairInventory(numKeys: number, ...keysAndArgs: Arg[]): Result<number[], Context>;
    acquireLease(lease: string, owner: string, leaseMs: number): Result<number, Context>;
    releaseLease(lease: string, owner: string): Result<number, Context>;
    moveHold(numKeys: number, ...keysAndArgs: Arg[]): Result<number[], Context>;
    settleMove(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
  }
}

interface ScriptFile {
  name: string;
  /** From the file name `<name>-<numKeys>.lua`; absent = the caller passes the key count. */
  numberOfKeys?: number;
  lua: string;
}

export function readScripts(dir = scriptsDir): ScriptFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.lua'))
    .map((file) => {
      const match = /^([A-Za-z]+)(?:-(\d+))?\.lua$/.exec(file);
      if (!match) throw new Error(`script file name must be <name>[-<numKeys>].lua: ${file}`);
      const script: ScriptFile = { name: match[1]!, lua: withIncludes(dir, readFileSync(path.join(dir, file), 'utf8')) };
      if (match[2] !== undefined) script.numberOfKeys = Number(match[2]);
      return script;
    });
}

/**
 * Replaces each line `--@include <file>.lua` with that script's text (Lua has no includes, and a script
 * cannot call another): reserveMany.lua runs reserve.lua's own text as a function, so the two cannot drift.
 */
function withIncludes(dir: string, lua: string): string {
  return lua.replace(/^--@include ([A-Za-z]+(?:-\d+)?\.lua)$/gm, (_line, file: string) => readFileSync(path.join(dir, file), 'utf8'));
}

const scripts = readScripts();

/** Registers every script once per connection; ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT. */
export function defineScripts(redis: Redis): Redis {
  for (const script of scripts) {
    redis.defineCommand(script.name, script.numberOfKeys === undefined ? { lua: script.lua } : { lua: script.lua, numberOfKeys: script.numberOfKeys });
  }
  return redis;
}

export interface RedisConnectionOptions {
  url: string;
  /**
   * The request path fails fast (503) rather than queueing commands while
   * Redis is away; workers and BullMQ wait for it instead.
   */
  failFast: boolean;
  name: string;
}

export function createRedis(options: RedisConnectionOptions): Redis {
  const base: RedisOptions = {
    connectionName: options.name,
    enableAutoPipelining: true,
    // The reserve batcher (batched-scripts.ts) already sends one reserveMany per turn and store: straight to the socket.
    autoPipeliningIgnoredCommands: ['reserveMany'],
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  };
  const tuned: RedisOptions = options.failFast
    ? { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000, connectTimeout: 2000 }
    : { ...base, maxRetriesPerRequest: null };
  return defineScripts(new Redis(options.url, tuned));
}

/** Resolves once the connection can take commands (needed before use when the offline queue is off). */
export function whenReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/** True for ioredis failures that mean "Redis is not reachable right now" (the gateway answers 503). */
export function isRedisUnavailable(error: unknown): boolean {
  const e = error as { name?: string; message?: string; code?: string } | null;
  if (!e || typeof e.message !== 'string') return false;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') return true;
  return /enableOfflineQueue|Connection is closed|Command timed out|Stream isn't writeable|LOADING|OOM command not allowed|READONLY/.test(e.message);
}
