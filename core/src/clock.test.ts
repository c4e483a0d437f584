import { describe, expect, it } from 'vitest';
import { clockFromSettings, manualClock, offsetClock, systemClock } from './clock.ts';

const T = Date.UTC(2026, 11, 1, 1, 0);

describe('manualClock', () => {
  it('when created, then it stays at the given instant', () => {
    const clock = manualClock(T);
    expect([clock.now(), clock.now()]).toEqual([T, T]);
  });

  it('when advanced or set, then it moves exactly', () => {
    // Arrange
    const clock = manualClock(T);

    // Act / Assert
    clock.advance(90_000);
    expect(clock.now()).toBe(T + 90_000);
    clock.set(T - 1);
    expect(clock.now()).toBe(T - 1);
  });
});

describe('offsetClock', () => {
  it('when the base moves, then the offset clock moves with it, shifted', () => {
    const base = manualClock(T);
    const clock = offsetClock(86_400_000, base);
    expect(clock.now()).toBe(T + 86_400_000);
    base.advance(1_000);
    expect(clock.now()).toBe(T + 86_401_000);
  });
});

describe('systemClock', () => {
  it('when read, then it is the real time', () => {
    const before = Date.now();
    const now = systemClock.now();
    const after = Date.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(after);
  });
});

describe('clockFromSettings', () => {
  it('when the mode is system, then the base clock is used as is', () => {
    const base = manualClock(T);
    expect(clockFromSettings({ mode: 'system' }, base)).toBe(base);
  });

  it('when the mode is fixed, then time stands still even as the base moves', () => {
    const base = manualClock(T);
    const clock = clockFromSettings({ mode: 'fixed', at: T - 5_000 }, base);
    base.advance(60_000);
    expect(clock.now()).toBe(T - 5_000);
  });

  it('when the mode is offset, then the clock is the base plus the offset', () => {
    const base = manualClock(T);
    const clock = clockFromSettings({ mode: 'offset', offsetMs: -3_600_000 }, base);
    base.advance(10);
    expect(clock.now()).toBe(T - 3_600_000 + 10);
  });

  it('when the mode is start-at, then the clock starts at the instant and then runs with the base', () => {
    // Arrange
    const base = manualClock(T);
    const start = Date.UTC(2026, 11, 24, 1, 0);

    // Act
    const clock = clockFromSettings({ mode: 'start-at', at: start }, base);
    const first = clock.now();
    base.advance(2_500);

    // Assert
    expect(first).toBe(start);
    expect(clock.now()).toBe(start + 2_500);
  });

  it('when the mode is start-at with the real clock, then it starts near the instant', () => {
    const start = Date.UTC(2030, 0, 1);
    const now = clockFromSettings({ mode: 'start-at', at: start }).now();
    expect(now).toBeGreaterThanOrEqual(start);
    expect(now - start).toBeLessThan(5_000);
  });
});
