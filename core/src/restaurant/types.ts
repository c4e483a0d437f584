/** Table mode of a restaurant as data (no imports, so the catalog types can name it). See table-mode.ts. */

export interface TableDef {
  resourceId: number;
  minSeats: number;
  maxSeats: number;
}

/** Tables the merchant pushes together, e.g. T1 + T2 make a 6-top for 5–6. */
export interface TableCombination {
  resourceIds: number[];
  minSeats: number;
  maxSeats: number;
}

/** Parties up to `maxParty` stay `minutes`; the last entry also covers every larger party. */
export interface TurnTime {
  maxParty: number;
  minutes: number;
}

export interface TableMode {
  tables: TableDef[];
  combinations: TableCombination[];
  /** Ascending by maxParty. */
  turnTimes: TurnTime[];
  /** Empty seats a party may be given while an option with fewer empty seats fits it. */
  maxExtraSeats: number;
  /** Max covers (guests) arriving per 15 minutes, counted on a virtual resource; null = no pacing. */
  pacing: { resourceId: number; maxCovers: number } | null;
}
