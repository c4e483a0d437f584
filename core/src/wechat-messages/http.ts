/**
 * One POST to the WeChat server API. WeChat answers HTTP 200 with
 * `{errcode, errmsg}` on failure, so this only separates "WeChat answered
 * with JSON" from "no usable answer" (network, timeout, HTTP 5xx, a proxy's
 * HTML page); what the JSON means is the caller's business.
 */
export type WechatAnswer =
  | { ok: true; json: unknown; text: string }
  | { ok: false; reason: string };

/** An errcode WeChat answered, or null for no usable answer; messages never contain the URL (it carries the token). */
export class WechatApiError extends Error {
  readonly errcode: number | null;

  constructor(message: string, errcode: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WechatApiError';
    this.errcode = errcode;
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (error instanceof Error) {
    // fetch reports "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is on the cause.
    const cause = error.cause as { code?: unknown } | undefined;
    return typeof cause?.code === 'string' ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}

export async function postWechatJson(url: string, body: unknown, timeoutMs: number): Promise<WechatAnswer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The timeout covers the body too: a server that stalls mid-answer ends here as well.
    text = await response.text();
  } catch (error) {
    return { ok: false, reason: describeFailure(error, timeoutMs) };
  }
  if (response.status >= 400) return { ok: false, reason: `HTTP ${response.status}` };
  try {
    return { ok: true, json: JSON.parse(text) as unknown, text };
  } catch {
    return { ok: false, reason: `unreadable answer (HTTP ${response.status})` };
  }
}

/** `{errcode, errmsg}` when the answer has a numeric errcode (0 included), else null. */
export function errorFields(json: unknown): { errcode: number; errmsg: string } | null {
  if (typeof json !== 'object' || json === null) return null;
  const { errcode, errmsg } = json as { errcode?: unknown; errmsg?: unknown };
  if (typeof errcode !== 'number' || !Number.isInteger(errcode)) return null;
  return { errcode, errmsg: typeof errmsg === 'string' ? errmsg : '' };
}
