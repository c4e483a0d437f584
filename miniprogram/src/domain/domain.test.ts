import { describe, expect, it } from 'vitest';

import { ApiError, isTransient, kindOf, NETWORK } from './api-error';
import { answersPayload, validateAnswers, type FormField } from './booking-form';
import { actionsFor, splitBookings } from './booking-status';
import { formatDistance } from './distance';
import { formatFen } from './money';
import { nextFreeSlots, remainingFor, type Slot } from './slots';
import { addDays, formatLocalDateTime, localDateOf, localParts, partsAtOffset, upcomingDates } from './time';

describe('money', () => {
  it('formats fen as yuan without floats', () => {
    expect(formatFen(12800)).toBe('¥128');
    expect(formatFen(3005)).toBe('¥30.05');
    expect(formatFen(1)).toBe('¥0.01');
    expect(formatFen(-250)).toBe('-¥2.50');
  });
});

describe('distance', () => {
  it('uses metres below a kilometre and km with one decimal above', () => {
    expect(formatDistance(3)).toEqual({ unit: 'm', value: '10' });
    expect(formatDistance(846)).toEqual({ unit: 'm', value: '850' });
    expect(formatDistance(1351)).toEqual({ unit: 'km', value: '1.4' });
    expect(formatDistance(123_456)).toEqual({ unit: 'km', value: '123' });
  });
});

describe('store-local time', () => {
  const shanghai = 'Asia/Shanghai';
  it('takes the date in the store zone, not the phone zone', () => {
    // 2026-12-01T17:00Z is already 12-02 01:00 in Shanghai.
    expect(localDateOf(Date.parse('2026-12-01T17:00:00Z'), shanghai)).toBe('2026-12-02');
    expect(localDateOf(Date.parse('2026-12-01T17:00:00Z'), 'Europe/Berlin')).toBe('2026-12-01');
  });
  it('labels today, tomorrow, the day after and then weekdays', () => {
    const days = upcomingDates(Date.parse('2026-12-01T00:00:00Z'), shanghai, 5);
    expect(days.map((d) => d.label)).toEqual(['今天', '明天', '后天', '周五', '周六']);
    expect(days[0]).toEqual({ date: '2026-12-01', label: '今天', short: '12/01' });
  });
  it('crosses month and DST boundaries by calendar days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    const berlin = upcomingDates(Date.parse('2026-03-28T12:00:00Z'), 'Europe/Berlin', 3).map((d) => d.date);
    expect(berlin).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
  });
  it('without Intl time-zone data, fixed-offset zones still give the store-local calendar', () => {
    const instant = Date.parse('2026-12-01T17:30:00Z');
    expect(partsAtOffset(instant, 480)).toEqual({ ...localParts(instant, shanghai), weekday: 3 });
    expect(partsAtOffset(instant, 480)).toMatchObject({ year: 2026, month: 12, day: 2, hour: 1, minute: 30 });
  });
  it('formats an instant for people', () => {
    expect(formatLocalDateTime(Date.parse('2026-12-02T02:30:00Z'), shanghai)).toBe('12月2日 周三 10:30');
  });
});

describe('slots', () => {
  const slot = (time: string, remaining: number, resources: Slot['resources'] = []): Slot => ({
    startAt: `2026-12-02T${time}:00+08:00`,
    endAt: `2026-12-02T${time}:00+08:00`,
    localTime: time,
    remaining,
    resources,
  });
  it('offers the nearest free slots after a sold-out one', () => {
    const day = [slot('09:00', 2), slot('10:00', 0), slot('11:00', 1), slot('10:30', 3), slot('12:00', 1)];
    expect(nextFreeSlots(day, Date.parse('2026-12-02T10:00:00+08:00'), 2).map((s) => s.localTime)).toEqual(['10:30', '11:00']);
  });
  it('counts places of the chosen staff member only', () => {
    const s = slot('09:00', 2, [{ resourceId: 7, remaining: 1 }, { resourceId: 8, remaining: 0 }]);
    expect(remainingFor(s, null)).toBe(2);
    expect(remainingFor(s, 8)).toBe(0);
    expect(remainingFor(s, 9)).toBe(0);
  });
});

