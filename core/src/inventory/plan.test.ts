import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../errors.ts';
import { format, messagesFor } from '../i18n/index.ts';
import { catalogOf, requirement, resource, service, storeInfo } from '../testing/catalog.ts';
import { type BookingRequest, occupiedRange, planBooking, planGroups, requirementUnits } from './plan.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Instant of a Shanghai wall time (UTC+8, no DST), worked out by hand. */
function sh(date: string, hhmm: string): number {
  const [y, mo, d] = date.split('-').map(Number);
  return Date.UTC(y!, mo! - 1, d!, Number(hhmm.slice(0, 2)) - 8, Number(hhmm.slice(3)));
}

const NOW = sh('2026-12-01', '09:00');
const TOMORROW_10 = sh('2026-12-02', '10:00');

const haircut = service(101, { name: '洗剪吹', durationMinutes: 60, bufferAfterMinutes: 15, minNoticeMinutes: 60, priceFen: 8800, requirements: [requirement('staff', 'cut')] });
const colour = service(102, { durationMinutes: 90, requirements: [requirement('staff', 'color'), requirement('room')] });
const yoga = service(103, { durationMinutes: 60, maxPartySize: 4, priceFen: 6000, requirements: [requirement('room', 'yoga', 1, true)] });
const fourHands = service(104, { durationMinutes: 60, requirements: [requirement('staff'), requirement('staff')] });
const laser = service(105, { requirements: [requirement('equipment', 'laser')] });
const buffered = service(106, { durationMinutes: 30, bufferBeforeMinutes: 15, bufferAfterMinutes: 15, requirements: [requirement('staff', 'cut')] });
const twinRoom = service(107, { requirements: [requirement('room', null, 2)] });

// Listed out of id order on purpose: candidates come back sorted by id.
const resources = [
  resource(12, 'staff', ['cut']),
  resource(11, 'staff', ['cut', 'color']),
  resource(13, 'staff', ['color']),
  resource(21, 'room'),
  resource(22, 'room', ['yoga'], 12),
];
const catalog = catalogOf(storeInfo(), resources, [haircut, colour, yoga, fourHands, laser, buffered, twinRoom]);

function request(overrides: Partial<BookingRequest> = {}): BookingRequest {
  return { serviceId: haircut.id, startMs: TOMORROW_10, partySize: 1, ...overrides };
}

function errorOf(act: () => unknown): AppError {
  try {
    act();
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

/** Epoch minutes of `count` consecutive cells from `startMs`. */
const cellMinutes = (startMs: number, count: number, step = 15) => Array.from({ length: count }, (_, i) => startMs / MINUTE + i * step);

describe('planBooking: a valid request', () => {
  it('when a haircut is booked for tomorrow 10:00, then the plan names the store, the price and one group of cut-capable staff', () => {
    // Act
    const plan = planBooking(catalog, request(), NOW);

    // Assert
    expect(plan).toMatchObject({
      storeId: 7,
      merchantId: 3,
      serviceId: 101,
      startMs: TOMORROW_10,
      endMs: TOMORROW_10 + 60 * MINUTE, // the clean-up buffer is not part of the appointment
      partySize: 1,
      priceFen: 8800,
      localDate: '2026-12-02',
    });
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]!.quantity).toBe(1);
    expect(plan.groups[0]!.candidates.map((c) => c.resourceId)).toEqual([11, 12]);
  });

  it('when a haircut with a 15-minute clean-up is planned, then each candidate claims five quarter-hour cells on that date', () => {
    const plan = planBooking(catalog, request(), NOW);
    for (const candidate of plan.groups[0]!.candidates) {
      expect(candidate.cells.map((c) => c.startMinute)).toEqual(cellMinutes(TOMORROW_10, 5));
      expect(candidate.cells.every((c) => c.resourceId === candidate.resourceId && c.localDate === '2026-12-02')).toBe(true);
    }
  });

  it('when the store uses 5-minute cells, then the same haircut claims fifteen cells', () => {
    const fine = catalogOf(storeInfo({ cellMinutes: 5 }), resources, [haircut]);
    const plan = planBooking(fine, request(), NOW);
    expect(plan.groups[0]!.candidates[0]!.cells.map((c) => c.startMinute)).toEqual(cellMinutes(TOMORROW_10, 15, 5));
  });

  it('when a service needs a colourist and a room, then there is one group per requirement', () => {
    const plan = planBooking(catalog, request({ serviceId: colour.id }), NOW);
    expect(plan.groups.map((g) => g.candidates.map((c) => c.resourceId))).toEqual([
      [11, 13],
      [21, 22],
    ]);
  });

  it('when a requirement takes two units, then its group quantity is two', () => {
    const plan = planBooking(catalog, request({ serviceId: twinRoom.id }), NOW);
    expect(plan.groups[0]!.quantity).toBe(2);
  });
});

