import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FormField, type FormFieldInput, FormFieldsSchema } from './definition.ts';
import { presentAnswers } from './present.ts';
import { openAnswers, sealAnswers } from './seal.ts';
import { validateAnswers } from './validate.ts';

const TODAY = '2026-12-01';
const ctx = { today: TODAY };
const define = (fields: FormFieldInput[]): { fields: FormField[] } => ({ fields: FormFieldsSchema.parse(fields) });

const form = define([
  { key: 'name', label: '姓名', type: 'text', required: true, minLength: 2, maxLength: 10 },
  { key: 'mobile', label: '联系电话', type: 'phone', required: true },
  { key: 'hair', label: '发质', type: 'choice', options: [{ key: 'dry', label: '干性' }, { key: 'oily', label: '油性' }] },
  {
    key: 'services',
    label: '附加项目',
    type: 'choice',
    multiple: true,
    minSelections: 1,
    maxSelections: 2,
    options: [{ key: 'wash', label: '洗发' }, { key: 'mask', label: '发膜' }, { key: 'massage', label: '按摩' }],
  },
  { key: 'birthday', label: '生日', type: 'date', min: { date: '1900-01-01' }, max: { relativeDays: 0 } },
  { key: 'visit', label: '到店日期', type: 'date', min: { relativeDays: 1 }, max: { relativeDays: 30 } },
  { key: 'age', label: '年龄', type: 'number', min: 0, max: 120 },
  { key: 'height', label: '身高', type: 'number', decimals: 1, min: 50, max: 250 },
  { key: 'agree', label: '知情同意', type: 'consent', text: '我已阅读并同意服务须知' },
  { key: 'photos', label: '参考图片', type: 'file', maxFiles: 2 },
  { key: 'plate', label: '车牌', type: 'text', pattern: 'cn_license_plate', maxLength: 10 },
]);

const valid = { name: '张三', mobile: '138 1234 5678', services: ['mask', 'wash'], agree: true };

function issuesOf(answers: unknown) {
  const result = validateAnswers(form, answers, ctx);
  return result.ok ? [] : result.issues;
}

