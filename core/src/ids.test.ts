import fc from 'fast-check';
import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.ts';
import { bookingIdFactory, isBookingId, storeIdOfBooking } from './ids.ts';

const T = Date.UTC(2026, 11, 1, 1, 0);
const CROCKFORD_ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('bookingIdFactory', () => {
  it('when an id is made for store 42, then it is a ULID of the clock time, a dash and 42', () => {
    // Act
    const id = bookingIdFactory(manualClock(T))(42);

    // Assert
    const [ulidPart, store] = id.split('-');
    expect(ulidPart).toMatch(CROCKFORD_ULID);
    expect(store).toBe('42');
    expect(decodeTime(ulidPart!)).toBe(T);
  });

  it('when an id is made, then it is never all digits and has no colon (BullMQ job id rules)', () => {
    const id = bookingIdFactory(manualClock(T))(7);
    expect(id).not.toMatch(/^\d+$/);
    expect(id).not.toContain(':');
  });

  it('when many ids are made under a frozen clock, then each sorts after the one before', () => {
    // Arrange
    const next = bookingIdFactory(manualClock(T));

    // Act
    const ids = Array.from({ length: 1_000 }, () => next(7).slice(0, 26));

    // Assert
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(1_000);
  });

  it('when the clock moves forward, then later ids sort after earlier ones and carry the new time', () => {
    const clock = manualClock(T);
    const next = bookingIdFactory(clock);
    const first = next(7);
    clock.advance(1);
    const second = next(7);
    expect(second.slice(0, 26) > first.slice(0, 26)).toBe(true);
    expect(decodeTime(second.slice(0, 26))).toBe(T + 1);
  });
});

describe('isBookingId / storeIdOfBooking', () => {
  const ulid = '01KB8Y0QF0ABCDEFGHJKMNPQRS';

  it('when the id is well formed, then its store id is read back', () => {
    expect(storeIdOfBooking(`${ulid}-42`)).toBe(42);
    expect(isBookingId(`${ulid}-42`)).toBe(true);
  });

  it('property: the store id of a freshly made id is the store it was made for', () => {
    const next = bookingIdFactory(manualClock(T));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999_999_999 }), (storeId) => {
        const id = next(storeId);
        expect(isBookingId(id)).toBe(true);
        expect(storeIdOfBooking(id)).toBe(storeId);
      }),
    );
  });

  it.each([
    ['no store id', ulid],
    ['an empty store id', `${ulid}-`],
    ['store 0', `${ulid}-0`],
    ['a zero-padded store id', `${ulid}-042`],
    ['a 14-digit store id', `${ulid}-12345678901234`],
    ['a colon instead of a dash', `${ulid}:42`],
    ['lower-case ULID', `${ulid.toLowerCase()}-42`],
    ['the letter I (not Crockford)', `01KB8Y0QF0ABCDEFGHIKMNPQRS-42`],
    ['the letter U (not Crockford)', `01KB8Y0QF0ABCDEFGHUKMNPQRS-42`],
    ['25 characters of ULID', `${ulid.slice(1)}-42`],
    ['trailing text', `${ulid}-42x`],
    ['a leading space', ` ${ulid}-42`],
    ['a negative store id', `${ulid}--42`],
    ['nothing', ''],
  ])('when the id has %s, then it is malformed', (_label, id) => {
    expect(isBookingId(id)).toBe(false);
    expect(storeIdOfBooking(id)).toBeNull();
  });
});
