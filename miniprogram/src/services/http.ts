import Taro from '@tarojs/taro';

import { runtimeConfig } from '../config';
import { ApiError, NETWORK } from '../domain/api-error';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  token?: string | null;
  idempotencyKey?: string;
  timeoutMs?: number;
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const pairs = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return pairs.length ? `?${pairs.join('&')}` : '';
}

function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

/** One call to the gateway; every failure becomes an ApiError (code NETWORK when nothing answered). */
export async function http<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const header: Record<string, string> = { 'content-type': 'application/json', 'accept-language': 'zh-CN' };
  if (options.token) header.authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey) header['idempotency-key'] = options.idempotencyKey;
  let response: Taro.request.SuccessCallbackResult<string | TaroGeneral.IAnyObject>;
  try {
    response = await Taro.request({
      url: `${runtimeConfig.apiBase}${path}${queryString(options.query)}`,
      method: options.method ?? 'GET',
      header,
      data: options.body === undefined ? undefined : (options.body as never),
      timeout: options.timeoutMs ?? 10_000,
      dataType: 'json',
    });
  } catch (error) {
    throw new ApiError(0, NETWORK, String((error as { errMsg?: string })?.errMsg ?? error));
  }
  const status = response.statusCode;
  if (status >= 200 && status < 300) return response.data as T;
  const body = (typeof response.data === 'string' ? safeJson(response.data) : response.data) as { error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } } | null;
  const retryAfter = Number(headerValue(response.header as Record<string, string>, 'retry-after'));
  throw new ApiError(status, body?.error?.code ?? `HTTP_${status}`, body?.error?.message ?? `HTTP ${status}`, body?.error?.issues ?? [], Number.isFinite(retryAfter) ? retryAfter : null);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
