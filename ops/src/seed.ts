/**
 * `npm run seed`: demo merchants in four industries (a hair salon with
 * stylists, a clinic with doctors, rooms and an ultrasound, a cycling studio
 * with 20 bikes per class, and a flash-sale tasting class for load tests),
 * staff logins and a few customers, then their inventory. Skips if the demo
 * data is already there. Then the payment policies of a few demo services
 * (each only while the service has none, so an edited policy stays), and the
 * salon's notification settings and one wording of its own (likewise only
 * while the merchant has none). Then a few more stores from the industry templates
 * around central Shanghai (each only while missing), so search, industries and
 * distance sorting have something to show.
 */
import type { Kysely } from 'kysely';
import type { Requirement } from '../../core/src/catalog/types.ts';
import { payAtStore, type PaymentPolicy } from '../../core/src/payments/policy.ts';
import { clockFromSettings } from '../../core/src/clock.ts';
import { base64Key, clockEnv, clockSettingsFrom, mysqlEnv, mysqlSettingsFrom, parseEnv, phoneKeyEnv, redisEnv, runtimeEnv } from '../../core/src/config/env.ts';
import { applyTemplate } from '../../core/src/lifecycle/apply-template.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import type { LifecycleDeps } from '../../core/src/lifecycle/deps.ts';
import { encryptPhone, phoneBlindIndex } from '../../core/src/pii/phone.ts';
import { createDb } from '../../db/src/connection.ts';
import type { Database } from '../../db/src/database.ts';
import {
  addScheduleException,
  createMerchant,
  createResource,
  createService,
  createStaffUser,
  createStore,
  setWeeklyHours,
} from '../../db/src/repositories/catalog-admin.repository.ts';
import { type NotificationSettings, upsertSettings, upsertTemplate } from '../../db/src/repositories/notification.repository.ts';
import { policiesOf, upsertPolicy } from '../../db/src/repositories/payment.repository.ts';
import { createRedis, whenReady } from '../../db/redis/connection.ts';
import { redisKeys } from '../../db/redis/keys.ts';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { templateByKey } from '../../core/src/templates/index.ts';
import { addDays, localDateOf } from '../../core/src/time/zoned.ts';

export const DEMO_PASSWORD = 'zhiyue-demo';

const WEEKDAYS = [1, 2, 3, 4, 5];
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const staff = (skill: string | null): Requirement => ({ kind: 'staff', skill, quantity: 1, perPerson: false });
const room = (skill: string | null, perPerson = false): Requirement => ({ kind: 'room', skill, quantity: 1, perPerson });
const equipment = (skill: string): Requirement => ({ kind: 'equipment', skill, quantity: 1, perPerson: false });

export interface SeedSummary {
  stores: { id: number; name: string; industry: string }[];
  logins: { username: string; role: string; store: string }[];
}