describe('planBooking: buffers', () => {
  it('when a service has buffers before and after, then the occupied cells widen on both sides but the appointment does not', () => {
    // Arrange: 30 minutes of service, 15 before, 15 after → 09:45–10:45.
    const plan = planBooking(catalog, request({ serviceId: buffered.id }), NOW);

    // Assert
    expect(plan.groups[0]!.candidates[0]!.cells.map((c) => c.startMinute)).toEqual(cellMinutes(TOMORROW_10 - 15 * MINUTE, 4));
    expect(plan.endMs - plan.startMs).toBe(30 * MINUTE);
  });

  it('when the occupied range is computed, then it runs from the start minus the buffer before to the end plus the buffer after', () => {
    expect(occupiedRange(buffered, TOMORROW_10)).toEqual({ start: TOMORROW_10 - 15 * MINUTE, end: TOMORROW_10 + 45 * MINUTE });
    expect(occupiedRange(haircut, TOMORROW_10)).toEqual({ start: TOMORROW_10, end: TOMORROW_10 + 75 * MINUTE });
  });
});

describe('planBooking: preferred resource', () => {
  it('when the customer picks stylist 12, then the only candidate is 12', () => {
    const plan = planBooking(catalog, request({ resourceId: 12 }), NOW);
    expect(plan.groups[0]!.candidates.map((c) => c.resourceId)).toEqual([12]);
  });

  it('when a service needs two staff and the customer picks one, then only the first group is narrowed', () => {
    const plan = planBooking(catalog, request({ serviceId: fourHands.id, resourceId: 12 }), NOW);
    expect(plan.groups.map((g) => g.candidates.map((c) => c.resourceId))).toEqual([[12], [11, 12, 13]]);
  });

  it('when the customer picks a room for a colour treatment, then the room group is narrowed and the staff group is not', () => {
    const plan = planBooking(catalog, request({ serviceId: colour.id, resourceId: 21 }), NOW);
    expect(plan.groups.map((g) => g.candidates.map((c) => c.resourceId))).toEqual([[11, 13], [21]]);
  });
});

describe('planBooking: per-person requirements', () => {
  it('when three people book a yoga class, then three mats are taken and three places are paid for', () => {
    const plan = planBooking(catalog, request({ serviceId: yoga.id, partySize: 3 }), NOW);
    expect(plan.groups[0]!.quantity).toBe(3);
    expect(plan.priceFen).toBe(18_000);
    expect(plan.partySize).toBe(3);
  });

  it('when a per-person requirement takes 2 units each, then a party of 3 takes 6', () => {
    expect(requirementUnits(requirement('room', null, 2, true), 3)).toBe(6);
  });

  it('when a requirement is not per person, then the party size does not change the units', () => {
    expect(requirementUnits(requirement('room', null, 2, false), 3)).toBe(2);
  });
});

