import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { createStaffUser } from '../../db/src/repositories/catalog-admin.repository.ts';
import { type ClassFixture, createClassStudio, createSalon, type SalonFixture } from '../../db/testing/fixtures.ts';
import { startTestStack, type TestStack, waitForOutcome } from '../testing/test-stack.ts';

let stack: TestStack;
let salon: SalonFixture;
let studio: ClassFixture;
let owner: string;
let frontDesk: string;
let otherOwner: string;
let alice: string;

const DAY = '2026-12-02';
const at = (hhmm: string) => `${DAY}T${hhmm}:00+08:00`;
const PHONE = '13912345678';
const MARKER = '对花粉过敏-独特标记';
let n = 0;
const key = () => `forms-key-${String(++n).padStart(6, '0')}`;

const FORM_V1 = [
  { key: 'contact', label: '联系电话', type: 'phone', required: true, help: '用于到店前联系' },
  { key: 'allergy', label: '过敏情况', type: 'text', maxLength: 50 },
  { key: 'extras', label: '附加项目', type: 'choice', multiple: true, maxSelections: 2, options: [{ key: 'wash', label: '洗发' }, { key: 'mask', label: '发膜' }, { key: 'massage', label: '头部按摩' }] },
  { key: 'agree', label: '服务须知', type: 'consent', text: '我已阅读并同意《服务须知》' },
];
const VALID = { contact: PHONE, allergy: MARKER, extras: ['mask', 'wash'], agree: true };

function book(token: string, startAt: string, answers: unknown, idempotencyKey = key()) {
  return stack.request('POST', '/v1/bookings', {
    token,
    headers: { 'idempotency-key': idempotencyKey },
    body: { storeId: salon.storeId, serviceId: salon.haircutId, startAt, ...(answers === undefined ? {} : { answers }) },
  });
}

