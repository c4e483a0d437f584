import { describe, expect, it } from 'vitest';
import { EventGaps } from './notify-plan.ts';

describe('EventGaps: reading an auto-increment log whose transactions commit out of order', () => {
  it('moves over a gap-free run', () => {
    expect(new EventGaps(1000).safeEnd(10, [11, 12, 13], 0)).toBe(13);
  });

  it('stops before a young gap (a transaction still committing) and waits for it', () => {
    const gaps = new EventGaps(1000);
    expect(gaps.safeEnd(10, [11, 13, 14], 0)).toBe(11);
    // The late commit arrives: everything is read.
    expect(gaps.safeEnd(11, [12, 13, 14], 500)).toBe(14);
  });

  it('gives up on a gap that stays open past the grace period (a rolled-back insert)', () => {
    const gaps = new EventGaps(1000);
    expect(gaps.safeEnd(10, [12, 13], 0)).toBe(10);
    expect(gaps.safeEnd(10, [12, 13], 999)).toBe(10);
    expect(gaps.safeEnd(10, [12, 13], 1000)).toBe(13);
  });

  it('treats each gap on its own', () => {
    const gaps = new EventGaps(1000);
    expect(gaps.safeEnd(0, [2, 3, 5], 0)).toBe(0);
    expect(gaps.safeEnd(0, [2, 3, 5], 1500)).toBe(3); // gap at 1 expired; gap at 4 first seen now
    expect(gaps.safeEnd(3, [5], 2000)).toBe(3);
    expect(gaps.safeEnd(3, [5], 2600)).toBe(5);
  });
});
