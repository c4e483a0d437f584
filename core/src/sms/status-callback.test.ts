import { describe, expect, it } from 'vitest';
import { parseChinaDateTime, parseStatusCallback, SmsCallbackFormatError, STATUS_CALLBACK_ANSWER } from './status-callback.ts';

/** The documented sample (reference §5.4), with a real-looking number. */
const SAMPLE = [
  {
    user_receive_time: '2015-10-17 08:03:04',
    nationcode: '86',
    mobile: '13812345678',
    report_status: 'SUCCESS',
    errmsg: 'DELIVRD',
    description: '用户短信送达成功',
    sid: '2433:3369245',
  },
];

function errorOf(body: unknown): Error {
  try {
    parseStatusCallback(body);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a parse error');
}

describe('parseStatusCallback', () => {
  it('parses the documented sample into a DELIVERED report with E.164 phone and China-time receive instant', () => {
    expect(parseStatusCallback(SAMPLE)).toEqual([
      {
        serialNo: '2433:3369245',
        phone: '+8613812345678',
        status: 'DELIVERED',
        errmsg: 'DELIVRD',
        description: '用户短信送达成功',
        userReceiveTime: Date.parse('2015-10-17T08:03:04+08:00'),
      },
    ]);
  });

  it('takes the raw body as a string or Buffer, several reports per callback, and FAIL as FAILED', () => {
    const body = JSON.stringify([...SAMPLE, { ...SAMPLE[0], sid: '2433:3369246', mobile: '13912345678', report_status: 'FAIL', errmsg: 'MN:0001', description: '空号' }]);
    for (const raw of [body, Buffer.from(body)]) {
      const reports = parseStatusCallback(raw);
      expect(reports.map((r) => [r.serialNo, r.phone, r.status, r.errmsg])).toEqual([
        ['2433:3369245', '+8613812345678', 'DELIVERED', 'DELIVRD'],
        ['2433:3369246', '+8613912345678', 'FAILED', 'MN:0001'],
      ]);
    }
  });

  it('reads an echoed session context from a string `ext` when present', () => {
    expect(parseStatusCallback([{ ...SAMPLE[0], ext: 'notif-42' }])[0]?.sessionContext).toBe('notif-42');
    expect(parseStatusCallback(SAMPLE)[0]).not.toHaveProperty('sessionContext');
  });

  it('keeps a report whose receive time is missing or unreadable, with userReceiveTime null', () => {
    expect(parseStatusCallback([{ ...SAMPLE[0], user_receive_time: '' }])[0]?.userReceiveTime).toBeNull();
    expect(parseStatusCallback([{ ...SAMPLE[0], user_receive_time: '17/10/2015' }])[0]?.userReceiveTime).toBeNull();
  });

  it.each([
    ['not JSON', '{oops'],
    ['a number', 42],
    ['an entry that is not an object', [1]],
    ['no sid', [{ ...SAMPLE[0], sid: undefined }]],
    ['an unknown report_status', [{ ...SAMPLE[0], report_status: 'DELIVERED' }]],
    ['a mobile that is not digits', [{ ...SAMPLE[0], mobile: '138-1234-5678x' }]],
  ])('refuses %s with SmsCallbackFormatError and never quotes the number', (_name, body) => {
    const error = errorOf(body);
    expect(error).toBeInstanceOf(SmsCallbackFormatError);
    expect(error.message).not.toMatch(/1381234|5678/);
  });

  it('exposes the exact answer Tencent expects', () => {
    expect(JSON.stringify(STATUS_CALLBACK_ANSWER)).toBe('{"result":0,"errmsg":"OK"}');
  });
});

describe('parseChinaDateTime', () => {
  it('reads "yyyy-MM-dd HH:mm:ss" as UTC+8 regardless of the process time zone', () => {
    expect(parseChinaDateTime('2026-12-01 00:30:00')).toBe(Date.parse('2026-11-30T16:30:00Z'));
    expect(parseChinaDateTime('2026-12-01T00:30:00')).toBeNull();
  });
});
