import { addDays, localDateOf } from '../../../core/src/time/zoned.ts';
import { mapPool, Progress, sleep } from './progress.ts';

/** The few gateway and fake-WeChat calls the scenarios make outside the measured load. */

export class HttpError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(method: string, url: string, status: number, body: string) {
    super(`${method} ${url} answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'HttpError';
    this.status = status;
    this.body = body;
  }
}

async function request<T>(method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new HttpError(method, url, response.status, text);
  return JSON.parse(text) as T;
}

export const getJson = <T>(url: string, headers?: Record<string, string>) => request<T>('GET', url, undefined, headers);
export const postJson = <T>(url: string, body: unknown, headers?: Record<string, string>) => request<T>('POST', url, body, headers);

/** Fails early and readably when the stack the scenario needs is not running. */
export async function expectReachable(name: string, url: string, hint: string): Promise<void> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(3000) });
  } catch (error) {
    throw new Error(`${name} is not reachable at ${url} (${(error as Error).cause ?? (error as Error).message}); ${hint}`);
  }
}

export interface Customer {
  id: number;
  token: string;
}

/**
 * Logs customers in the way the mini program does: wx.login() on the phone
 * (the fake's /__fake__/login-code) and the code exchanged at the gateway.
 * A transient failure is retried a few times; a user that still fails is
 * reported and left out.
 */
export async function loginCustomers(options: { baseUrl: string; wechatUrl: string; count: number; prefix: string; concurrency: number }): Promise<{ customers: Customer[]; failures: string[] }> {
  const progress = new Progress(`login ${options.count} customers via fake WeChat`, options.count);
  const failures: string[] = [];
  const users = Array.from({ length: options.count }, (_, i) => `${options.prefix}-${i}`);
  const results = await mapPool(
    users,
    options.concurrency,
    async (user) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const { code } = await postJson<{ code: string }>(`${options.wechatUrl}/__fake__/login-code`, { user });
          const { token, subjectId } = await postJson<{ token: string; subjectId: number }>(`${options.baseUrl}/v1/auth/wechat/login`, { code });
          return { id: subjectId, token };
        } catch (error) {
          if (attempt >= 3) {
            failures.push(`${user}: ${(error as Error).message}`);
            return null;
          }
          await sleep(200 * attempt);
        }
      }
    },
    (done) => progress.update(done),
  );
  progress.done(failures.length ? `${failures.length} failed` : '');
  return { customers: results.filter((c): c is Customer => c !== null), failures };
}

export interface StoreSummary {
  id: number;
  name: string;
  industry: string;
  timezone: string;
}

export interface StoreDetail extends StoreSummary {
  services: { id: number; name: string; category: string; durationMinutes: number; maxPartySize: number }[];
}

export interface Slot {
  startAt: string;
  endAt: string;
  localTime: string;
  remaining: number;
  resources: { resourceId: number; remaining: number }[];
}

export const listStores = async (baseUrl: string, industry?: string) =>
  (await getJson<{ stores: StoreSummary[] }>(`${baseUrl}/v1/stores?limit=100${industry ? `&industry=${encodeURIComponent(industry)}` : ''}`)).stores;

export const storeDetail = (baseUrl: string, storeId: number) => getJson<StoreDetail>(`${baseUrl}/v1/stores/${storeId}`);

export async function availability(baseUrl: string, storeId: number, serviceId: number, date: string): Promise<Slot[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await getJson<{ slots: Slot[] }>(`${baseUrl}/v1/stores/${storeId}/availability?serviceId=${serviceId}&date=${date}`)).slots;
    } catch (error) {
      // 503 INVENTORY_REBUILDING asks for a retry in a second.
      if (!(error instanceof HttpError) || error.status !== 503 || attempt >= 10) throw error;
      await sleep(1000);
    }
  }
}

/** Local dates from today (in the store's zone) through `horizonDays` later. */
export function datesAhead(timeZone: string, horizonDays: number, nowMs = Date.now()): string[] {
  const today = localDateOf(nowMs, timeZone);
  return Array.from({ length: horizonDays + 1 }, (_, i) => addDays(today, i));
}

/** `{"error":{"code":"SLOT_SOLD_OUT",...}}` → `SLOT_SOLD_OUT`; anything else → null. */
export function errorCodeOf(body: string): string | null {
  const match = /"code"\s*:\s*"([A-Z_]+)"/.exec(body);
  return match ? match[1]! : null;
}