describe('validateAnswers', () => {
  it('when the answers are valid, then the values come back normalised', () => {
    const result = validateAnswers(form, { ...valid, name: '  张三 ', hair: 'oily', age: 30, height: 172.5, photos: ['file_abcdefghijklmnop'], birthday: '1990-05-04', visit: '2026-12-02', plate: '沪A12345' }, ctx);
    expect(result).toEqual({
      ok: true,
      values: {
        name: '张三',
        mobile: '13812345678',
        hair: 'oily',
        services: ['wash', 'mask'],
        birthday: '1990-05-04',
        visit: '2026-12-02',
        age: 30,
        height: 172.5,
        agree: true,
        photos: ['file_abcdefghijklmnop'],
        plate: '沪A12345',
      },
    });
  });

  it.each([
    ['missing required text', { ...valid, name: undefined }, 'answers.name', '此项为必填项'],
    ['blank required text', { ...valid, name: '   ' }, 'answers.name', '此项为必填项'],
    ['text too short', { ...valid, name: '张' }, 'answers.name', '至少填写 2 个字'],
    ['text too long', { ...valid, name: '张'.repeat(11) }, 'answers.name', '最多填写 10 个字'],
    ['text not a string', { ...valid, name: 42 }, 'answers.name', '请填写文字'],
    ['pattern', { ...valid, plate: 'ABC' }, 'answers.plate', '车牌号格式不正确'],
    ['bad phone', { ...valid, mobile: '12345678901' }, 'answers.mobile', '请填写正确的手机号码'],
    ['landline', { ...valid, mobile: '021-64381234' }, 'answers.mobile', '请填写正确的手机号码'],
    ['unknown option', { ...valid, hair: 'curly' }, 'answers.hair', '请选择列表中的选项'],
    ['array for single choice', { ...valid, hair: ['dry'] }, 'answers.hair', '请选择列表中的选项'],
    ['too many choices', { ...valid, services: ['wash', 'mask', 'massage'] }, 'answers.services', '最多选择 2 项'],
    ['duplicate choices', { ...valid, services: ['wash', 'wash'] }, 'answers.services', '选项不能重复'],
    ['bad date', { ...valid, birthday: '1990-02-30' }, 'answers.birthday', '日期格式应为 YYYY-MM-DD'],
    ['date after today', { ...valid, birthday: '2026-12-02' }, 'answers.birthday', '日期不能晚于 2026-12-01'],
    ['relative min', { ...valid, visit: TODAY }, 'answers.visit', '日期不能早于 2026-12-02'],
    ['relative max', { ...valid, visit: '2027-01-01' }, 'answers.visit', '日期不能晚于 2026-12-31'],
    ['decimal for an integer', { ...valid, age: 30.5 }, 'answers.age', '请填写整数'],
    ['too many decimals', { ...valid, height: 172.55 }, 'answers.height', '最多保留 1 位小数'],
    ['number below min', { ...valid, age: -1 }, 'answers.age', '不能小于 0'],
    ['number above max', { ...valid, age: 121 }, 'answers.age', '不能大于 120'],
    ['numeric string', { ...valid, age: '30' }, 'answers.age', '请填写数字'],
    ['consent false', { ...valid, agree: false }, 'answers.agree', '请阅读并同意：我已阅读并同意服务须知'],
    ['consent missing', { ...valid, agree: undefined }, 'answers.agree', '请阅读并同意：我已阅读并同意服务须知'],
    ['consent as string', { ...valid, agree: 'true' }, 'answers.agree', '请阅读并同意：我已阅读并同意服务须知'],
    ['bad file token', { ...valid, photos: ['https://evil.example/x.png'] }, 'answers.photos', '文件无效，请重新上传'],
    ['too many files', { ...valid, photos: ['file_aaaaaaaaaaaaaaaa', 'file_bbbbbbbbbbbbbbbb', 'file_cccccccccccccccc'] }, 'answers.photos', '最多上传 2 个文件'],
    ['unknown key', { ...valid, extra: 'x' }, 'answers.extra', '表单中没有此项'],
  ])('when %s, then the field path carries the reason', (_name, answers, path, message) => {
    expect(issuesOf(answers)).toEqual([{ path, message }]);
  });

  it('when several fields are wrong, then each is reported once on its own path', () => {
    expect(issuesOf({ mobile: 'x', agree: false, zzz: 1 }).map((i) => i.path).sort()).toEqual(['answers.agree', 'answers.mobile', 'answers.name', 'answers.zzz']);
  });

  it('when the answers are not an object, then one issue names the whole', () => {
    expect(issuesOf([1])).toEqual([{ path: 'answers', message: '表单内容格式错误' }]);
    expect(issuesOf('x')).toEqual([{ path: 'answers', message: '表单内容格式错误' }]);
  });

  it('when a service has no form, then no answers pass and any key is unknown', () => {
    expect(validateAnswers(null, undefined, ctx)).toEqual({ ok: true, values: {} });
    expect(validateAnswers(null, { a: 1 }, ctx)).toEqual({ ok: false, issues: [{ path: 'answers.a', message: '表单中没有此项' }] });
  });

  it('when English is asked for, then the messages are English', () => {
    const result = validateAnswers(form, { ...valid, mobile: '1' }, { today: TODAY, locale: 'en' });
    expect(result).toEqual({ ok: false, issues: [{ path: 'answers.mobile', message: 'Enter a valid mainland mobile number' }] });
  });

  it('when a key is an inherited property name, then it is still unknown', () => {
    expect(issuesOf({ ...valid, constructor: 'x', toString: 'y' }).map((i) => i.path)).toEqual(['answers.constructor', 'answers.toString']);
    expect(issuesOf(JSON.parse(`${JSON.stringify(valid).slice(0, -1)},"__proto__":{"a":1}}`)).map((i) => i.path)).toEqual(['answers.__proto__']);
  });
});

describe('form definitions', () => {
  it.each([
    ['a bad key', [{ key: 'Name', label: 'x', type: 'phone' }]],
    ['duplicate keys', [{ key: 'a', label: 'x', type: 'phone' }, { key: 'a', label: 'y', type: 'phone' }]],
    ['duplicate option keys', [{ key: 'a', label: 'x', type: 'choice', options: [{ key: 'o', label: '1' }, { key: 'o', label: '2' }] }]],
    ['a free regex', [{ key: 'a', label: 'x', type: 'text', pattern: '^(a+)+$' }]],
    ['min above max', [{ key: 'a', label: 'x', type: 'number', min: 5, max: 1 }]],
    ['an optional consent', [{ key: 'a', label: 'x', type: 'consent', text: 't', required: false }]],
    ['an unknown type', [{ key: 'a', label: 'x', type: 'signature' }]],
    ['selection counts on a single choice', [{ key: 'a', label: 'x', type: 'choice', options: [{ key: 'o', label: '1' }], maxSelections: 1 }]],
  ])('when a merchant submits %s, then the definition is refused', (_name, fields) => {
    expect(FormFieldsSchema.safeParse(fields).success).toBe(false);
  });

  it('when a consent leaves out required, then it is required anyway', () => {
    expect(define([{ key: 'a', label: 'x', type: 'consent', text: 't' }]).fields[0]!.required).toBe(true);
  });
});

