import Taro from '@tarojs/taro';

import { ApiError } from '../domain/api-error';
import { platform } from '../platform';
import { http, type RequestOptions } from './http';

interface Session {
  token: string;
  expiresAtMs: number;
  customerId: number;
}

const STORAGE_KEY = 'zy.session';
// Log in again a minute early so a request never starts with a token about to lapse.
const EARLY_MS = 60_000;

let current: Session | null = load();
let inflight: Promise<Session> | null = null;
const listeners = new Set<(session: Session | null) => void>();

function load(): Session | null {
  try {
    const stored = Taro.getStorageSync(STORAGE_KEY) as Session | '';
    return stored && typeof stored === 'object' ? stored : null;
  } catch {
    return null;
  }
}

function save(session: Session | null): void {
  current = session;
  if (session) Taro.setStorageSync(STORAGE_KEY, session);
  else Taro.removeStorageSync(STORAGE_KEY);
  for (const listener of listeners) listener(session);
}

export function currentSession(): Session | null {
  return current && current.expiresAtMs - EARLY_MS > Date.now() ? current : null;
}

export function onSessionChange(listener: (session: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** wx.login → code → our token. Concurrent callers share one login. */
export function login(): Promise<Session> {
  inflight ??= (async () => {
    try {
      const code = await platform.login();
      const answer = await http<{ token: string; expiresAt: string; subjectId: number }>('/v1/auth/wechat/login', { method: 'POST', body: { code } });
      const session = { token: answer.token, expiresAtMs: Date.parse(answer.expiresAt), customerId: answer.subjectId };
      save(session);
      return session;
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

export function logout(): void {
  save(null);
}

export async function ensureSession(): Promise<Session> {
  return currentSession() ?? login();
}

/** A customer call: logs in when needed and once more if the server no longer accepts the token. */
export async function authed<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const session = await ensureSession();
  try {
    return await http<T>(path, { ...options, token: session.token });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    const fresh = await login();
    return http<T>(path, { ...options, token: fresh.token });
  }
}
