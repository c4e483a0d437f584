/** Status codes returned by reserve.lua, named once for both sides of the Lua/TS boundary. */
export const ReserveCode = {
  Reserved: 1,
  Replay: 2,
  SoldOut: -1,
  Closed: -2,
  CustomerLimit: -3,
  IdempotencyMismatch: -4,
  EpochMissing: -5,
  WeeklyLimit: -6,
  VipReserved: -7,
} as const;

export type ReserveCode = (typeof ReserveCode)[keyof typeof ReserveCode];

export const MarkPersistedCode = { Marked: 1, AlreadyPersisted: 0, Released: -1, Unknown: -2 } as const;
export type MarkPersistedCode = (typeof MarkPersistedCode)[keyof typeof MarkPersistedCode];

export const ReleaseCode = { Released: 1, NothingToRelease: 0, IsPersisted: -1 } as const;
export type ReleaseCode = (typeof ReleaseCode)[keyof typeof ReleaseCode];

export const RepairCode = { Done: 0, EpochMissing: -5, HoldsChanged: -6 } as const;