export async function seedDemo(db: Kysely<Database>, nowMs: number, phoneKeys: Parameters<typeof encryptPhone>[1]): Promise<SeedSummary | null> {
  const existing = await db.selectFrom('merchants').select('id').where('name', '=', '悦容美发').executeTakeFirst();
  if (existing) return null;
  const summary: SeedSummary = { stores: [], logins: [] };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const login = async (merchantId: number, storeId: number | null, username: string, displayName: string, role: 'owner' | 'manager' | 'staff', store: string) => {
    await createStaffUser(db, { merchantId, storeId, username, displayName, passwordHash, role }, nowMs);
    summary.logins.push({ username, role, store });
  };

  // Hair salon: stylists with skills; a perm needs the stylist who perms.
  {
    const merchantId = await createMerchant(db, { name: '悦容美发', industry: 'hair_salon' }, nowMs);
    const storeId = await createStore(
      db,
      { merchantId, name: '悦容美发·静安店', industry: 'hair_salon', address: '上海市静安区南京西路 1266 号', lat: 31.2285, lng: 121.4555, phone: '021-62880001', perCustomerDailyLimit: 3 },
      nowMs,
    );
    const stylists = [
      ['Tony 老师', '首席设计师', ['cut', 'color', 'perm']],
      ['Kevin 老师', '资深设计师', ['cut', 'color']],
      ['小雅', '设计师', ['cut']],
      ['阿杰', '设计师', ['cut', 'perm']],
    ] as const;
    const ids: number[] = [];
    for (const [name, title, skills] of stylists) ids.push(await createResource(db, { merchantId, storeId, kind: 'staff', name, title, skills: [...skills] }, nowMs));
    await setWeeklyHours(db, { merchantId, storeId, resourceId: null }, EVERY_DAY.map((d) => [d, '10:00', '22:00']));
    // Kevin works Tuesday to Saturday only.
    await setWeeklyHours(db, { merchantId, storeId, resourceId: ids[1]! }, [2, 3, 4, 5, 6].map((d) => [d, '10:00', '22:00']));
    await createService(db, { merchantId, storeId, name: '洗剪吹', category: 'haircut', description: '洗发、精剪、吹造型', durationMinutes: 60, priceFen: 8800, bufferAfterMinutes: 15, requirements: [staff('cut')] }, nowMs);
    await createService(db, { merchantId, storeId, name: '时尚染发', category: 'color', durationMinutes: 120, priceFen: 38800, bufferAfterMinutes: 15, requirements: [staff('color')] }, nowMs);
    await createService(db, { merchantId, storeId, name: '数码烫', category: 'perm', durationMinutes: 150, priceFen: 58800, bufferAfterMinutes: 15, requirements: [staff('perm')] }, nowMs);
    await login(merchantId, null, 'salon.owner', '悦容老板', 'owner', '悦容美发·静安店');
    await login(merchantId, storeId, 'salon.front', '前台小王', 'staff', '悦容美发·静安店');
    summary.stores.push({ id: storeId, name: '悦容美发·静安店', industry: 'hair_salon' });
  }

  // Clinic: a consultation needs a doctor and an exam room; an ultrasound also needs the machine.
  {
    const merchantId = await createMerchant(db, { name: '仁和门诊', industry: 'clinic' }, nowMs);
    const storeId = await createStore(
      db,
      { merchantId, name: '仁和门诊·徐汇部', industry: 'clinic', address: '上海市徐汇区肇嘉浜路 1065 号', lat: 31.1965, lng: 121.4432, phone: '021-64380002', perCustomerDailyLimit: 2, horizonDays: 7 },
      nowMs,
    );
    await createResource(db, { merchantId, storeId, kind: 'staff', name: '李医生', title: '全科主治医师', skills: ['general', 'ultrasound'] }, nowMs);
    const derm = await createResource(db, { merchantId, storeId, kind: 'staff', name: '王医生', title: '皮肤科副主任医师', skills: ['dermatology'] }, nowMs);
    await createResource(db, { merchantId, storeId, kind: 'room', name: '1 号诊室', skills: ['exam'] }, nowMs);
    await createResource(db, { merchantId, storeId, kind: 'room', name: '2 号诊室', skills: ['exam'] }, nowMs);
    await createResource(db, { merchantId, storeId, kind: 'equipment', name: '彩超仪', skills: ['ultrasound'] }, nowMs);
    await setWeeklyHours(db, { merchantId, storeId, resourceId: null }, [...WEEKDAYS, 6].flatMap((d) => [[d, '08:30', '12:00'], [d, '13:30', '17:30']] as [number, string, string][]));
    await createService(db, { merchantId, storeId, name: '全科门诊', category: 'consultation', durationMinutes: 15, priceFen: 5000, slotIntervalMinutes: 15, minNoticeMinutes: 30, requirements: [staff('general'), room('exam')] }, nowMs);
    await createService(db, { merchantId, storeId, name: '皮肤科咨询', category: 'consultation', durationMinutes: 30, priceFen: 15000, slotIntervalMinutes: 30, requirements: [staff('dermatology'), room('exam')] }, nowMs);
    await createService(db, { merchantId, storeId, name: '腹部彩超', category: 'imaging', durationMinutes: 30, priceFen: 28000, bufferAfterMinutes: 15, slotIntervalMinutes: 30, requirements: [staff('ultrasound'), room('exam'), equipment('ultrasound')] }, nowMs);
    // Dr Wang is at a conference on the third day from now: her cells that day are never created.
    const conference = addDays(localDateOf(nowMs, 'Asia/Shanghai'), 3);
    await addScheduleException(db, { merchantId, storeId, resourceId: derm, localDate: conference, closed: true, reason: '外出学术会议' });
    await login(merchantId, null, 'clinic.owner', '仁和院长', 'owner', '仁和门诊·徐汇部');
    summary.stores.push({ id: storeId, name: '仁和门诊·徐汇部', industry: 'clinic' });
  }

  // Cycling studio: 20 bikes per class, classes only at fixed times (the hours are the class windows).
  {
    const merchantId = await createMerchant(db, { name: '动力单车', industry: 'fitness_class' }, nowMs);
    const storeId = await createStore(
      db,
      { merchantId, name: '动力单车·陆家嘴馆', industry: 'fitness_class', address: '上海市浦东新区世纪大道 8 号', lat: 31.2397, lng: 121.4998, perCustomerDailyLimit: 2 },
      nowMs,
    );
    await createResource(db, { merchantId, storeId, kind: 'room', name: '单车教室', capacity: 20, skills: ['cycling'] }, nowMs);
    const classes: [number, string, string][] = EVERY_DAY.flatMap((d) => [[d, '07:00', '08:00'], [d, '12:15', '13:15'], [d, '18:30', '19:30'], [d, '20:00', '21:00']] as [number, string, string][]);
    await setWeeklyHours(db, { merchantId, storeId, resourceId: null }, classes);
    await createService(db, { merchantId, storeId, name: '燃脂单车 45 分钟', category: 'cycling', durationMinutes: 45, priceFen: 6900, slotIntervalMinutes: 15, minNoticeMinutes: 30, maxPartySize: 2, requirements: [room('cycling', true)] }, nowMs);
    await login(merchantId, null, 'fitness.owner', '动力馆长', 'owner', '动力单车·陆家嘴馆');
    summary.stores.push({ id: storeId, name: '动力单车·陆家嘴馆', industry: 'fitness_class' });
  }

  // Flash sale: a 300-seat anniversary tasting session every evening, one seat per customer per day.
  {
    const merchantId = await createMerchant(db, { name: '味道研究所', industry: 'restaurant' }, nowMs);
    const storeId = await createStore(
      db,
      { merchantId, name: '味道研究所·周年庆限量体验', industry: 'restaurant', address: '上海市黄浦区南京东路 99 号', lat: 31.2393, lng: 121.4846, perCustomerDailyLimit: 1, horizonDays: 7 },
      nowMs,
    );
    await createResource(db, { merchantId, storeId, kind: 'room', name: '主厅', capacity: 300, skills: ['tasting'] }, nowMs);
    await setWeeklyHours(db, { merchantId, storeId, resourceId: null }, EVERY_DAY.map((d) => [d, '18:00', '20:00']));
    await createService(db, { merchantId, storeId, name: '周年庆 1 元体验套餐', category: 'flash_sale', durationMinutes: 120, priceFen: 100, slotIntervalMinutes: 120, minNoticeMinutes: 0, requirements: [room('tasting', true)] }, nowMs);
    await login(merchantId, null, 'flash.owner', '研究所主理人', 'owner', '味道研究所·周年庆限量体验');
    summary.stores.push({ id: storeId, name: '味道研究所·周年庆限量体验', industry: 'restaurant' });
  }

  // A few customers with bound phones (stored encrypted, shown masked to merchants).
  for (const [openid, phone] of [
    ['demo-openid-alice', '13800138000'],
    ['demo-openid-bob', '13912345678'],
  ] as const) {
    const encrypted = encryptPhone(phone, phoneKeys);
    await db
      .insertInto('customers')
      .values({ openid, unionid: null, phone_enc: encrypted.ciphertext, phone_key_id: encrypted.keyId, phone_index: phoneBlindIndex(phone, phoneKeys), created_at: new Date(nowMs), last_login_at: new Date(nowMs) })
      .execute();
  }
  return summary;
}

