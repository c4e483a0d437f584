import { describe, expect, it } from 'vitest';
import {
  ELLIPSIS,
  type FieldKind,
  fitField,
  fitTemplateData,
  formatAmountFen,
  formatDateValue,
  formatTimeRange,
  formatTimeValue,
  keywordKind,
  truncateCodePoints,
} from './fields.ts';

const length = (value: string) => Array.from(value).length;

function fitted(kind: FieldKind, value: string): string {
  const result = fitField(kind, value);
  if (!result.ok) throw new Error(`expected ${kind} ${JSON.stringify(value)} to fit, got ${result.error.message}`);
  return result.value;
}

function errorOf(kind: FieldKind, value: string) {
  const result = fitField(kind, value);
  if (result.ok) throw new Error(`expected ${kind} ${JSON.stringify(value)} to be refused, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('thing (≤ 20 characters, cut with …)', () => {
  it('keeps text up to 20 code points as it is', () => {
    const twenty = '一二三四五六七八九十一二三四五六七八九十';
    expect(fitField('thing', twenty)).toStrictEqual({ ok: true, value: twenty, truncated: false });
    expect(fitted('thing', '瑜伽私教课')).toBe('瑜伽私教课');
    expect(fitted('thing', 'Deep tissue massage 60')).toBe('Deep tissue massage…');
  });

  it('cuts longer text to 19 code points plus …', () => {
    const result = fitField('thing', '瑜伽私教课（含器械使用与淋浴间）附赠营养咨询一次');
    expect(result).toStrictEqual({ ok: true, value: '瑜伽私教课（含器械使用与淋浴间）附赠营…', truncated: true });
    expect(length(fitted('thing', 'x'.repeat(100)))).toBe(20);
  });

  it('counts code points, so an astral character counts once', () => {
    const twentyEmoji = '😀'.repeat(20);
    expect(twentyEmoji.length).toBe(40);
    expect(fitted('thing', twentyEmoji)).toBe(twentyEmoji);
    const cut = fitted('thing', '😀'.repeat(21));
    expect(length(cut)).toBe(20);
    expect(cut.endsWith(`😀${ELLIPSIS}`)).toBe(true);
    // 𠮷 (U+20BB7) is one Han character in two UTF-16 units.
    expect(fitted('thing', '𠮷'.repeat(20))).toBe('𠮷'.repeat(20));
  });

  it('never splits a grapheme cluster (ZWJ family, flag) when cutting', () => {
    const family = '👨‍👩‍👧'; // 5 code points
    const value = 'a'.repeat(16) + family + 'tail';
    const cut = fitted('thing', value);
    expect(cut).toBe('a'.repeat(16) + ELLIPSIS);
    expect(length(cut)).toBeLessThanOrEqual(20);
    expect(fitted('thing', 'b'.repeat(18) + '🇨🇳🇨🇳')).toBe('b'.repeat(18) + ELLIPSIS);
  });

  it('collapses whitespace and drops control characters before counting', () => {
    expect(fitted('thing', '  剪发\n\t+  洗护 ')).toBe('剪发 + 洗护');
    expect(fitted('thing', 'a\u0000b')).toBe('ab');
    expect(fitted('thing', `${'长'.repeat(19)}   尾巴`)).toBe(`${'长'.repeat(19)}${ELLIPSIS}`);
  });

  it('does not leave a space before the …', () => {
    expect(fitted('thing', `${'a'.repeat(18)} bcdef`)).toBe(`${'a'.repeat(18)}${ELLIPSIS}`);
  });
});

describe('empty values', () => {
  it.each(['thing', 'number', 'time', 'amount', 'name', 'phrase', 'enum'] as const)('refuses an empty or blank %s', (kind) => {
    expect(errorOf(kind, '')).toMatchObject({ kind, code: 'EMPTY' });
    expect(errorOf(kind, ' \n ')).toMatchObject({ kind, code: 'EMPTY' });
  });
});

describe('number (≤ 32 digits, decimals ok)', () => {
  it.each(['0', '42', '3.14', '0012', '9'.repeat(32), `${'1'.repeat(30)}.5`])('accepts %s', (value) => {
    expect(fitted('number', value)).toBe(value);
  });
  it.each(['-1', '+1', '1,000', '1.2.3', '.5', '5.', '12a', '１２'])('refuses %s as INVALID_FORMAT', (value) => {
    expect(errorOf('number', value).code).toBe('INVALID_FORMAT');
  });
  it('refuses 33 characters (the point counts) as TOO_LONG', () => {
    expect(errorOf('number', '9'.repeat(33))).toMatchObject({ code: 'TOO_LONG', limit: 32, length: 33 });
    expect(errorOf('number', `${'1'.repeat(31)}.5`)).toMatchObject({ code: 'TOO_LONG', length: 33 });
  });
});

describe('letter (≤ 32 letters)', () => {
  it('accepts ASCII letters only', () => {
    expect(fitted('letter', 'VIP')).toBe('VIP');
    expect(fitted('letter', 'a'.repeat(32))).toBe('a'.repeat(32));
    expect(errorOf('letter', 'a'.repeat(33))).toMatchObject({ code: 'TOO_LONG', limit: 32 });
    expect(errorOf('letter', 'VIP1').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('letter', 'café').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('letter', 'two words').code).toBe('INVALID_CHARACTERS');
  });
});

describe('symbol (≤ 5 symbols)', () => {
  it('accepts ASCII punctuation up to 5', () => {
    expect(fitted('symbol', '#')).toBe('#');
    expect(fitted('symbol', '+-*/%')).toBe('+-*/%');
    expect(fitted('symbol', '`~')).toBe('`~');
    expect(errorOf('symbol', '!!!!!!')).toMatchObject({ code: 'TOO_LONG', limit: 5, length: 6 });
    expect(errorOf('symbol', 'a').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('symbol', '，').code).toBe('INVALID_CHARACTERS');
  });
});

describe('character_string (≤ 32 digits, letters, symbols)', () => {
  it('accepts booking numbers, including a ULID with store id', () => {
    expect(fitted('character_string', 'BK20261201001')).toBe('BK20261201001');
    const bookingId = '01JD5X8Q4R2M3N4P5Q6R7S8T9V-12345';
    expect(bookingId).toHaveLength(32);
    expect(fitted('character_string', bookingId)).toBe(bookingId);
  });
  it('refuses 33 characters rather than cutting an identifier', () => {
    expect(errorOf('character_string', 'A'.repeat(33))).toMatchObject({ code: 'TOO_LONG', limit: 32, length: 33 });
  });
  it('refuses Chinese, spaces and full-width characters', () => {
    expect(errorOf('character_string', '订单123').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('character_string', 'AB 12').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('character_string', 'ＡＢ12').code).toBe('INVALID_CHARACTERS');
  });
});

describe('time (24-hour time, optional date, ranges with ~)', () => {
  it.each([
    '15:01',
    '9:05',
    '00:00',
    '23:59',
    '2026年12月02日 10:00',
    '2019年10月1日 15:01',
    '2026年12月02日10:00',
    '2026-12-02 10:00',
    '10:00~11:30',
    '2026年12月02日 10:00~11:30',
    '2026年12月31日 23:00~2027年1月1日 01:00',
  ])('accepts %s', (value) => {
    expect(fitted('time', value)).toBe(value);
  });
  it('normalises spaces around ~ and runs of whitespace', () => {
    expect(fitted('time', '2026年12月02日   10:00 ~ 11:30')).toBe('2026年12月02日 10:00~11:30');
  });
  it.each([
    '24:00',
    '10:60',
    '3pm',
    '10:00:00',
    '10点',
    '2026年12月02日',
    '2026年13月02日 10:00',
    '2026年2月30日 10:00',
    '2026/12/02 10:00',
    '10:00~11:00~12:00',
    '10:00~',
  ])('refuses %s as INVALID_FORMAT', (value) => {
    expect(errorOf('time', value).code).toBe('INVALID_FORMAT');
  });
});

describe('date (date, optional time)', () => {
  it.each(['2026年12月02日', '2026年2月28日', '2028年2月29日', '2026-12-02', '2026年12月02日 10:00', '2026年12月02日~2026年12月05日'])('accepts %s', (value) => {
    expect(fitted('date', value)).toBe(value);
  });
  it.each(['10:00', '2026年2月29日', '12月02日', '2026-12-2', 'tomorrow'])('refuses %s as INVALID_FORMAT', (value) => {
    expect(errorOf('date', value).code).toBe('INVALID_FORMAT');
  });
});

describe('amount (currency symbol + ≤ 10 digits, decimals, optional 元)', () => {
  it.each(['88.00元', '¥88.00', '￥88', '88', '$12.50', '¥88.00元', '0.01元', '99999999.99元'])('accepts %s', (value) => {
    expect(fitted('amount', value)).toBe(value);
  });
  it('counts decimals toward the 10 digits', () => {
    expect(errorOf('amount', '999999999.99元')).toMatchObject({ code: 'TOO_LONG', limit: 10, length: 11 });
    expect(errorOf('amount', '12345678901')).toMatchObject({ code: 'TOO_LONG' });
  });
  it.each(['88.00.00元', '¥¥88', '1,000.00元', '-5元', '元88', '八十八元', '88.00 元', 'RMB88'])('refuses %s as INVALID_FORMAT', (value) => {
    expect(errorOf('amount', value).code).toBe('INVALID_FORMAT');
  });
});

describe('phone_number (≤ 17 digits and symbols)', () => {
  it('accepts plain and formatted numbers', () => {
    expect(fitted('phone_number', '13812345678')).toBe('13812345678');
    expect(fitted('phone_number', '+86-0766-66888866')).toBe('+86-0766-66888866');
    expect(fitted('phone_number', '021-6088****')).toBe('021-6088****');
  });
  it('refuses 18 characters, letters, spaces and symbol-only values', () => {
    expect(errorOf('phone_number', '+86-0766-668888666')).toMatchObject({ code: 'TOO_LONG', limit: 17, length: 18 });
    expect(errorOf('phone_number', '400-ZHIYUE').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('phone_number', '138 1234 5678').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('phone_number', '---').code).toBe('INVALID_FORMAT');
  });
});

describe('car_number (≤ 8, Chinese only first and last)', () => {
  it.each(['粤A8Z888挂', '沪AD12345', 'WJ12345', '京A12345'])('accepts %s', (value) => {
    expect(fitted('car_number', value)).toBe(value);
  });
  it('refuses 9 characters and Chinese in the middle', () => {
    expect(errorOf('car_number', '沪AD123456')).toMatchObject({ code: 'TOO_LONG', limit: 8, length: 9 });
    expect(errorOf('car_number', '粤A汉888').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('car_number', '粤A-88888').code).toBe('INVALID_CHARACTERS');
  });
});

describe('name (≤ 10 Chinese or ≤ 20 letters, cut with …)', () => {
  it('keeps short names', () => {
    expect(fitted('name', '王小明')).toBe('王小明');
    expect(fitted('name', '阿依古丽·买买提')).toBe('阿依古丽·买买提');
    expect(fitted('name', 'Anna Lee')).toBe('Anna Lee');
    expect(fitted('name', 'Li Lei')).toBe('Li Lei');
  });
  it('cuts a Chinese name to 10, a Latin one to 20', () => {
    expect(fitField('name', '欧阳一二三四五六七八九')).toStrictEqual({ ok: true, value: '欧阳一二三四五六七…', truncated: true });
    expect(fitted('name', '十个字的名字刚刚好啊')).toBe('十个字的名字刚刚好啊');
    expect(fitted('name', 'Maximilian Alexander Smith')).toBe('Maximilian Alexande…');
    expect(length(fitted('name', 'Maximilian Alexander Smith'))).toBe(20);
  });
  it('counts a name mixing Chinese and letters as Chinese (≤ 10)', () => {
    expect(fitted('name', '小王Tony')).toBe('小王Tony');
    expect(fitted('name', '王Alexander')).toBe('王Alexander');
    expect(fitted('name', '王Alexanders')).toBe('王Alexande…');
  });
  it('refuses digits and emoji', () => {
    expect(errorOf('name', '小王123').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('name', 'Tony😀').code).toBe('INVALID_CHARACTERS');
  });
});

describe('phrase (≤ 5 Chinese characters, never cut)', () => {
  it('accepts status words and refuses others', () => {
    expect(fitted('phrase', '已取消')).toBe('已取消');
    expect(fitted('phrase', '等待确认中')).toBe('等待确认中');
    expect(errorOf('phrase', '等待商家确认')).toMatchObject({ code: 'TOO_LONG', limit: 5, length: 6 });
    expect(errorOf('phrase', '已取消!').code).toBe('INVALID_CHARACTERS');
    expect(errorOf('phrase', 'OK').code).toBe('INVALID_CHARACTERS');
  });
});

describe('enum', () => {
  it('passes any non-empty value on (WeChat checks the configured values)', () => {
    expect(fitted('enum', '已预约')).toBe('已预约');
  });
});

describe('keywordKind', () => {
  it.each([
    ['thing1', 'thing'],
    ['thing12', 'thing'],
    ['character_string3', 'character_string'],
    ['phone_number7', 'phone_number'],
    ['car_number2', 'car_number'],
    ['amount10', 'amount'],
    ['phrase4', 'phrase'],
  ] as const)('%s → %s', (key, kind) => {
    expect(keywordKind(key)).toBe(kind);
  });
  it.each(['thing', '1thing', 'Thing1', 'widget1', 'thing_1', ''])('%s → null', (key) => {
    expect(keywordKind(key)).toBeNull();
  });
});

describe('fitTemplateData', () => {
  it('fits every keyword by its kind and lists what was cut', () => {
    const result = fitTemplateData({
      thing1: '瑜伽私教课（含器械使用与淋浴间）附赠营养咨询一次',
      time2: '2026年12月02日 10:00',
      character_string3: 'BK20261201001',
      amount4: formatAmountFen(8800),
    });
    expect(result).toStrictEqual({
      ok: true,
      data: { thing1: '瑜伽私教课（含器械使用与淋浴间）附赠营…', time2: '2026年12月02日 10:00', character_string3: 'BK20261201001', amount4: '88.00元' },
      truncated: ['thing1'],
    });
  });
  it('reports every unfit keyword', () => {
    const result = fitTemplateData({ thing1: 'ok', number2: 'twelve', phrase3: '等待商家确认' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['number2', 'phrase3']);
    expect(result.errors.number2).toMatchObject({ kind: 'number', code: 'INVALID_FORMAT' });
  });
  it('passes keywords of unknown kinds on unchanged', () => {
    expect(fitTemplateData({ widget1: ' as is ' })).toStrictEqual({ ok: true, data: { widget1: ' as is ' }, truncated: [] });
  });
});

describe('truncateCodePoints', () => {
  it('is a no-op at or under the limit', () => {
    expect(truncateCodePoints('abc', 3)).toStrictEqual({ value: 'abc', truncated: false });
    expect(truncateCodePoints('abcd', 3)).toStrictEqual({ value: `ab${ELLIPSIS}`, truncated: true });
  });
});

describe('formatAmountFen', () => {
  it.each([
    [0, '0.00元'],
    [1, '0.01元'],
    [10, '0.10元'],
    [8800, '88.00元'],
    [12345, '123.45元'],
    [9_999_999_999, '99999999.99元'],
  ])('%i fen → %s', (fen, text) => {
    expect(formatAmountFen(fen)).toBe(text);
    expect(fitted('amount', text)).toBe(text);
  });
  it('can lead with the currency symbol instead', () => {
    expect(formatAmountFen(8800, { symbol: '¥' })).toBe('¥88.00');
    expect(fitted('amount', formatAmountFen(8800, { symbol: '¥' }))).toBe('¥88.00');
  });
  it('refuses fractions of a fen, negatives and more than 10 digits', () => {
    expect(() => formatAmountFen(1.5)).toThrow(RangeError);
    expect(() => formatAmountFen(-100)).toThrow(RangeError);
    expect(() => formatAmountFen(10_000_000_000)).toThrow(RangeError);
  });
});

describe('time formatting', () => {
  // 2026-12-02 10:00 in Shanghai (UTC+8).
  const start = Date.parse('2026-12-02T02:00:00Z');
  it('formats an instant in the store time zone', () => {
    expect(formatTimeValue(start, 'Asia/Shanghai')).toBe('2026年12月02日 10:00');
    expect(formatTimeValue(start, 'UTC')).toBe('2026年12月02日 02:00');
    expect(formatDateValue('2026-01-05')).toBe('2026年01月05日');
    expect(() => formatDateValue('2026-1-5')).toThrow(RangeError);
  });
  it('formats a range, repeating the date only across midnight', () => {
    const sameDay = formatTimeRange(start, start + 90 * 60_000, 'Asia/Shanghai');
    expect(sameDay).toBe('2026年12月02日 10:00~11:30');
    const overnight = formatTimeRange(start + 13 * 3_600_000, start + 15 * 3_600_000, 'Asia/Shanghai');
    expect(overnight).toBe('2026年12月02日 23:00~2026年12月03日 01:00');
    expect(fitted('time', sameDay)).toBe(sameDay);
    expect(fitted('time', overnight)).toBe(overnight);
  });
});
