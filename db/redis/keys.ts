/**
 * Every Redis key Zhiyue writes is built here. A store's keys share the hash
 * tag `{s:<storeId>}`, so each script's keys fall in one Redis Cluster slot;
 * BullMQ's keys share `{q}` for the same reason.
 */
export interface StoreKeys {
  epoch: string;
  holds: string;
  persisted: string;
  rebuildLock: string;
  hold(bookingId: string): string;
  /** A pending booking's sealed form answers (never in the hold or the intent: they may hold phone numbers). */
  answers(bookingId: string): string;
  idempotency(customerId: number, key: string): string;
  customerDay(customerId: number, localDate: string): string;
  /** The customer's bookings at this store in one ISO week ("2026-W49"), for the weekly limit (core/src/priority). */
  customerWeek(customerId: number, isoWeek: string): string;
  /** A local day's cell capacities, field "<resource>:<minute>". */
  capacity(localDate: string): string;
  /** A local day's booked units per cell, same fields as `capacity`. */
  booked(localDate: string): string;
  /** Stream of accepted bookings that the relay moves into the persist queue. */
  intents: string;
  /** A local day's bookings per capped resource (allocation daily caps), field resource id. */
  allocations(localDate: string): string;
}

export interface RedisKeys {
  prefix: string;
  store(storeId: number): StoreKeys;
  /** Passed to BullMQ as its `prefix`. */
  queuePrefix: string;
  lease(name: string): string;
  /** A WeChat Pay notify nonce seen in the last few minutes (replay protection). */
  payNotifyNonce(nonce: string): string;
  /** A worker's published metrics and the set that lists every publisher (same slot, so MGET works). */
  workerMetrics(processId: string): { member: string; members: string };
  workerMetricsMembers: string;
  /**
   * The shared stable access token of one WeChat app and the single-flight lock
   * of whoever is fetching it; both under the tag `{wxtoken:<appid>}`.
   */
  wechatAccessToken(appid: string): { token: string; lock: string };
}

export function redisKeys(prefix: string): RedisKeys {
  // Built once per store and reused: the booking path asks for a store's keys on every request.
  const stores = new Map<number, StoreKeys>();
  const buildStore = (storeId: number): StoreKeys => {
    const tag = `${prefix}:{s:${storeId}}`;
    return {
      epoch: `${tag}:epoch`,
      holds: `${tag}:holds`,
      persisted: `${tag}:persisted`,
      rebuildLock: `${tag}:rebuild-lock`,
      hold: (bookingId) => `${tag}:hold:${bookingId}`,
      answers: (bookingId) => `${tag}:answers:${bookingId}`,
      idempotency: (customerId, key) => `${tag}:idem:${customerId}:${key}`,
      customerDay: (customerId, localDate) => `${tag}:cust:${customerId}:${localDate}`,
      customerWeek: (customerId, isoWeek) => `${tag}:custwk:${customerId}:${isoWeek}`,
      capacity: (localDate) => `${tag}:cap:${localDate}`,
      booked: (localDate) => `${tag}:bkd:${localDate}`,
      intents: `${tag}:intents`,
      allocations: (localDate) => `${tag}:alloc:${localDate}`,
    };
  };
  return {
    prefix,
    store(storeId) {
      let keys = stores.get(storeId);
      if (!keys) {
        keys = buildStore(storeId);
        if (stores.size >= 100_000) stores.clear();
        stores.set(storeId, keys);
      }
      return keys;
    },
    queuePrefix: `${prefix}:{q}`,
    lease: (name) => `${prefix}:{lease}:${name}`,
    payNotifyNonce: (nonce) => `${prefix}:{paynonce}:${nonce}`,
    workerMetrics: (processId) => ({ member: `${prefix}:{metrics}:worker:${processId}`, members: `${prefix}:{metrics}:workers` }),
    workerMetricsMembers: `${prefix}:{metrics}:workers`,
    wechatAccessToken: (appid) => ({ token: `${prefix}:{wxtoken:${appid}}:token`, lock: `${prefix}:{wxtoken:${appid}}:lock` }),
  };
}
