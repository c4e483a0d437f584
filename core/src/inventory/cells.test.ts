import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellField, cellsCovering, parseCellField } from './cells.ts';

const MINUTE = 60_000;
/** 2026-12-02 02:00 UTC, an instant on every cell grid. */
const T = Date.UTC(2026, 11, 2, 2, 0);
const TM = T / MINUTE;

describe('cellField / parseCellField', () => {
  it('when a cell is named, then it is "resource:startMinute"', () => {
    expect(cellField(12, 29_405_400)).toBe('12:29405400');
  });

  it('when a field is parsed, then the resource and start minute come back', () => {
    expect(parseCellField('12:29405400')).toEqual({ resourceId: 12, startMinute: 29_405_400 });
  });

  it('property: parsing a field gives back what named it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 0, max: 2 ** 31 }), (resourceId, startMinute) => {
        expect(parseCellField(cellField(resourceId, startMinute))).toEqual({ resourceId, startMinute });
      }),
    );
  });

  it.each(['', '12', ':5', '12:', '12:5:7', 'a:5', '12:b', '1.5:30', '0x10:2', '1e3:2', ' 12:5', '12:5 ', '-1:5', '12;5'])(
    'when the field is %j, then it is refused',
    (field) => {
      expect(() => parseCellField(field)).toThrow(/bad cell field/);
    },
  );
});

describe('cellsCovering', () => {
  it('when an hour starts on the grid, then four quarter-hour cells cover it', () => {
    expect(cellsCovering(T, T + 60 * MINUTE, 15)).toEqual([TM, TM + 15, TM + 30, TM + 45]);
  });

  it('when the range starts and ends inside cells, then the partly covered cells are included', () => {
    // 02:05–02:20 touches the 02:00 and 02:15 cells.
    expect(cellsCovering(T + 5 * MINUTE, T + 20 * MINUTE, 15)).toEqual([TM, TM + 15]);
  });

  it('when the range ends exactly on a cell boundary, then the next cell is not included', () => {
    expect(cellsCovering(T, T + 30 * MINUTE, 15)).toEqual([TM, TM + 15]);
  });

  it('when cells are 5 minutes, then a 20-minute range needs four of them', () => {
    expect(cellsCovering(T, T + 20 * MINUTE, 5)).toEqual([TM, TM + 5, TM + 10, TM + 15]);
  });

  it('when the range is empty, then no cell is covered', () => {
    expect(cellsCovering(T, T, 15)).toEqual([]);
  });

  it('when the range starts mid-minute, then the cell holding that minute is included', () => {
    expect(cellsCovering(T + 30_000, T + MINUTE, 15)).toEqual([TM]);
  });

  it('property: cells are consecutive, each overlaps the range, and together they cover it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 * 60 * MINUTE }),
        fc.integer({ min: 1, max: 6 * 60 * MINUTE }),
        fc.constantFrom(5, 15),
        (offset, length, cellMinutes) => {
          const start = T + offset;
          const end = start + length;
          const cells = cellsCovering(start, end, cellMinutes);
          const cellMs = cellMinutes * MINUTE;
          expect(cells.length).toBeGreaterThan(0);
          for (const c of cells) {
            expect(c % cellMinutes).toBe(0);
            expect(c * MINUTE).toBeLessThan(end);
            expect(c * MINUTE + cellMs).toBeGreaterThan(start);
          }
          for (let i = 1; i < cells.length; i++) expect(cells[i]! - cells[i - 1]!).toBe(cellMinutes);
          expect(cells[0]! * MINUTE).toBeLessThanOrEqual(start);
          expect(cells.at(-1)! * MINUTE + cellMs).toBeGreaterThanOrEqual(end);
        },
      ),
    );
  });
});
