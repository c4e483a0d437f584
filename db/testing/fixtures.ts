import type { Kysely } from 'kysely';
import type { Database } from '../src/database.ts';
import { createMerchant, createResource, createService, createStore, setWeeklyHours } from '../src/repositories/catalog-admin.repository.ts';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

export interface SalonFixture {
  merchantId: number;
  storeId: number;
  stylistIds: number[];
  haircutId: number;
  permId: number;
}

/** A hair salon: stylists (one can perm), 09:00–21:00 every day, 60-minute haircut with a 15-minute clean-up. */
export async function createSalon(db: Kysely<Database>, nowMs: number, options: { stylists?: number; name?: string; perCustomerDailyLimit?: number; holdSeconds?: number } = {}): Promise<SalonFixture> {
  const merchantId = await createMerchant(db, { name: options.name ?? '测试发廊', industry: 'hair_salon' }, nowMs);
  const storeId = await createStore(
    db,
    {
      merchantId,
      name: `${options.name ?? '测试发廊'}·一店`,
      industry: 'hair_salon',
      address: '上海市静安区南京西路 1 号',
      lat: 31.2304,
      lng: 121.4737,
      perCustomerDailyLimit: options.perCustomerDailyLimit ?? 3,
      holdSeconds: options.holdSeconds ?? 900,
    },
    nowMs,
  );
  const stylistIds: number[] = [];
  for (let i = 0; i < (options.stylists ?? 2); i++) {
    stylistIds.push(await createResource(db, { merchantId, storeId, kind: 'staff', name: `发型师${i + 1}`, skills: i === 0 ? ['cut', 'perm'] : ['cut'] }, nowMs));
  }
  const haircutId = await createService(
    db,
    {
      merchantId,
      storeId,
      name: '洗剪吹',
      category: 'hair',
      durationMinutes: 60,
      priceFen: 8800,
      bufferAfterMinutes: 15,
      slotIntervalMinutes: 30,
      minNoticeMinutes: 60,
      requirements: [{ kind: 'staff', skill: 'cut', quantity: 1, perPerson: false }],
    },
    nowMs,
  );
  const permId = await createService(
    db,
    {
      merchantId,
      storeId,
      name: '烫发',
      category: 'hair',
      durationMinutes: 120,
      priceFen: 38800,
      slotIntervalMinutes: 30,
      requirements: [{ kind: 'staff', skill: 'perm', quantity: 1, perPerson: false }],
    },
    nowMs,
  );
  await setWeeklyHours(db, { merchantId, storeId, resourceId: null }, EVERY_DAY.map((d) => [d, '09:00', '21:00']));
  return { merchantId, storeId, stylistIds, haircutId, permId };
}

export interface ClassFixture {
  merchantId: number;
  storeId: number;
  studioId: number;
  classId: number;
}

/** A group class: one studio with `capacity` mats, a 60-minute class every hour. */
export async function createClassStudio(db: Kysely<Database>, nowMs: number, options: { capacity?: number; perCustomerDailyLimit?: number; maxPartySize?: number } = {}): Promise<ClassFixture> {
  const merchantId = await createMerchant(db, { name: '测试健身', industry: 'fitness_class' }, nowMs);
  const storeId = await createStore(
    db,
    {
      merchantId,
      name: '测试健身·团课馆',
      industry: 'fitness_class',
      address: '上海市徐汇区漕溪北路 2 号',
      lat: 31.19,
      lng: 121.44,
      perCustomerDailyLimit: options.perCustomerDailyLimit ?? 2,
    },
    nowMs,
  );
  const studioId = await createResource(db, { merchantId, storeId, kind: 'room', name: '团课教室', capacity: options.capacity ?? 20, skills: ['class'] }, nowMs);
  const classId = await createService(
    db,
    {
      merchantId,
      storeId,
      name: '燃脂单车',
      category: 'fitness',
      durationMinutes: 60,
      priceFen: 6900,
      slotIntervalMinutes: 60,
      minNoticeMinutes: 30,
      maxPartySize: options.maxPartySize ?? 2,
      requirements: [{ kind: 'room', skill: 'class', quantity: 1, perPerson: true }],
    },
    nowMs,
  );
  await setWeeklyHours(db, { merchantId, storeId, resourceId: null }, EVERY_DAY.map((d) => [d, '07:00', '22:00']));
  return { merchantId, storeId, studioId, classId };
}
