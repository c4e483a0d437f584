import type { Redis } from 'ioredis';

/**
 * A batch is also sent as soon as it holds this many calls. Waiting for the end of the turn makes every
 * request of a burst wait for one big round trip, during which the gateway has nothing to do: measured
 * on the accept bench, the gateway sat idle ≈ 25 % of the time with one batch per turn, and is busy
 * with batches of 16 (Redis works on the first part of a burst while the gateway reads the rest).
 */
export const MAX_BATCH = 16;

/** reserveMany.lua's error marker for one booking whose reserve.lua raised an error. */
const BOOKING_ERROR = -99;

/**
 * Joins one booking's reserve.lua arguments into the one argument reserveMany.lua splits again (ASCII unit
 * separator, `\31` in Lua). One argument per booking instead of ≈ 24 spares ioredis the per-argument encoding
 * and Redis the per-argument parsing. No argument may contain it: JSON.stringify escapes it (\u001f), and the
 * batcher refuses a call that has it anywhere else.
 */
export const ARG_SEPARATOR = '\x1f';

interface Pending {
  keyCount: number;
  keysAndArgs: (string | number)[];
  resolve: (value: (string | number)[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Sends the reserve.lua calls of many concurrent requests together: one
 * reserveMany.lua command per store (its keys share the store's hash tag) in
 * one pipeline per event-loop turn. ioredis's auto-pipelining flushes on
 * process.nextTick, which Node runs after *each* socket callback, so requests
 * arriving together would still cost one Redis write (a system call) each;
 * flushing on setImmediate, after every socket that was ready has been read,
 * turns them into one write and one read, and one command per store instead
 * of one per booking spares both the gateway and Redis the per-command work.
 * Batches are capped at MAX_BATCH calls.
 */
export class ReserveBatcher {
  readonly #redis: Redis;
  #queue = new Map<string, Pending[]>();
  #queued = 0;
  #scheduled = false;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  #onImmediate = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  /** `group`: the store's hash tag (every key of one reserveMany call must live in one cluster slot). */
  reserve(group: string, keyCount: number, keysAndArgs: (string | number)[]): Promise<(string | number)[]> {
    if (keysAndArgs.length <= keyCount) return Promise.reject(new Error('reserveMany needs at least one argument per booking'));
    for (let i = keyCount; i < keysAndArgs.length; i++) {
      const arg = keysAndArgs[i];
      if (typeof arg === 'string' && arg.includes(ARG_SEPARATOR)) return Promise.reject(new Error(`argument ${i - keyCount + 1} contains the separator`));
    }
    return new Promise((resolve, reject) => {
      const pending = this.#queue.get(group);
      const call = { keyCount, keysAndArgs, resolve, reject };
      if (pending) pending.push(call);
      else this.#queue.set(group, [call]);
      this.#queued += 1;
      if (this.#queued >= MAX_BATCH) {
        this.#flush();
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#onImmediate);
      }
    });
  }

  #flush(): void {
    if (this.#queued === 0) return;
    const groups = [...this.#queue.values()];
    this.#queue = new Map();
    this.#queued = 0;
    // The usual case, one store in the batch: one command, written at once (no pipeline object to build).
    if (groups.length === 1) {
      const calls = groups[0]!;
      this.#redis.reserveMany(...reserveManyArgs(calls)).then(
        (replies) => settle(calls, replies),
        (error: unknown) => {
          for (const call of calls) call.reject(error);
        },
      );
      return;
    }
    const pipeline = this.#redis.pipeline();
    for (const calls of groups) pipeline.reserveMany(...reserveManyArgs(calls));
    pipeline.exec().then(
      (results) => {
        groups.forEach((calls, g) => {
          const [error, replies] = results?.[g] ?? [new Error('no reply from pipeline'), null];
          if (error) for (const call of calls) call.reject(error);
          else settle(calls, replies as (string | number)[][]);
        });
      },
      (error: unknown) => {
        for (const calls of groups) for (const call of calls) call.reject(error);
      },
    );
  }
}

function settle(calls: Pending[], replies: (string | number)[][]): void {
  calls.forEach((call, b) => {
    const reply = replies[b];
    if (!reply) call.reject(new Error('reserveMany gave no reply for a booking'));
    else if (Number(reply[0]) === BOOKING_ERROR) call.reject(new Error(`reserve.lua failed: ${String(reply[1])}`));
    else call.resolve(reply);
  });
}

/** reserveMany.lua's arguments: numkeys, every booking's keys, then N, the key counts and every booking's packed args. */
function reserveManyArgs(calls: Pending[]): [number, ...(string | number)[]] {
  const keys: (string | number)[] = [];
  const counts: number[] = [calls.length];
  const packed: string[] = [];
  for (const call of calls) {
    const { keyCount, keysAndArgs } = call;
    for (let i = 0; i < keyCount; i++) keys.push(keysAndArgs[i]!);
    let args = String(keysAndArgs[keyCount]);
    for (let i = keyCount + 1; i < keysAndArgs.length; i++) args += ARG_SEPARATOR + keysAndArgs[i]!;
    counts.push(keyCount);
    packed.push(args);
  }
  return [keys.length, ...keys, ...counts, ...packed];
}

const batchers = new WeakMap<Redis, ReserveBatcher>();

export function reserveBatcher(redis: Redis): ReserveBatcher {
  let batcher = batchers.get(redis);
  if (!batcher) {
    batcher = new ReserveBatcher(redis);
    batchers.set(redis, batcher);
  }
  return batcher;
}
