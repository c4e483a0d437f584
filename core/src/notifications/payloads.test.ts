import { describe, expect, it } from 'vitest';
import { smsParams, subscribeData } from './payloads.ts';
import { formatFen, formatStart, type NotificationFacts, render, unknownVariables } from './variables.ts';

const facts: NotificationFacts = {
  storeName: '一家名字特别特别特别长的高端美发沙龙旗舰店',
  serviceName: '洗剪吹',
  startMs: Date.parse('2026-12-02T02:00:00Z'),
  timezone: 'Asia/Shanghai',
  amountFen: 5820,
  checkinCode: '042137',
  customerLabel: '顾客#7',
  count: 3,
  date: '2026-12-02',
};

describe('rendering merchant wording', () => {
  it('fills known variables in the store’s zone and keeps unknown ones visible', () => {
    expect(render('{storeName}｜{startTime}｜{amount}｜{checkinCode}｜{nope}', facts)).toBe(`${facts.storeName}｜12月02日 10:00｜¥58.20｜042137｜{nope}`);
    expect(unknownVariables('{storeName} {nope} {count} {x1}')).toEqual(['nope', 'x1']);
    expect(formatStart(Date.parse('2026-12-31T16:30:00Z'), 'Asia/Shanghai')).toBe('01月01日 00:30');
    expect(formatFen(1)).toBe('¥0.01');
    // A waitlist offer names its deadline; rows planned before the variable existed render it empty.
    expect(render('请在{deadline}前确认', { ...facts, deadlineMs: Date.parse('2026-12-02T01:15:00Z') })).toBe('请在12月02日 09:15前确认');
    expect(render('[{deadline}]', facts)).toBe('[]');
  });
});

describe('provider payloads', () => {
  it('gives each SMS template its parameters in order, short enough for Tencent', () => {
    expect(smsParams('REMINDER', facts)).toEqual(['一家名字特别特别特别长的', '洗剪吹', '12月02日 10:00']);
    expect(smsParams('REFUND_ISSUED', facts)).toEqual(['一家名字特别特别特别长的', '58.20', '1-3个工作日']);
    expect(smsParams('REVIEW_REQUEST', facts)).toHaveLength(2);
  });

  it('fits subscribe fields: thing ≤ 20 characters, time as a date-time, amount in yuan', () => {
    const data = subscribeData('REMINDER', facts, '备注'.repeat(15));
    expect([...data.thing2!].length).toBeLessThanOrEqual(20);
    expect([...data.thing4!].length).toBeLessThanOrEqual(20);
    expect(data.time3).toBe('2026年12月02日 10:00');
    expect(subscribeData('REFUND_ISSUED', facts, '').amount3).toBe('58.20元');
  });
});