describe('booking status', () => {
  const now = Date.parse('2026-12-02T00:00:00Z');
  const b = (status: string, start: string, extra: object = {}) =>
    ({ status, startAt: start, endAt: start.replace('T10', 'T11'), amountDueFen: 0, checkinCode: null, ...extra }) as never;
  it('splits upcoming (soonest first) from past (newest first)', () => {
    const list = [b('CONFIRMED', '2026-12-05T10:00:00Z'), b('CANCELLED', '2026-12-06T10:00:00Z'), b('PENDING', '2026-12-03T10:00:00Z'), b('COMPLETED', '2026-11-20T10:00:00Z'), b('CONFIRMED', '2026-11-25T10:00:00Z')];
    const { upcoming, past } = splitBookings(list, now);
    expect(upcoming.map((x: { startAt: string }) => x.startAt)).toEqual(['2026-12-03T10:00:00Z', '2026-12-05T10:00:00Z']);
    expect(past.map((x: { status: string }) => x.status)).toEqual(['CANCELLED', 'CONFIRMED', 'COMPLETED']);
  });
  it('offers only the actions that can work', () => {
    const confirmed = actionsFor(b('CONFIRMED', '2026-12-05T10:00:00Z', { checkinCode: '123456' }), now, false);
    expect(confirmed).toMatchObject({ pay: false, reschedule: true, cancel: true, checkinCode: true, review: false });
    const unpaid = actionsFor(b('AWAITING_PAYMENT', '2026-12-05T10:00:00Z', { amountDueFen: 3000, payment: { status: 'CREATED' } }), now, false);
    expect(unpaid.pay).toBe(true);
    const started = actionsFor(b('CONFIRMED', '2026-12-01T10:00:00Z', { checkinCode: '123456' }), now, false);
    expect(started).toMatchObject({ reschedule: false, cancel: false });
    expect(actionsFor(b('COMPLETED', '2026-11-20T10:00:00Z'), now, false).review).toBe(true);
    expect(actionsFor(b('COMPLETED', '2026-11-20T10:00:00Z'), now, true).review).toBe(false);
  });
});

describe('api errors', () => {
  it('classifies what the user must be told', () => {
    expect(kindOf(new ApiError(409, 'SLOT_SOLD_OUT', 'x'))).toBe('sold_out');
    expect(kindOf(new ApiError(429, 'CUSTOMER_LIMIT_REACHED', 'x'))).toBe('customer_limit');
    expect(kindOf(new ApiError(429, 'SOMETHING_NEW', 'x'))).toBe('rate_limited');
    expect(kindOf(new ApiError(0, NETWORK, 'x'))).toBe('network');
    expect(kindOf(new ApiError(503, 'INVENTORY_REBUILDING', 'x'))).toBe('unavailable');
    expect(kindOf(new Error('x'))).toBe('other');
  });
  it('retries only what may succeed unchanged', () => {
    expect(isTransient(new ApiError(0, NETWORK, 'x'))).toBe(true);
    expect(isTransient(new ApiError(409, 'SLOT_SOLD_OUT', 'x'))).toBe(false);
  });
});

describe('booking form', () => {
  const fields: FormField[] = [
    { key: 'name', label: '称呼', type: 'text', required: true, maxLength: 10, pattern: 'chinese_name' },
    { key: 'phone', label: '联系电话', type: 'phone', required: false },
    { key: 'hair', label: '发长', type: 'choice', required: true, multiple: false, options: [{ key: 'short', label: '短发' }, { key: 'long', label: '长发' }] },
    { key: 'extras', label: '加项', type: 'choice', required: false, multiple: true, options: [{ key: 'a', label: 'A' }, { key: 'b', label: 'B' }], maxSelections: 1 },
    { key: 'age', label: '年龄', type: 'number', required: false, decimals: 0, min: 1, max: 120 },
    { key: 'terms', label: '服务须知', type: 'consent', required: true, text: '迟到 15 分钟视为爽约' },
  ];
  it('reports every problem at once, in Chinese', () => {
    const problems = validateAnswers(fields, { name: 'x', phone: '123', extras: ['a', 'b'], age: '200' });
    expect(problems).toEqual({
      name: '称呼格式不正确',
      phone: '请输入 11 位手机号',
      hair: '请选择发长',
      extras: '加项最多选择 1 项',
      age: '年龄不能大于 120',
      terms: '请阅读并同意服务须知',
    });
  });
  it('accepts a complete form and sends typed values only', () => {
    const answers = { name: ' 张三 ', phone: '+86 138-0013-8000', hair: 'long', extras: [], age: '30', terms: true };
    expect(validateAnswers(fields, answers)).toEqual({});
    expect(answersPayload(fields, answers)).toEqual({ name: '张三', phone: '+86 138-0013-8000', hair: 'long', age: 30, terms: true });
  });
});
