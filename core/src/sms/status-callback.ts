/**
 * Tencent Cloud SMS delivery-status callback ("短信下发状态通知"): Tencent
 * POSTs a JSON array (one callback may carry several messages' reports) to
 * the URL set in the console and expects `{"result":0,"errmsg":"OK"}`.
 *
 * There is no signature or auth on it: the receiving route must sit behind an
 * unguessable path token (SMS_CALLBACK_TOKEN), and its writes must be
 * idempotent upserts keyed by serialNo, because the same report can arrive
 * again. Parse errors never quote the body (it holds phone numbers).
 */

export interface SmsStatusReport {
  /** `sid`: the SerialNo SendSms returned. */
  serialNo: string;
  /** E.164 (`+` nationcode mobile), raw, for matching; mask it before logging. */
  phone: string;
  status: 'DELIVERED' | 'FAILED';
  /** Carrier receipt code: DELIVRD on success, e.g. UNDELIV / MN:0001 on failure. */
  errmsg: string;
  description: string;
  /** `user_receive_time` (China time, "yyyy-MM-dd HH:mm:ss") as epoch ms; null if absent or unreadable. */
  userReceiveTime: number | null;
  /**
   * Not in Tencent's documented callback; read from a string `ext` when an account has
   * SessionContext echo enabled and it shows up there. Absent otherwise.
   */
  sessionContext?: string;
}

/** The exact answer Tencent expects for a callback it should not resend. */
export const STATUS_CALLBACK_ANSWER: Readonly<{ result: 0; errmsg: 'OK' }> = Object.freeze({ result: 0, errmsg: 'OK' });

export class SmsCallbackFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmsCallbackFormatError';
  }
}

const CHINA_OFFSET_MS = 8 * 3_600_000;
const RECEIVE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** "2026-12-01 10:00:05" (China time, which has no DST) → epoch ms. */
export function parseChinaDateTime(text: string): number | null {
  const m = RECEIVE_TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - CHINA_OFFSET_MS;
  return Number.isNaN(ms) ? null : ms;
}

function field(entry: Record<string, unknown>, name: string, index: number, required = true): string {
  const value = entry[name];
  if (typeof value === 'string') return value;
  // Some senders type numbers as numbers; the digits are the same.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (!required && (value === undefined || value === null)) return '';
  throw new SmsCallbackFormatError(`status callback entry ${index}: ${name} missing or not a string`);
}

/**
 * Accepts the parsed JSON (e.g. from express.json()), or the raw body as a
 * string / Buffer. A single object is taken as a one-entry array.
 */
export function parseStatusCallback(body: unknown): SmsStatusReport[] {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new SmsCallbackFormatError('status callback is not JSON');
    }
  }
  const entries = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? [value] : null;
  if (!entries) throw new SmsCallbackFormatError('status callback must be a JSON array of reports');

  return entries.map((raw: unknown, index) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SmsCallbackFormatError(`status callback entry ${index} is not an object`);
    const entry = raw as Record<string, unknown>;
    const serialNo = field(entry, 'sid', index);
    if (serialNo === '') throw new SmsCallbackFormatError(`status callback entry ${index}: empty sid`);
    const reportStatus = field(entry, 'report_status', index);
    if (reportStatus !== 'SUCCESS' && reportStatus !== 'FAIL') throw new SmsCallbackFormatError(`status callback entry ${index}: report_status must be SUCCESS or FAIL`);
    const nationcode = field(entry, 'nationcode', index).replace(/^\+/, '');
    const mobile = field(entry, 'mobile', index);
    if (!/^\d{1,4}$/.test(nationcode) || !/^\d{4,15}$/.test(mobile)) throw new SmsCallbackFormatError(`status callback entry ${index}: nationcode/mobile are not digits`);
    const report: SmsStatusReport = {
      serialNo,
      phone: `+${nationcode}${mobile}`,
      status: reportStatus === 'SUCCESS' ? 'DELIVERED' : 'FAILED',
      errmsg: field(entry, 'errmsg', index, false),
      description: field(entry, 'description', index, false),
      userReceiveTime: parseChinaDateTime(field(entry, 'user_receive_time', index, false)),
    };
    if (typeof entry.ext === 'string' && entry.ext !== '') report.sessionContext = entry.ext;
    return report;
  });
}
