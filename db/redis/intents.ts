import type { Redis } from 'ioredis';
import type { BookingIntent } from '../../core/src/booking/intent.ts';
import { unpackIntent } from './holds.ts';
import type { RedisKeys } from './keys.ts';

/**
 * The intent streams: reserve.lua appends every accepted booking to its
 * store's stream in the same atomic step as the hold; a relay reads them with
 * a consumer group (at-least-once: an entry stays pending until acknowledged,
 * and entries of a relay that died are claimed by another) and hands them to
 * the persist queue.
 */
export const RELAY_GROUP = 'relay';

export interface StreamedIntent {
  storeId: number;
  entryId: string;
  intent: BookingIntent;
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][];

/** Creates the relay group on each store's stream (and the stream), reading from its very first entry. */
export async function ensureRelayGroups(redis: Redis, keys: RedisKeys, storeIds: number[]): Promise<void> {
  await Promise.all(
    storeIds.map((storeId) =>
      redis.xgroup('CREATE', keys.store(storeId).intents, RELAY_GROUP, '0', 'MKSTREAM').catch((error: Error) => {
        if (!error.message.includes('BUSYGROUP')) throw error;
      }),
    ),
  );
}

function parseEntries(reply: StreamReply | null, storeOfKey: Map<string, number>): StreamedIntent[] {
  const out: StreamedIntent[] = [];
  for (const [key, entries] of reply ?? []) {
    const storeId = storeOfKey.get(key);
    if (storeId === undefined) continue;
    for (const [entryId, fields] of entries) {
      // A claimed entry that was deleted meanwhile comes back with no fields.
      if (!fields || fields.length === 0) continue;
      const map = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
      const { intent } = unpackIntent(map.get('intent') ?? '{}', map.get('cells') ?? '', map.get('days') ?? '');
      out.push({ storeId, entryId, intent });
    }
  }
  return out;
}

/**
 * Reads new intents for this consumer from every given store (`pending`:
 * re-read this consumer's own unacknowledged entries instead, after a crash).
 * `blockMs` > 0 needs a connection of its own: it blocks it.
 */
export async function readIntents(
  redis: Redis,
  keys: RedisKeys,
  storeIds: number[],
  consumer: string,
  options: { count: number; blockMs: number; pending?: boolean },
): Promise<StreamedIntent[]> {
  if (storeIds.length === 0) return [];
  const streamKeys = storeIds.map((id) => keys.store(id).intents);
  const storeOfKey = new Map(streamKeys.map((key, i) => [key, storeIds[i]!]));
  const ids = streamKeys.map(() => (options.pending ? '0' : '>'));
  const args: (string | number)[] = ['GROUP', RELAY_GROUP, consumer, 'COUNT', options.count];
  if (options.blockMs > 0) args.push('BLOCK', options.blockMs);
  const reply = (await (redis.xreadgroup as (...a: (string | number)[]) => Promise<unknown>)(...args, 'STREAMS', ...streamKeys, ...ids)) as StreamReply | null;
  return parseEntries(reply, storeOfKey);
}

/** Takes over entries another relay read but never acknowledged (it died) once they are `minIdleMs` old. */
export async function claimStaleIntents(redis: Redis, keys: RedisKeys, storeId: number, consumer: string, minIdleMs: number, count: number): Promise<StreamedIntent[]> {
  const key = keys.store(storeId).intents;
  const reply = (await redis.xautoclaim(key, RELAY_GROUP, consumer, minIdleMs, '0-0', 'COUNT', count)) as [string, [string, string[]][], string[]?];
  return parseEntries([[key, reply[1]]], new Map([[key, storeId]]));
}

/** Acknowledges and deletes relayed entries, so the streams stay short (a pipeline: stores sit in different slots). */
export async function ackIntents(redis: Redis, keys: RedisKeys, relayed: StreamedIntent[]): Promise<void> {
  const byStore = new Map<number, string[]>();
  for (const r of relayed) byStore.set(r.storeId, [...(byStore.get(r.storeId) ?? []), r.entryId]);
  const multi = redis.pipeline();
  for (const [storeId, ids] of byStore) {
    const key = keys.store(storeId).intents;
    multi.xack(key, RELAY_GROUP, ...ids).xdel(key, ...ids);
  }
  const results = await multi.exec();
  for (const [error] of results ?? []) if (error) throw error;
}