/**
 * Online payment for some demo services; everything else (the 1 元 flash sale above all: the load
 * test books it without paying) stays pay-at-store.
 */
const DEMO_PAYMENT_POLICIES: { store: string; service: string; label: string; policy: PaymentPolicy }[] = [
  {
    store: '悦容美发·静安店',
    service: '数码烫',
    label: 'deposit ¥100, free cancellation until 24 h before, then 50 % kept',
    policy: { ...payAtStore, mode: 'deposit', depositFixedFen: 10_000, freeCancelHours: 24, lateCancelFeePercent: 50, noShowFeePercent: 100 },
  },
  {
    store: '仁和门诊·徐汇部',
    service: '腹部彩超',
    label: 'paid in full, free cancellation until 2 h before, then 20 % kept',
    policy: { ...payAtStore, mode: 'full', freeCancelHours: 2, lateCancelFeePercent: 20, noShowFeePercent: 100 },
  },
  {
    store: '动力单车·陆家嘴馆',
    service: '燃脂单车 45 分钟',
    label: 'deposit 30 % only for customers with a no-show here',
    policy: { ...payAtStore, mode: 'deposit', depositPercent: 30, target: 'prior_no_shows', targetNoShows: 1, freeCancelHours: 12, lateCancelFeePercent: 100, noShowFeePercent: 100 },
  },
];

