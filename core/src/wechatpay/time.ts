/**
 * WeChat Pay speaks RFC 3339 with the China offset (`2026-05-20T13:29:35+08:00`)
 * and dates its bills in China time. China has had no DST since 1991, so a
 * fixed +08:00 is exact and needs no time-zone database.
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** ms epoch → `YYYY-MM-DDTHH:mm:ss+08:00` (whole seconds: WeChat rejects fractions in time_expire). */
export function toWechatTime(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + CHINA_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+08:00`
  );
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function isRfc3339(value: string): boolean {
  return RFC3339.test(value) && Number.isFinite(Date.parse(value));
}

/** RFC 3339 with any offset → ms epoch; throws on anything else. */
export function parseWechatTime(value: string): number {
  if (!isRfc3339(value)) throw new Error(`not an RFC 3339 time: ${JSON.stringify(value)}`);
  return Date.parse(value);
}

/** The China calendar date (`YYYY-MM-DD`) of an instant: what a trade bill is filed under. */
export function chinaDate(ms: number): string {
  return toWechatTime(ms).slice(0, 10);
}

/** `YYYY-MM-DD HH:mm:ss` as written in bills. */
export function chinaDateTime(ms: number): string {
  return toWechatTime(ms).slice(0, 19).replace('T', ' ');
}

/** `YYYY-MM-DD HH:mm:ss` China time (bill format) → ms epoch. */
export function parseChinaDateTime(value: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
  if (!match) throw new Error(`not a bill time: ${JSON.stringify(value)}`);
  return Date.parse(`${match[1]}T${match[2]}+08:00`);
}

/** First instant of a China calendar date. */
export function startOfChinaDate(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a date: ${JSON.stringify(date)}`);
  const ms = Date.parse(`${date}T00:00:00+08:00`);
  if (!Number.isFinite(ms) || chinaDate(ms) !== date) throw new Error(`not a date: ${JSON.stringify(date)}`);
  return ms;
}
