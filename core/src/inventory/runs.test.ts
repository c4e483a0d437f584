import { describe, expect, it } from 'vitest';
import { cellsOfRuns, runsOfCells } from './runs.ts';

const cell = (resourceId: number, startMinute: number, quantity = 1) => ({ resourceId, startMinute, quantity });

describe('runsOfCells', () => {
  it('makes one run of adjacent cells of one resource', () => {
    expect(runsOfCells([cell(7, 1000), cell(7, 1015), cell(7, 1030), cell(7, 1045)], 15)).toEqual([{ resourceId: 7, startMinute: 1000, endMinute: 1060, quantity: 1 }]);
  });

  it('sorts first, and splits at a gap, another resource or another quantity', () => {
    const runs = runsOfCells([cell(9, 1000, 2), cell(7, 1045), cell(7, 1000), cell(7, 1015), cell(9, 1015, 3), cell(9, 1030, 3)], 15);
    expect(runs).toEqual([
      { resourceId: 7, startMinute: 1000, endMinute: 1030, quantity: 1 },
      // 1030 not taken (processing time): 1045 is a run of its own
      { resourceId: 7, startMinute: 1045, endMinute: 1060, quantity: 1 },
      { resourceId: 9, startMinute: 1000, endMinute: 1015, quantity: 2 },
      { resourceId: 9, startMinute: 1015, endMinute: 1045, quantity: 3 },
    ]);
  });

  it('gives back exactly the cells it was given', () => {
    const cells = [cell(3, 60), cell(3, 90), cell(3, 120, 2), cell(4, 60), cell(4, 90), cell(3, 150, 2)];
    const back = cellsOfRuns(runsOfCells(cells, 30), 30);
    const key = (c: { resourceId: number; startMinute: number; quantity: number }) => `${c.resourceId}:${c.startMinute}:${c.quantity}`;
    expect(back.map(key).sort()).toEqual(cells.map(key).sort());
    expect(runsOfCells(cells, 30)).toHaveLength(3);
  });

  it('refuses overlapping cells and a bad cell length', () => {
    expect(() => runsOfCells([cell(1, 0), cell(1, 10)], 15)).toThrow(/overlap/);
    expect(() => runsOfCells([cell(1, 0)], 0)).toThrow(/cell length/);
  });

  it('keeps an empty list empty', () => {
    expect(runsOfCells([], 15)).toEqual([]);
    expect(cellsOfRuns([], 15)).toEqual([]);
  });
});
