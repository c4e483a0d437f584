/**
 * The one source of time for domain code. Nothing in core/, db/, gateway/ or
 * workers/ calls `Date.now()` directly; it receives a Clock instead, so a test,
 * a demo or a DST rehearsal can run the whole system at a chosen instant.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock frozen at `atMs`; `advance` moves it (tests only). */
export interface ManualClock extends Clock {
  set(atMs: number): void;
  advance(ms: number): void;
}

export function manualClock(atMs: number): ManualClock {
  let current = atMs;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Real time shifted by a fixed offset: a demo can live "tomorrow at 09:00" while time still passes. */
export function offsetClock(offsetMs: number, base: Clock = systemClock): Clock {
  return { now: () => base.now() + offsetMs };
}

export type ClockSettings =
  | { mode: 'system' }
  | { mode: 'fixed'; at: number }
  | { mode: 'offset'; offsetMs: number }
  | { mode: 'start-at'; at: number };

/**
 * `fixed` stops time (deterministic tests); `start-at` begins at an instant and
 * then runs at real speed (demos on a chosen day); `offset` shifts real time.
 */
export function clockFromSettings(settings: ClockSettings, base: Clock = systemClock): Clock {
  switch (settings.mode) {
    case 'system':
      return base;
    case 'fixed':
      return manualClock(settings.at);
    case 'offset':
      return offsetClock(settings.offsetMs, base);
    case 'start-at':
      return offsetClock(settings.at - base.now(), base);
  }
}