/** Every key of the salon's store tag, and the MySQL rows a booking would add. */
async function footprint() {
  const tag = `{s:${salon.storeId}}`;
  const keys = (await stack.env.redis.keys(`${stack.env.prefix}:${tag}:*`)).sort();
  const holds = await stack.env.redis.zcard(stack.env.keys.store(salon.storeId).holds);
  const stream = await stack.env.redis.xlen(stack.env.keys.store(salon.storeId).intents);
  const bookings = Number((await stack.env.db.selectFrom('bookings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const answers = Number((await stack.env.db.selectFrom('booking_answers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { keys, holds, stream, bookings, answers };
}

/** Every value under this stack's Redis prefix, as text (strings, hashes, lists, sets, sorted sets, streams). */
async function dumpRedis(): Promise<string> {
  const redis = stack.env.redis;
  const out: string[] = [];
  for (const k of await redis.keys(`${stack.env.prefix}*`)) {
    const type = await redis.type(k);
    if (type === 'string') out.push(k, String(await redis.get(k)));
    else if (type === 'hash') out.push(k, ...Object.entries(await redis.hgetall(k)).flat());
    else if (type === 'list') out.push(k, JSON.stringify(await redis.lrange(k, 0, -1)));
    else if (type === 'set') out.push(k, JSON.stringify(await redis.smembers(k)));
    else if (type === 'zset') out.push(k, JSON.stringify(await redis.zrange(k, '0', '-1')));
    else if (type === 'stream') out.push(k, ...(await redis.xrange(k, '-', '+')).flatMap(([, fields]) => fields));
  }
  return out.join('\n');
}

beforeAll(async () => {
  stack = await startTestStack('forms');
  const now = stack.env.clock.now();
  salon = await createSalon(stack.env.db, now, { stylists: 3, perCustomerDailyLimit: 20 });
  studio = await createClassStudio(stack.env.db, now, { capacity: 5 });
  for (const storeId of [salon.storeId, studio.storeId]) await materializeStore(stack.env, storeId);
  const passwordHash = await hashPassword('pw-123456');
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: null, username: 'f-owner', displayName: 'o', passwordHash, role: 'owner' }, now);
  await createStaffUser(stack.env.db, { merchantId: salon.merchantId, storeId: salon.storeId, username: 'f-front', displayName: 's', passwordHash, role: 'staff' }, now);
  await createStaffUser(stack.env.db, { merchantId: studio.merchantId, storeId: null, username: 'f-other', displayName: 'o', passwordHash, role: 'owner' }, now);
  owner = await stack.staffLogin('f-owner', 'pw-123456');
  frontDesk = await stack.staffLogin('f-front', 'pw-123456');
  otherOwner = await stack.staffLogin('f-other', 'pw-123456');
  alice = await stack.login('form-alice');
});

afterAll(async () => {
  await stack?.stop();
});

describe('defining a form', () => {
  it('when the owner saves a form, then merchant and mini program read the same version, and the routes are documented', async () => {
    const none = await stack.request('GET', `/v1/stores/${salon.storeId}/services/${salon.haircutId}/booking-form`);
    expect(none.body).toEqual({ serviceId: salon.haircutId, version: 0, fields: [], updatedAt: null });

    const saved = await stack.request('PUT', `/v1/merchant/services/${salon.haircutId}/booking-form`, { token: owner, body: { fields: FORM_V1 } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ serviceId: salon.haircutId, version: 1 });
    expect(saved.body.fields[3]).toEqual({ ...FORM_V1[3], required: true });

    const merchant = await stack.request('GET', `/v1/merchant/services/${salon.haircutId}/booking-form`, { token: owner });
    const publicForm = await stack.request('GET', `/v1/stores/${salon.storeId}/services/${salon.haircutId}/booking-form`);
    expect(merchant.body).toEqual(saved.body);
    expect(publicForm.body).toEqual(saved.body);

    const doc = (await stack.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/merchant/services/{id}/booking-form', '/v1/stores/{id}/services/{serviceId}/booking-form']));
    expect(doc.paths['/v1/merchant/services/{id}/booking-form'].put.responses).toHaveProperty('200');
  });

  it('when a definition is broken, then 400 with reasons and no new version', async () => {
    const bad = await stack.request('PUT', `/v1/merchant/services/${salon.haircutId}/booking-form`, {
      token: owner,
      body: { fields: [{ key: 'Bad Key', label: 'x', type: 'text' }, { key: 'p', label: 'x', type: 'text', pattern: '(a+)+$' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining(['body.fields.0.key', 'body.fields.1.pattern']));
    expect((await stack.request('GET', `/v1/merchant/services/${salon.haircutId}/booking-form`, { token: owner })).body.version).toBe(1);
  });

  it('when another tenant or a front-desk account reads or edits the form, then it is refused like a missing service', async () => {
    const read = await stack.request('GET', `/v1/merchant/services/${salon.haircutId}/booking-form`, { token: otherOwner });
    expect([read.status, read.body.error.code]).toEqual([400, 'SERVICE_NOT_FOUND']);
    const missing = await stack.request('GET', `/v1/merchant/services/999999/booking-form`, { token: otherOwner });
    expect([missing.status, missing.body.error.code]).toEqual([400, 'SERVICE_NOT_FOUND']);
    const edit = await stack.request('PUT', `/v1/merchant/services/${salon.haircutId}/booking-form`, { token: otherOwner, body: { fields: [] } });
    expect([edit.status, edit.body.error.code]).toEqual([400, 'SERVICE_NOT_FOUND']);
    const staff = await stack.request('PUT', `/v1/merchant/services/${salon.haircutId}/booking-form`, { token: frontDesk, body: { fields: [] } });
    expect([staff.status, staff.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const wrongStore = await stack.request('GET', `/v1/stores/${studio.storeId}/services/${salon.haircutId}/booking-form`);
    expect([wrongStore.status, wrongStore.body.error.code]).toEqual([400, 'SERVICE_NOT_FOUND']);
    expect((await stack.request('GET', `/v1/merchant/services/${salon.haircutId}/booking-form`, { token: owner })).body.version).toBe(1);
  });
});

describe('booking with answers', () => {
  let bookingId: string;

  it('when the answers are valid, then the booking is confirmed with them: full for the customer, phone masked for staff, sealed in MySQL', async () => {
    const response = await book(alice, at('10:00'), VALID);
    expect(response.status).toBe(202);
    bookingId = response.body.bookingId;
    const outcome = await waitForOutcome(stack, alice, bookingId);
    expect(outcome.status).toBe('CONFIRMED');
    expect(outcome.answers).toEqual([
      { key: 'contact', label: '联系电话', type: 'phone', value: PHONE, display: PHONE },
      { key: 'allergy', label: '过敏情况', type: 'text', value: MARKER, display: MARKER },
      { key: 'extras', label: '附加项目', type: 'choice', value: ['wash', 'mask'], display: '洗发、发膜' },
      { key: 'agree', label: '服务须知', type: 'consent', value: true, display: '已同意' },
    ]);

    const staffView = await stack.request('GET', `/v1/merchant/bookings/${bookingId}`, { token: frontDesk });
    expect(staffView.status).toBe(200);
    expect(staffView.body.answers[0]).toEqual({ key: 'contact', label: '联系电话', type: 'phone', value: '139****5678', display: '139****5678' });
    expect(JSON.stringify(staffView.body)).not.toContain(PHONE);
    expect((await stack.request('GET', `/v1/merchant/bookings/${bookingId}`, { token: otherOwner })).status).toBe(404);

    const row = await stack.env.db.selectFrom('booking_answers').selectAll().where('booking_id', '=', bookingId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ service_id: salon.haircutId, form_version: 1 });
    expect(row.sealed).not.toContain(PHONE);
    expect(row.sealed).not.toContain('过敏');
    // Moved into MySQL: the Redis copy is gone.
    expect(await stack.env.redis.exists(stack.env.keys.store(salon.storeId).answers(bookingId))).toBe(0);
  });

  it('when the same request is replayed, then the same booking answers and no second copy is stored; other answers under the key are refused', async () => {
    const idem = key();
    const first = await book(alice, at('12:00'), VALID, idem);
    const again = await book(alice, at('12:00'), { ...VALID, extras: ['wash', 'mask'] }, idem);
    expect(first.status).toBe(202);
    expect(again.body.bookingId).toBe(first.body.bookingId);
    await waitForOutcome(stack, alice, first.body.bookingId);
    const third = await book(alice, at('12:00'), VALID, idem);
    expect(third.body.bookingId).toBe(first.body.bookingId);
    const other = await book(alice, at('12:00'), { ...VALID, allergy: '无' }, idem);
    expect([other.status, other.body.error.code]).toEqual([422, 'IDEMPOTENCY_MISMATCH']);
    const rows = await stack.env.db.selectFrom('booking_answers').select('booking_id').where('booking_id', '=', first.body.bookingId).execute();
    expect(rows).toHaveLength(1);
    const leftovers = await stack.env.redis.keys(`${stack.env.prefix}:{s:${salon.storeId}}:answers:*`);
    expect(leftovers).toEqual([]);
  });

  it.each([
    ['a required field is missing', { ...VALID, contact: undefined }, [['body.answers.contact', '此项为必填项']]],
    ['the phone is not a mainland mobile', { ...VALID, contact: '021-64381234' }, [['body.answers.contact', '请填写正确的手机号码']]],
    ['too many choices', { ...VALID, extras: ['wash', 'mask', 'massage'] }, [['body.answers.extras', '最多选择 2 项']]],
    ['the consent is false', { ...VALID, agree: false }, [['body.answers.agree', '请阅读并同意：我已阅读并同意《服务须知》']]],
    ['a key is unknown', { ...VALID, shoeSize: 42 }, [['body.answers.shoeSize', '表单中没有此项']]],
    ['no answers at all', undefined, [['body.answers.agree', '请阅读并同意：我已阅读并同意《服务须知》'], ['body.answers.contact', '此项为必填项']]],
    ['answers are not an object', ['x'], [['body.answers', expect.any(String)]]],
  ])('when %s, then 400 with per-field reasons and nothing is held or stored', async (_name, answers, expected) => {
    const before = await footprint();
    const response = await book(alice, at('15:00'), answers);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.message).toBe('请求参数有误，请检查后重试');
    expect(response.body.error.issues.map((i: any) => [i.path, i.message]).sort()).toEqual(expected);
    expect(await footprint()).toEqual(before);
  });

  it('when the slot is sold out, then the sealed answers of the refused attempt do not stay behind', async () => {
    const tokens = await Promise.all([1, 2, 3, 4].map((i) => stack.login(`form-racer-${i}`)));
    const responses = await Promise.all(tokens.map((token) => book(token, at('17:00'), VALID)));
    expect(responses.map((r) => r.status).sort()).toEqual([202, 202, 202, 409]);
    for (const r of responses.filter((x) => x.status === 202)) await waitForOutcome(stack, tokens[responses.indexOf(r)]!, r.body.bookingId);
    expect(await stack.env.redis.keys(`${stack.env.prefix}:{s:${salon.storeId}}:answers:*`)).toEqual([]);
  });

  it('when the merchant edits the form after a booking, then the old answers keep the old labels and new bookings use the new version', async () => {
    const v2 = [
      { key: 'contact', label: '手机号（新）', type: 'phone', required: true },
      { key: 'extras', label: '加购', type: 'choice', multiple: true, options: [{ key: 'wash', label: '精洗' }, { key: 'mask', label: '护理' }] },
    ];
    const saved = await stack.request('PUT', `/v1/merchant/services/${salon.haircutId}/booking-form`, { token: owner, body: { fields: v2 } });
    expect(saved.body.version).toBe(2);

    const old = (await stack.request('GET', `/v1/bookings/${bookingId}`, { token: alice })).body;
    expect(old.answers.map((a: any) => [a.label, a.display])).toEqual([
      ['联系电话', PHONE],
      ['过敏情况', MARKER],
      ['附加项目', '洗发、发膜'],
      ['服务须知', '已同意'],
    ]);

    // The old answers do not fit v2 (allergy, agree are gone).
    const refused = await book(alice, at('14:00'), VALID);
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues.map((i: any) => i.path).sort()).toEqual(['body.answers.agree', 'body.answers.allergy']);

    const fresh = await book(alice, at('14:00'), { contact: '+86 138-0000-1234', extras: ['mask'] });
    expect(fresh.status).toBe(202);
    const outcome = await waitForOutcome(stack, alice, fresh.body.bookingId);
    expect(outcome.answers).toEqual([
      { key: 'contact', label: '手机号（新）', type: 'phone', value: '13800001234', display: '13800001234' },
      { key: 'extras', label: '加购', type: 'choice', value: ['mask'], display: '护理' },
    ]);
    const row = await stack.env.db.selectFrom('booking_answers').select('form_version').where('booking_id', '=', fresh.body.bookingId).executeTakeFirstOrThrow();
    expect(row.form_version).toBe(2);
  });

  it('when a service has no form, then bookings without answers work as before and answers are refused', async () => {
    const response = await stack.request('POST', '/v1/bookings', {
      token: alice,
      headers: { 'idempotency-key': key() },
      body: { storeId: studio.storeId, serviceId: studio.classId, startAt: at('18:00'), answers: { x: 1 } },
    });
    expect([response.status, response.body.error.issues]).toEqual([400, [{ path: 'body.answers.x', message: '表单中没有此项' }]]);
    const plain = await stack.request('POST', '/v1/bookings', {
      token: alice,
      headers: { 'idempotency-key': key() },
      body: { storeId: studio.storeId, serviceId: studio.classId, startAt: at('18:00') },
    });
    expect(plain.status).toBe(202);
    expect((await waitForOutcome(stack, alice, plain.body.bookingId)).answers).toEqual([]);
  });

  it('then no answer was ever readable in Redis: not in the intent stream, not in BullMQ job data, not anywhere', async () => {
    const everything = await dumpRedis();
    const has = (text: string) => everything.includes(text);
    // The persist jobs and the stream entries are there to be inspected (completed jobs are kept 10 minutes).
    expect(has('"formVersion":1')).toBe(true);
    expect(has('persist:bookings')).toBe(true);
    for (const secret of [PHONE, '13800001234', MARKER, '过敏', '"mask"', 'contact']) expect([secret, has(secret)]).toEqual([secret, false]);
  });
});

describe('before the persist worker runs', () => {
  let quiet: TestStack;
  let store: SalonFixture;

  beforeAll(async () => {
    // No workers: the intent stays in the stream and the booking stays PENDING, so both can be inspected.
    quiet = await startTestStack('forms-nw', { workers: false });
    store = await createSalon(quiet.env.db, quiet.env.clock.now(), { stylists: 1 });
    await materializeStore(quiet.env, store.storeId);
    await createStaffUser(quiet.env.db, { merchantId: store.merchantId, storeId: null, username: 'q-owner', displayName: 'o', passwordHash: await hashPassword('pw-123456'), role: 'owner' }, quiet.env.clock.now());
    const token = await quiet.staffLogin('q-owner', 'pw-123456');
    expect((await quiet.request('PUT', `/v1/merchant/services/${store.haircutId}/booking-form`, { token, body: { fields: FORM_V1 } })).status).toBe(200);
  });

  afterAll(async () => {
    await quiet?.stop();
  });

  it('when a booking with answers is accepted, then the intent stream carries only the form version, and the PENDING booking already shows the answers', async () => {
    const customer = await quiet.login('quiet-bob');
    const response = await quiet.request('POST', '/v1/bookings', {
      token: customer,
      headers: { 'idempotency-key': key() },
      body: { storeId: store.storeId, serviceId: store.haircutId, startAt: at('10:00'), answers: VALID },
    });
    expect(response.status).toBe(202);
    const entries = await quiet.env.redis.xrange(quiet.env.keys.store(store.storeId).intents, '-', '+');
    expect(entries).toHaveLength(1);
    const entry = entries[0]![1].join(' ');
    expect(entry).toContain('"formVersion":1');
    for (const secret of [PHONE, MARKER, 'contact', 'allergy', 'mask', 'agree']) expect([secret, entry.includes(secret)]).toEqual([secret, false]);
    const hold = Object.values(await quiet.env.redis.hgetall(quiet.env.keys.store(store.storeId).hold(response.body.bookingId))).join(' ');
    expect(hold).not.toContain(PHONE);
    const sealed = await quiet.env.redis.get(quiet.env.keys.store(store.storeId).answers(response.body.bookingId));
    expect(sealed).toMatch(/^\d+\.[A-Za-z0-9_-]+$/);
    expect(await quiet.env.redis.ttl(quiet.env.keys.store(store.storeId).answers(response.body.bookingId))).toBeGreaterThan(86_400);

    const pending = (await quiet.request('GET', `/v1/bookings/${response.body.bookingId}`, { token: customer })).body;
    expect(pending.status).toBe('PENDING');
    expect(pending.answers.map((a: any) => [a.key, a.value])).toEqual([
      ['contact', PHONE],
      ['allergy', MARKER],
      ['extras', ['wash', 'mask']],
      ['agree', true],
    ]);
  });
});