/** Gives each demo service above its policy unless it already has one; returns what it set. */
export async function seedPaymentPolicies(db: Kysely<Database>, nowMs: number): Promise<string[]> {
  const done: string[] = [];
  for (const { store, service, label, policy } of DEMO_PAYMENT_POLICIES) {
    const row = await db
      .selectFrom('services')
      .innerJoin('stores', 'stores.id', 'services.store_id')
      .select(['services.id', 'services.merchant_id'])
      .where('stores.name', '=', store)
      .where('services.name', '=', service)
      .executeTakeFirst();
    if (!row || (await policiesOf(db, [row.id])).has(row.id)) continue;
    await upsertPolicy(db, row.merchant_id, row.id, policy, nowMs);
    done.push(`${service} (${store}): ${label}`);
  }
  return done;
}

/** Notification timing and channels of a demo merchant (what 通知设置 shows and saves). */
const DEMO_NOTIFICATION_SETTINGS: { merchant: string; label: string; settings: NotificationSettings }[] = [
  {
    merchant: '悦容美发',
    label: 'reminders 24 h + 2 h before, no SMS 21:00–08:00, review request 2 h after, digest at 20:00',
    settings: { reminder_offsets: '1440,120', quiet_start_minute: 21 * 60, quiet_end_minute: 8 * 60, review_delay_minutes: 120, digest_minute: 20 * 60, sms_enabled: 1, subscribe_enabled: 1 },
  },
];

/** A merchant's own wording of a kind (in-app text; its body is also the subscribe message's remark). */
const DEMO_NOTIFICATION_TEMPLATES: { merchant: string; kind: string; title: string; body: string }[] = [
  {
    merchant: '悦容美发',
    kind: 'BOOKING_CONFIRMED',
    title: '悦容美发 · 预约成功',
    body: '{storeName}已为您留好位置：{startTime}，到店出示核销码 {checkinCode}，设计师恭候光临！',
  },
];

/** Gives the demo merchants above their settings and wording unless they already have their own; returns what it set. */
export async function seedNotificationSettings(db: Kysely<Database>, nowMs: number): Promise<string[]> {
  const done: string[] = [];
  const merchantId = async (name: string) => (await db.selectFrom('merchants').select('id').where('name', '=', name).executeTakeFirst())?.id;
  for (const { merchant, label, settings } of DEMO_NOTIFICATION_SETTINGS) {
    const id = await merchantId(merchant);
    if (id === undefined) continue;
    if (await db.selectFrom('notification_settings').select('merchant_id').where('merchant_id', '=', id).executeTakeFirst()) continue;
    await upsertSettings(db, id, settings, nowMs);
    done.push(`${merchant}: ${label}`);
  }
  for (const { merchant, kind, title, body } of DEMO_NOTIFICATION_TEMPLATES) {
    const id = await merchantId(merchant);
    if (id === undefined) continue;
    if (await db.selectFrom('notification_templates').select('kind').where('merchant_id', '=', id).where('kind', '=', kind).executeTakeFirst()) continue;
    await upsertTemplate(db, id, kind, { title, body, enabled: true }, nowMs);
    done.push(`${merchant}: own ${kind} wording "${title}"`);
  }
  return done;
}

/**
 * Stores opened from industry templates, a few kilometres apart in central Shanghai (WGS84), for the
 * mini program's search, industry grid and "nearby" sorting. The salon branch joins the demo salon's
 * merchant; the others get a merchant of their own (no staff logins: the demo merchants above have those).
 */