describe('sealing and presenting', () => {
  const keys = { keyId: 3, encryptionKey: Buffer.alloc(32, 7), indexKey: Buffer.alloc(32, 9) };

  it('when answers are sealed, then only the key holder reads them and equal answers have equal digests', () => {
    const a = sealAnswers(2, { b: 1, a: '13812345678' }, keys);
    const b = sealAnswers(2, { a: '13812345678', b: 1 }, keys);
    expect(a.sealed).not.toContain('13812345678');
    expect(a.sealed).not.toBe(b.sealed);
    expect(a.digest).toBe(b.digest);
    expect(openAnswers(a.sealed, keys)).toEqual({ a: '13812345678', b: 1 });
    expect(() => openAnswers(a.sealed, { ...keys, encryptionKey: Buffer.alloc(32, 8) })).toThrow();
    // Flip a bit of the ciphertext itself: swapping the last base64 character can touch only padding bits.
    const [keyId, payload] = a.sealed.split('.') as [string, string];
    const bytes = Buffer.from(payload, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    expect(() => openAnswers(`${keyId}.${bytes.toString('base64url')}`, keys)).toThrow();
  });

  it('when staff read answers, then phones are masked and labels come from the definition', () => {
    const values = { mobile: '13812345678', services: ['wash', 'mask'], agree: true, photos: ['file_abcdefghijklmnop'], gone: 'x' };
    const staff = presentAnswers(form.fields, values, { maskPhones: true, locale: 'zh-CN' });
    expect(staff).toEqual([
      { key: 'mobile', label: '联系电话', type: 'phone', value: '138****5678', display: '138****5678' },
      { key: 'services', label: '附加项目', type: 'choice', value: ['wash', 'mask'], display: '洗发、发膜' },
      { key: 'agree', label: '知情同意', type: 'consent', value: true, display: '已同意' },
      { key: 'photos', label: '参考图片', type: 'file', value: ['file_abcdefghijklmnop'], display: '1 个文件' },
    ]);
    expect(presentAnswers(form.fields, values, { maskPhones: false, locale: 'zh-CN' })[0]!.value).toBe('13812345678');
  });
});

// ---- properties ----

const keyArb = fc.stringMatching(/^[a-z][a-z0-9_]{0,31}$/);
const optionKeys = fc.uniqueArray(keyArb, { minLength: 1, maxLength: 6 });

/** A field definition plus a generator of valid answers for it and of single-rule violations. */
interface Case {
  field: FormFieldInput;
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<unknown>;
}

const cases = (key: string): fc.Arbitrary<Case> =>
  fc.oneof(
    fc.record({ min: fc.integer({ min: 0, max: 5 }), extra: fc.integer({ min: 0, max: 20 }), required: fc.boolean() }).map(({ min, extra, required }) => ({
      field: { key, label: '文本', type: 'text' as const, required, minLength: min, maxLength: Math.max(1, min + extra) },
      valid: fc.string({ unit: fc.constantFrom('a', '中', 'Z', '1'), minLength: Math.max(min, required ? 1 : 0), maxLength: Math.max(1, min + extra) }),
      invalid: fc.constant('中'.repeat(Math.max(1, min + extra) + 1)),
    })),
    fc.constant(null).map(() => ({
      field: { key, label: '手机', type: 'phone' as const, required: true },
      valid: fc.tuple(fc.constantFrom('3', '5', '8', '9'), fc.stringMatching(/^\d{9}$/)).map(([d, rest]) => `1${d}${rest}`),
      invalid: fc.stringMatching(/^1[0-2]\d{9}$/),
    })),
    optionKeys.chain((keys) =>
      fc.integer({ min: 1, max: keys.length }).map((max) => ({
        field: { key, label: '多选', type: 'choice' as const, required: true, multiple: true, maxSelections: max, options: keys.map((k) => ({ key: k, label: k })) },
        valid: fc.shuffledSubarray(keys, { minLength: 1, maxLength: max }),
        invalid: max < keys.length ? fc.constant(keys) : fc.constant([...keys, 'zz_not_an_option']),
      })),
    ),
    fc.record({ lo: fc.integer({ min: -30, max: 0 }), span: fc.integer({ min: 0, max: 400 }) }).map(({ lo, span }) => ({
      field: { key, label: '日期', type: 'date' as const, required: true, min: { relativeDays: lo }, max: { relativeDays: lo + span } },
      valid: fc.integer({ min: lo, max: lo + span }).map((d) => new Date(Date.parse(`${TODAY}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10)),
      invalid: fc.integer({ min: lo + span + 1, max: lo + span + 400 }).map((d) => new Date(Date.parse(`${TODAY}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10)),
    })),
    fc.record({ decimals: fc.integer({ min: 0, max: 3 }), min: fc.integer({ min: -1000, max: 1000 }), span: fc.integer({ min: 0, max: 5000 }) }).map(({ decimals, min, span }) => {
      const scale = 10 ** decimals;
      return {
        field: { key, label: '数字', type: 'number' as const, required: true, decimals, min, max: min + span },
        valid: fc.integer({ min: min * scale, max: (min + span) * scale }).map((n) => Number((n / scale).toFixed(decimals))),
        invalid: fc.integer({ min: 1, max: 1000 }).map((n) => min + span + n),
      };
    }),
    fc.constant(null).map(() => ({
      field: { key, label: '同意', type: 'consent' as const, text: '同意条款' },
      valid: fc.constant(true),
      invalid: fc.constantFrom(false, 'true', 1, null),
    })),
    fc.integer({ min: 1, max: 4 }).map((maxFiles) => ({
      field: { key, label: '文件', type: 'file' as const, required: true, maxFiles },
      valid: fc.uniqueArray(fc.stringMatching(/^file_[0-9A-Za-z]{16,24}$/), { minLength: 1, maxLength: maxFiles }),
      invalid: fc.constant(Array.from({ length: maxFiles + 1 }, (_, i) => `file_${String(i).padStart(16, '0')}`)),
    })),
  );

const formArb = fc.uniqueArray(keyArb, { minLength: 1, maxLength: 8 }).chain((keys) => fc.tuple(...keys.map((k) => cases(k))));

describe('properties', () => {
  it('valid generated answers always pass', () => {
    fc.assert(
      fc.property(
        formArb.chain((cs) => fc.tuple(fc.constant(cs), fc.tuple(...cs.map((c) => c.valid)))),
        ([cs, answers]) => {
          const definition = define(cs.map((c) => c.field));
          const given = Object.fromEntries(cs.map((c, i) => [c.field.key, answers[i]]));
          const result = validateAnswers(definition, given, ctx);
          expect(result.ok ? [] : result.issues).toEqual([]);
        },
      ),
    );
  });

  it('any single rule violation is reported on its field path, and only there', () => {
    fc.assert(
      fc.property(
        formArb.chain((cs) => fc.tuple(fc.constant(cs), fc.tuple(...cs.map((c) => c.valid)), fc.nat(cs.length - 1)).chain(([c, v, broken]) => fc.tuple(fc.constant(c), fc.constant(v), fc.constant(broken), c[broken]!.invalid))),
        ([cs, answers, broken, bad]) => {
          const definition = define(cs.map((c) => c.field));
          const given: Record<string, unknown> = Object.fromEntries(cs.map((c, i) => [c.field.key, answers[i]]));
          given[cs[broken]!.field.key] = bad;
          const result = validateAnswers(definition, given, ctx);
          expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual([`answers.${cs[broken]!.field.key}`]);
        },
      ),
    );
  });

  it('unknown keys are refused, each on its own path', () => {
    fc.assert(
      fc.property(
        formArb.chain((cs) => fc.tuple(fc.constant(cs), fc.tuple(...cs.map((c) => c.valid)), fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 3 }))),
        ([cs, answers, extra]) => {
          const known = new Set(cs.map((c) => c.field.key));
          const unknown = extra.filter((k) => !known.has(k));
          fc.pre(unknown.length > 0);
          const given: Record<string, unknown> = Object.fromEntries(cs.map((c, i) => [c.field.key, answers[i]]));
          // defineProperty, so "__proto__" becomes an own key as JSON.parse makes it (plain assignment would set the prototype).
          for (const k of unknown) Object.defineProperty(given, k, { value: 'x', enumerable: true, configurable: true, writable: true });
          const result = validateAnswers(define(cs.map((c) => c.field)), given, ctx);
          expect(result.ok ? [] : result.issues.map((i) => i.path).sort()).toEqual(unknown.map((k) => `answers.${k}`).sort());
        },
      ),
    );
  });
});
