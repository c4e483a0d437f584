import { describe, expect, it } from 'vitest';
import type { StoreCatalog } from '../catalog/types.ts';
import { computeSlots } from '../availability/slots.ts';
import { DAY_MS, MINUTE_MS } from '../time/zoned.ts';
import { cutoffOf, heldBackUnits, isoWeekDates, isoWeekOf, membershipMatters, reservePriorityArgs, weekCounterTtlSeconds, withheld } from './admission.ts';
import { anyShareClosed, computeSlotsFor } from './availability.ts';
import { withoutNotice } from './urgent.ts';

const share = { vipReservedUnits: 1, vipCutoffMinutes: 24 * 60 };
const start = Date.parse('2026-12-02T18:00:00+08:00');

describe('the VIP-reserved share', () => {
  it('when a non-VIP books before the cut-off, then the reserved units are held back; at and after the cut-off nothing is', () => {
    expect(cutoffOf(start, share)).toBe(start - DAY_MS);
    expect(heldBackUnits(share, start, start - DAY_MS - 1, false)).toBe(1);
    expect(heldBackUnits(share, start, start - DAY_MS, false)).toBe(0);
    expect(heldBackUnits(share, start, start - MINUTE_MS, false)).toBe(0);
  });

  it('when the caller is a VIP, or the service has no share, then nothing is held back and membership does not matter', () => {
    expect(heldBackUnits(share, start, start - 2 * DAY_MS, true)).toBe(0);
    expect(heldBackUnits(undefined, start, start - 2 * DAY_MS, false)).toBe(0);
    expect(heldBackUnits({ vipReservedUnits: 0, vipCutoffMinutes: 60 }, start, start - 2 * DAY_MS, false)).toBe(0);
    expect(membershipMatters(share, start, start - 2 * DAY_MS)).toBe(true);
    expect(membershipMatters(share, start, start - (60 * MINUTE_MS))).toBe(false);
  });

  it('withheld lowers capacity by the share, never below zero, and leaves closed cells closed', () => {
    expect(withheld({ capacity: 3, booked: 2 }, 1)).toEqual({ capacity: 2, booked: 2 });
    expect(withheld({ capacity: 1, booked: 0 }, 3)).toEqual({ capacity: 0, booked: 0 });
    expect(withheld(undefined, 1)).toBeUndefined();
    const cell = { capacity: 3, booked: 0 };
    expect(withheld(cell, 0)).toBe(cell);
  });
});

describe('ISO weeks', () => {
  it.each([
    ['2026-11-30', '2026-W49'], // Monday
    ['2026-12-06', '2026-W49'], // Sunday
    ['2026-12-07', '2026-W50'],
    ['2026-12-31', '2026-W53'], // 2026 has 53 ISO weeks (it starts on a Thursday)
    ['2027-01-03', '2026-W53'],
    ['2027-01-04', '2027-W01'],
    ['2024-12-30', '2025-W01'], // a Monday that belongs to next year's week 1
    ['2021-01-01', '2020-W53'],
  ])('%s is in %s', (date, week) => {
    expect(isoWeekOf(date)).toBe(week);
  });

  it('every date of a week has the same label and the week runs Monday to Sunday', () => {
    const { monday, sunday } = isoWeekDates('2026-12-03');
    expect([monday, sunday]).toEqual(['2026-11-30', '2026-12-06']);
    for (let d = 0; d < 7; d++) expect(isoWeekOf(new Date(Date.parse(`${monday}T00:00:00Z`) + d * DAY_MS).toISOString().slice(0, 10))).toBe('2026-W49');
  });

  it('the weekly counter lives past the end of its week, and at least as long as the hold', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    const ttl = weekCounterTtlSeconds('2026-12-01', now, 60);
    expect(now + ttl * 1000).toBeGreaterThanOrEqual(Date.parse('2026-12-07T00:00:00Z') + DAY_MS);
    expect(weekCounterTtlSeconds('2026-12-01', now, 30 * 86_400)).toBe(30 * 86_400);
  });
});