describe('planBooking: rejections', () => {
  it('when the service is not offered by the store, then SERVICE_NOT_FOUND', () => {
    expect(errorOf(() => planBooking(catalog, request({ serviceId: 999 }), NOW)).code).toBe('SERVICE_NOT_FOUND');
  });

  it('when the party is larger than the service allows, then PARTY_TOO_LARGE with the maximum', () => {
    const error = errorOf(() => planBooking(catalog, request({ serviceId: yoga.id, partySize: 5 }), NOW));
    expect(error.code).toBe('PARTY_TOO_LARGE');
    expect(error.details.params).toEqual({ max: 4 });
  });

  it('when the party is exactly the maximum, then it is accepted', () => {
    expect(planBooking(catalog, request({ serviceId: yoga.id, partySize: 4 }), NOW).groups[0]!.quantity).toBe(4);
  });

  it('when the start is off the 15-minute cell grid, then SLOT_MISALIGNED', () => {
    expect(errorOf(() => planBooking(catalog, request({ startMs: TOMORROW_10 + 5 * MINUTE }), NOW)).code).toBe('SLOT_MISALIGNED');
  });

  it('when the start is on a cell but off the 30-minute slot grid, then SLOT_MISALIGNED', () => {
    expect(errorOf(() => planBooking(catalog, request({ startMs: TOMORROW_10 + 15 * MINUTE }), NOW)).code).toBe('SLOT_MISALIGNED');
  });

  it('when the start is inside the minimum notice, then SLOT_TOO_SOON with the notice in minutes', () => {
    // now 09:00, notice 60 min: 09:30 is too soon.
    const error = errorOf(() => planBooking(catalog, request({ startMs: sh('2026-12-01', '09:30') }), NOW));
    expect(error.code).toBe('SLOT_TOO_SOON');
    expect(error.details.params).toEqual({ minutes: 60 });
  });

  it('when the start is exactly the minimum notice away, then it is accepted', () => {
    expect(planBooking(catalog, request({ startMs: sh('2026-12-01', '10:00') }), NOW).localDate).toBe('2026-12-01');
  });

  it('when the start is in the past, then SLOT_TOO_SOON', () => {
    expect(errorOf(() => planBooking(catalog, request({ startMs: sh('2026-11-30', '10:00') }), NOW)).code).toBe('SLOT_TOO_SOON');
  });

  it('when the start is exactly the 14-day horizon away, then SLOT_BEYOND_HORIZON with the days', () => {
    const error = errorOf(() => planBooking(catalog, request({ startMs: NOW + 14 * DAY }), NOW));
    expect(error.code).toBe('SLOT_BEYOND_HORIZON');
    expect(error.details.params).toEqual({ days: 14 });
  });

  it('when the start is the last slot before the horizon, then it is accepted', () => {
    expect(planBooking(catalog, request({ startMs: NOW + 14 * DAY - 30 * MINUTE }), NOW).localDate).toBe('2026-12-15');
  });

  it('when the chosen resource does not exist, then RESOURCE_NOT_FOUND', () => {
    expect(errorOf(() => planBooking(catalog, request({ resourceId: 999 }), NOW)).code).toBe('RESOURCE_NOT_FOUND');
  });

  it('when the chosen stylist cannot cut hair, then RESOURCE_NOT_FOUND', () => {
    expect(errorOf(() => planBooking(catalog, request({ resourceId: 13 }), NOW)).code).toBe('RESOURCE_NOT_FOUND');
  });

  it('when the chosen resource is a room for a staff-only service, then RESOURCE_NOT_FOUND', () => {
    expect(errorOf(() => planBooking(catalog, request({ resourceId: 21 }), NOW)).code).toBe('RESOURCE_NOT_FOUND');
  });

  it('when no resource can meet a requirement, then SLOT_UNAVAILABLE', () => {
    expect(errorOf(() => planBooking(catalog, request({ serviceId: laser.id }), NOW)).code).toBe('SLOT_UNAVAILABLE');
  });

  it('when a store has no staff who can cut, then a haircut is SLOT_UNAVAILABLE', () => {
    const noCutters = catalogOf(storeInfo(), [resource(13, 'staff', ['color'])], [haircut]);
    expect(errorOf(() => planBooking(noCutters, request(), NOW)).code).toBe('SLOT_UNAVAILABLE');
  });

  it.each([
    ['PARTY_TOO_LARGE', request({ serviceId: yoga.id, partySize: 9 })],
    ['SLOT_TOO_SOON', request({ startMs: sh('2026-12-01', '09:30') })],
    ['SLOT_BEYOND_HORIZON', request({ startMs: NOW + 20 * DAY })],
  ])('when the request fails with %s, then the user message has every placeholder filled in both languages', (code, bad) => {
    // Act
    const error = errorOf(() => planBooking(catalog, bad, NOW));

    // Assert
    expect(error.code).toBe(code);
    for (const locale of ['zh-CN', 'en'] as const) {
      expect(format(messagesFor(locale).errors[error.code], error.details.params)).not.toMatch(/[{}]/);
    }
  });
});

describe('planGroups', () => {
  it('when the preferred resource cannot perform the service, then nothing is narrowed (no validation here)', () => {
    const groups = planGroups(catalog, haircut, TOMORROW_10, 1, 13);
    expect(groups[0]!.candidates.map((c) => c.resourceId)).toEqual([11, 12]);
  });

  it('when the start is in the past, then it still plans (validation belongs to planBooking)', () => {
    const groups = planGroups(catalog, haircut, NOW - DAY, 1);
    expect(groups[0]!.candidates[0]!.cells).toHaveLength(5);
  });

  it('when a per-person service is planned for a party of 2, then the quantity is 2', () => {
    expect(planGroups(catalog, yoga, TOMORROW_10, 2)[0]!.quantity).toBe(2);
  });
});

describe('planGroups memo', () => {
  it('when the same slot is planned twice on one catalog snapshot, then the same groups come back; a new snapshot plans afresh', () => {
    const haircut = service(1, { requirements: [requirement('staff', 'cut')] });
    const resources = [resource(10, 'staff', ['cut']), resource(11, 'staff', ['cut'])];
    const first = catalogOf(storeInfo(), resources, [haircut]);
    const start = Date.parse('2026-12-02T02:00:00Z');
    const a = planGroups(first, haircut, start, 1);
    expect(planGroups(first, haircut, start, 1)).toBe(a);
    expect(planGroups(first, haircut, start, 1, 11)).not.toBe(a);
    expect(planGroups(first, haircut, start + 30 * 60_000, 1)).not.toBe(a);
    const second = catalogOf(storeInfo(), [resource(10, 'staff', ['cut'])], [haircut]);
    const b = planGroups(second, haircut, start, 1);
    expect(b).not.toBe(a);
    expect(b[0]!.candidates.map((c) => c.resourceId)).toEqual([10]);
  });
});
