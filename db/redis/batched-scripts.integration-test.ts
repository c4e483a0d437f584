import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../testing/test-env.ts';
import { MAX_BATCH, ScriptBatcher } from './batched-scripts.ts';

// A real Redis with a stand-in `reserve` script: echoes its argument, or fails when asked to.
const ECHO = `if ARGV[1] == 'boom' then return redis.error_reply('ERR boom') end return ARGV[1]`;

describe('ScriptBatcher (real Redis)', () => {
  let redis: Redis;
  const pipelineSizes: number[] = [];

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    await redis.connect();
    redis.defineCommand('reserve', { lua: ECHO, numberOfKeys: 0 });
    // Count what each pipeline carries (ioredis sends one pipeline in one write).
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
  afterAll(() => redis.disconnect());

  it('answers every call with its own reply, in batches of at most MAX_BATCH', async () => {
    pipelineSizes.length = 0;
    const batcher = new ScriptBatcher(redis);
    const count = MAX_BATCH * 2 + 5;
    const replies = await Promise.all(Array.from({ length: count }, (_, i) => batcher.call('reserve', [`call-${i}`])));
    expect(replies).toEqual(Array.from({ length: count }, (_, i) => `call-${i}`));
    expect(pipelineSizes).toEqual([MAX_BATCH, MAX_BATCH, 5]);
  });

  it('sends a small burst as one pipeline at the end of the turn', async () => {
    pipelineSizes.length = 0;
    const batcher = new ScriptBatcher(redis);
    const replies = await Promise.all([batcher.call('reserve', ['a']), batcher.call('reserve', ['b']), batcher.call('reserve', ['c'])]);
    expect(replies).toEqual(['a', 'b', 'c']);
    expect(pipelineSizes).toEqual([3]);
  });

  it('rejects only the call whose script failed', async () => {
    const batcher = new ScriptBatcher(redis);
    const results = await Promise.allSettled([batcher.call('reserve', ['x']), batcher.call('reserve', ['boom']), batcher.call('reserve', ['y'])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('boom');
  });
});