describe('reserve arguments', () => {
  const config = { customerWeeklyLimit: 2, services: new Map([[7, share]]) };
  it('carry the store’s weekly limit, the service’s share and cut-off, and who the caller is', () => {
    const args = reservePriorityArgs(config, { serviceId: 7, startMs: start, localDate: '2026-12-02' }, { vip: false, enforceLimits: true }, start - 2 * DAY_MS, 100);
    expect(args).toMatchObject({ weeklyLimit: 2, week: '2026-W49', vipReservedUnits: 1, cutoffMs: start - DAY_MS, vip: false, enforceLimits: true, nowMs: start - 2 * DAY_MS });
  });
  it('without settings nothing is limited or reserved', () => {
    const args = reservePriorityArgs(undefined, { serviceId: 7, startMs: start, localDate: '2026-12-02' }, { vip: false, enforceLimits: true }, start, 100);
    expect([args.weeklyLimit, args.vipReservedUnits]).toEqual([0, 0]);
  });
});

function classCatalog(priority?: StoreCatalog['priority']): StoreCatalog {
  return {
    store: { id: 1, merchantId: 1, name: 's', industry: 'x', timezone: 'Asia/Shanghai', cellMinutes: 15, horizonDays: 30, perCustomerDailyLimit: 0, holdSeconds: 900 },
    services: new Map([
      [
        7,
        {
          id: 7,
          merchantId: 1,
          storeId: 1,
          name: 'class',
          category: 'c',
          durationMinutes: 60,
          priceFen: 100,
          bufferBeforeMinutes: 0,
          bufferAfterMinutes: 0,
          slotIntervalMinutes: 60,
          minNoticeMinutes: 30,
          maxPartySize: 2,
          requirements: [{ kind: 'room', skill: null, quantity: 1, perPerson: true }],
        },
      ],
    ]),
    resources: [{ id: 3, kind: 'room', name: 'studio', capacity: 3, skills: [] }],
    priority,
  };
}

describe('availability with a reserved share', () => {
  const catalog = classCatalog({ customerWeeklyLimit: 0, services: new Map([[7, share]]) });
  const service = catalog.services.get(7)!;
  const cells = (booked: number) => () => ({ capacity: 3, booked });
  const planned = (startMs: number) => [{ startMs, groups: [{ quantity: 1, candidates: [{ resourceId: 3, cells: [0, 15, 30, 45].map((m) => ({ resourceId: 3, localDate: '2026-12-02', startMinute: 18 * 60 + m })) }] }] }];

  it('when a non-VIP asks before the cut-off, then the reserved unit is not offered; a VIP and anyone after the cut-off see it', () => {
    const before = { catalog, service, localDate: '2026-12-02', nowMs: start - 2 * DAY_MS };
    expect(anyShareClosed(before, planned(start))).toBe(true);
    expect(computeSlotsFor(before, planned(start), cells(2), false)[0]!.remaining).toBe(0);
    expect(computeSlotsFor(before, planned(start), cells(1), false)[0]!.remaining).toBe(1);
    expect(computeSlotsFor(before, planned(start), cells(2), true)[0]!.remaining).toBe(1);
    const after = { ...before, nowMs: start - DAY_MS + MINUTE_MS };
    expect(anyShareClosed(after, planned(start))).toBe(false);
    expect(computeSlotsFor(after, planned(start), cells(2), false)[0]!.remaining).toBe(1);
  });

  it('without a share the answer is exactly computeSlots', () => {
    const plain = classCatalog();
    const query = { catalog: plain, service, localDate: '2026-12-02', nowMs: start - 2 * DAY_MS };
    expect(computeSlotsFor(query, planned(start), cells(1), false)).toEqual(computeSlots(query, planned(start), cells(1)));
  });
});

describe('urgent insertion planning', () => {
  it('drops only the service’s minimum notice, in a new catalog object', () => {
    const catalog = classCatalog();
    const urgent = withoutNotice(catalog, 7);
    expect(urgent).not.toBe(catalog);
    expect(urgent.services.get(7)!.minNoticeMinutes).toBe(0);
    expect(catalog.services.get(7)!.minNoticeMinutes).toBe(30);
    expect({ ...urgent.services.get(7)!, minNoticeMinutes: 30 }).toEqual(catalog.services.get(7));
    expect(withoutNotice(catalog, 99)).toBe(catalog);
  });
});
