import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../testing/test-env.ts';
import { ARG_SEPARATOR, MAX_BATCH, ReserveBatcher } from './batched-scripts.ts';
import { readScripts } from './connection.ts';

/**
 * The real reserveMany.lua (batching, slicing, error containment) around a stand-in reserve.lua on a real
 * Redis: the stand-in echoes its keys and arguments, counts its runs, and fails when asked to.
 */
const STAND_IN = `
redis.call('INCR', KEYS[1])
if ARGV[1] == 'boom' then redis.call('NOSUCHCOMMAND') end
local reply = {1, #KEYS, #ARGV}
for i = 1, #KEYS do reply[#reply + 1] = KEYS[i] end
for i = 1, #ARGV do reply[#reply + 1] = ARGV[i] end
return reply
`;

describe('ReserveBatcher + reserveMany.lua (real Redis)', () => {
  let redis: Redis;
  let dir: string;
  const prefix = `zyt-batch-${process.pid}-${Date.now()}`;
  const pipelineSizes: number[] = [];
  /** Bookings per reserveMany sent on its own (not in a pipeline). */
  const directCalls: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'zy-batch-'));
    cpSync(path.join(import.meta.dirname, 'scripts/reserveMany.lua'), path.join(dir, 'reserveMany.lua'));
    writeFileSync(path.join(dir, 'reserve.lua'), STAND_IN);
    redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    await redis.connect();
    for (const script of readScripts(dir)) redis.defineCommand(script.name, { lua: script.lua });
    // Pipelines copy this function too (and call it on themselves): count only calls on the connection.
    const reserveMany = redis.reserveMany;
    redis.reserveMany = function (this: unknown, numKeys: number, ...keysAndArgs: (string | number)[]) {
      if (this === redis) directCalls.push(Number(keysAndArgs[numKeys]));
      return reserveMany.call(this, numKeys, ...keysAndArgs);
    } as Redis['reserveMany'];
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<Redis['pipeline']>) => {
      const p = pipeline(...args);
      const exec = p.exec.bind(p);
      p.exec = (() => {
        pipelineSizes.push(p.length);
        return exec();
      }) as typeof p.exec;
      return p;
    }) as Redis['pipeline'];
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const counter = (store: string) => `${prefix}:{s:${store}}:runs`;

  it('gives each booking its own keys, arguments and reply, in batches of at most MAX_BATCH', async () => {
    pipelineSizes.length = 0;
    directCalls.length = 0;
    const batcher = new ReserveBatcher(redis);
    const count = MAX_BATCH * 2 + 5;
    const replies = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        // Bookings differ in how many keys and arguments they have, as reserve.lua calls do.
        batcher.reserve('1', 2, [counter('1'), `${prefix}:{s:1}:k${i}`, ...Array.from({ length: 1 + (i % 3) }, (_v, a) => `b${i}a${a}`)]),
      ),
    );
    replies.forEach((reply, i) => {
      const argCount = 1 + (i % 3);
      expect(reply).toEqual([1, 2, argCount, counter('1'), `${prefix}:{s:1}:k${i}`, ...Array.from({ length: argCount }, (_v, a) => `b${i}a${a}`)]);
    });
    // One store: one reserveMany command per batch, sent on its own; batches of MAX_BATCH, MAX_BATCH and the rest.
    expect(directCalls).toEqual([MAX_BATCH, MAX_BATCH, 5]);
    expect(pipelineSizes).toEqual([]);
    expect(Number(await redis.get(counter('1')))).toBe(count);
  });

  it('sends one reserveMany per store, all in one pipeline at the end of the turn', async () => {
    pipelineSizes.length = 0;
    directCalls.length = 0;
    const batcher = new ReserveBatcher(redis);
    const replies = await Promise.all([
      batcher.reserve('7', 1, [counter('7'), 'a']),
      batcher.reserve('8', 1, [counter('8'), 'b']),
      batcher.reserve('7', 1, [counter('7'), 'c']),
    ]);
    expect(replies.map((reply) => reply.at(-1))).toEqual(['a', 'b', 'c']);
    expect(pipelineSizes).toEqual([2]);
    expect(directCalls).toEqual([]);
    expect([Number(await redis.get(counter('7'))), Number(await redis.get(counter('8')))]).toEqual([2, 1]);
  });

  it('hands each argument over as it was: empty ones, numbers, and JSON whose text held the separator', async () => {
    const batcher = new ReserveBatcher(redis);
    // The one free text (a booking note) travels inside JSON, which escapes the separator.
    const intent = JSON.stringify({ note: `a${ARG_SEPARATOR}b\n"c"` });
    expect(intent).not.toContain(ARG_SEPARATOR);
    const args = ['', 42, intent, '', 'x|1:2|3;y', ''];
    const [reply, single] = await Promise.all([batcher.reserve('5', 1, [counter('5'), ...args]), batcher.reserve('5', 1, [counter('5'), ''])]);
    expect(reply).toEqual([1, 1, args.length, counter('5'), ...args.map(String)]);
    expect(JSON.parse(String(reply![4 + 2]))).toEqual({ note: `a${ARG_SEPARATOR}b\n"c"` });
    expect(single).toEqual([1, 1, 1, counter('5'), '']);
  });

  it('refuses, before sending anything, a call with no argument or with the separator inside one', async () => {
    const batcher = new ReserveBatcher(redis);
    const before = Number(await redis.get(counter('6')));
    await expect(batcher.reserve('6', 1, [counter('6'), 'ok', `a${ARG_SEPARATOR}b`])).rejects.toThrow(/argument 2 contains the separator/);
    await expect(batcher.reserve('6', 1, [counter('6')])).rejects.toThrow(/at least one argument/);
    expect(Number(await redis.get(counter('6')))).toBe(before);
  });

  it('rejects only the booking whose script failed; the others in its call still run', async () => {
    const batcher = new ReserveBatcher(redis);
    const before = Number(await redis.get(counter('9')));
    const results = await Promise.allSettled([
      batcher.reserve('9', 1, [counter('9'), 'x']),
      batcher.reserve('9', 1, [counter('9'), 'boom']),
      batcher.reserve('9', 1, [counter('9'), 'y']),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/reserve\.lua failed: .*(Unknown Redis command|unknown command)/i);
    expect(Number(await redis.get(counter('9'))) - before).toBe(3);
  });
});