const DEMO_TEMPLATE_STORES: { merchant: string; template: string; name: string; address: string; lat: number; lng: number; phone: string }[] = [
  { merchant: '悦容美发', template: 'hair_salon', name: '悦容美发·徐汇店', address: '上海市徐汇区漕溪北路 88 号', lat: 31.1938, lng: 121.4368, phone: '021-62880002' },
  { merchant: '皓齿口腔', template: 'dental_clinic', name: '皓齿口腔·长宁店', address: '上海市长宁区长宁路 1018 号', lat: 31.2197, lng: 121.424, phone: '021-52390003' },
  { merchant: '指尖美学', template: 'nail_spa', name: '指尖美学·新天地店', address: '上海市黄浦区马当路 245 号', lat: 31.2183, lng: 121.475, phone: '021-63350004' },
  { merchant: '悠然瑜伽', template: 'yoga_studio', name: '悠然瑜伽·静安店', address: '上海市静安区愚园路 68 号', lat: 31.2243, lng: 121.4458, phone: '021-62170005' },
  { merchant: '萌宠乐园', template: 'pet_grooming', name: '萌宠乐园·浦东店', address: '上海市浦东新区张杨路 500 号', lat: 31.2335, lng: 121.5196, phone: '021-58360006' },
];

/** Opens each store above from its template unless the merchant already has a store of that name; returns what it opened. */
export async function seedTemplateStores(deps: LifecycleDeps): Promise<string[]> {
  const done: string[] = [];
  for (const store of DEMO_TEMPLATE_STORES) {
    const template = templateByKey(store.template);
    if (!template) throw new Error(`unknown template ${store.template}`);
    const nowMs = deps.clock.now();
    const existing = await deps.db.selectFrom('merchants').select('id').where('name', '=', store.merchant).executeTakeFirst();
    const merchantId = existing?.id ?? (await createMerchant(deps.db, { name: store.merchant, industry: template.industry }, nowMs));
    const outcome = await applyTemplate(deps, template, {
      merchantId,
      staffId: null,
      name: store.name,
      address: store.address,
      lat: store.lat,
      lng: store.lng,
      timezone: 'Asia/Shanghai',
      phone: store.phone,
    });
    if (outcome.ok && !outcome.applied.replayed) done.push(`${store.name} (${template.industry}, store ${outcome.applied.storeId})`);
  }
  return done;
}

if (import.meta.main) {
  const env = parseEnv({ ...runtimeEnv, ...mysqlEnv, ...redisEnv, ...clockEnv, ...phoneKeyEnv }, process.env);
  const clock = clockFromSettings(clockSettingsFrom(env));
  const db = createDb({ ...mysqlSettingsFrom(env), poolSize: 4 });
  const redis = createRedis({ url: env.REDIS_URL, failFast: false, name: 'seed' });
  await whenReady(redis);
  const phoneKeys = { keyId: env.PHONE_KEY_ID, encryptionKey: base64Key(env.PHONE_ENC_KEY, 'PHONE_ENC_KEY'), indexKey: base64Key(env.PHONE_INDEX_KEY, 'PHONE_INDEX_KEY') };
  const summary = await seedDemo(db, clock.now(), phoneKeys);
  if (summary) {
    console.log('seeded demo data:');
    for (const s of summary.stores) console.log(`  store ${s.id}  ${s.industry.padEnd(14)} ${s.name}`);
    for (const l of summary.logins) console.log(`  login ${l.username.padEnd(14)} (${l.role}, ${l.store}) password: ${DEMO_PASSWORD}`);
  } else {
    console.log('demo data already present');
  }
  for (const line of await seedPaymentPolicies(db, clock.now())) console.log(`  payment policy  ${line}`);
  for (const line of await seedNotificationSettings(db, clock.now())) console.log(`  notifications   ${line}`);
  // Inventory through each store's horizon (idempotent), and the Redis mirror.
  const deps = { db, redis, keys: redisKeys(env.REDIS_KEY_PREFIX), clock };
  for (const line of await seedTemplateStores(deps)) console.log(`  template store  ${line}`);
  const stores = await db.selectFrom('stores').select('id').where('status', '=', 'active').execute();
  let cells = 0;
  for (const { id } of stores) cells += (await materializeStore(deps, id)).inserted;
  console.log(`inventory: ${cells} new cells for ${stores.length} stores`);
  redis.disconnect();
  await db.destroy();
}
