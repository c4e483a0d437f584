import type { Redis } from 'ioredis';

type ScriptName = 'reserve';

interface Pending {
  name: ScriptName;
  args: (string | number)[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Sends script calls of many concurrent requests as one pipeline per event
 * loop turn. ioredis's auto-pipelining flushes on process.nextTick, which Node
 * runs after *each* socket callback, so requests arriving together still cost
 * one Redis write (a system call) each; flushing on setImmediate, after every
 * socket that was ready has been read, turns them into one write and one read.
 * On this machine that halves the CPU a booking costs the gateway.
 */
export class ScriptBatcher {
  readonly #redis: Redis;
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  call(name: ScriptName, args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ name, args, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const batch = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    const pipeline = this.#redis.pipeline();
    for (const pending of batch) (pipeline as unknown as Record<ScriptName, (...a: (string | number)[]) => unknown>)[pending.name](...pending.args);
    pipeline.exec().then(
      (results) => {
        batch.forEach((pending, i) => {
          const [error, value] = results?.[i] ?? [new Error('no reply from pipeline'), null];
          if (error) pending.reject(error);
          else pending.resolve(value);
        });
      },
      (error: unknown) => {
        for (const pending of batch) pending.reject(error);
      },
    );
  }
}

const batchers = new WeakMap<Redis, ScriptBatcher>();

export function scriptBatcher(redis: Redis): ScriptBatcher {
  let batcher = batchers.get(redis);
  if (!batcher) {
    batcher = new ScriptBatcher(redis);
    batchers.set(redis, batcher);
  }
  return batcher;
}
