/**
 * Table mode of a restaurant (Resy's model: tables by party size, turn times,
 * pacing), as pure data and pure functions. Planning (core/src/inventory/plan.ts)
 * asks this module which tables a party may take and for how long; the cells of
 * the chosen tables are then claimed all-or-nothing by reserve.lua and MySQL like
 * any other cells, so two parties can never hold one table at once.
 */
import { z } from 'zod';
import type { Requirement, ServiceDef } from '../catalog/types.ts';
import type { TableMode } from './types.ts';

/** A service whose requirement is a room with this skill is seated by party size in table mode. */
export const TABLE_SKILL = 'table';
/** The virtual resource whose capacity is the store's max covers arriving per pacing window. */
export const PACING_SKILL = 'pacing';
export const PACING_WINDOW_MINUTES = 15;

export type { TableCombination, TableDef, TableMode, TurnTime } from './types.ts';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const seats = z.number().int().min(1).max(100);

/** The merchant API's body and the stored document; cross-field rules are in `tableModeProblems`. */
export const TableModeSchema = z
  .object({
    tables: z.array(z.object({ resourceId: id, minSeats: seats, maxSeats: seats }).strict()).min(1).max(200),
    combinations: z.array(z.object({ resourceIds: z.array(id).min(2).max(6), minSeats: seats, maxSeats: seats }).strict()).max(200).default([]),
    turnTimes: z.array(z.object({ maxParty: seats, minutes: z.number().int().min(15).max(480) }).strict()).min(1).max(20),
    maxExtraSeats: z.number().int().min(0).max(100).default(2),
    pacing: z.object({ resourceId: id, maxCovers: z.number().int().min(1).max(1000) }).strict().nullable().default(null),
  })
  .strict();

/** Problems a schema cannot see, as `[path, message]`; empty = valid for this store's resources. */
export function tableModeProblems(mode: TableMode, rooms: ReadonlySet<number>, cellMinutes: number): [string, string][] {
  const problems: [string, string][] = [];
  const tableIds = new Set<number>();
  mode.tables.forEach((t, i) => {
    if (t.minSeats > t.maxSeats) problems.push([`tables.${i}.minSeats`, 'minSeats must not exceed maxSeats']);
    if (!rooms.has(t.resourceId)) problems.push([`tables.${i}.resourceId`, `resource ${t.resourceId} is not a room of this store`]);
    if (tableIds.has(t.resourceId)) problems.push([`tables.${i}.resourceId`, `table ${t.resourceId} is listed twice`]);
    tableIds.add(t.resourceId);
  });
  const combos = new Set<string>();
  mode.combinations.forEach((c, i) => {
    if (c.minSeats > c.maxSeats) problems.push([`combinations.${i}.minSeats`, 'minSeats must not exceed maxSeats']);
    if (new Set(c.resourceIds).size !== c.resourceIds.length) problems.push([`combinations.${i}.resourceIds`, 'a table appears twice']);
    for (const r of c.resourceIds) if (!tableIds.has(r)) problems.push([`combinations.${i}.resourceIds`, `resource ${r} is not one of the tables`]);
    const key = [...c.resourceIds].sort((a, b) => a - b).join('+');
    if (combos.has(key)) problems.push([`combinations.${i}.resourceIds`, `combination ${key} is listed twice`]);
    combos.add(key);
  });
  mode.turnTimes.forEach((t, i) => {
    if (i > 0 && t.maxParty <= mode.turnTimes[i - 1]!.maxParty) problems.push([`turnTimes.${i}.maxParty`, 'turn times must be in ascending party order']);
    if (t.minutes % cellMinutes !== 0) problems.push([`turnTimes.${i}.minutes`, `minutes must be a multiple of ${cellMinutes}`]);
  });
  if (mode.pacing && (rooms.has(mode.pacing.resourceId) || tableIds.has(mode.pacing.resourceId))) {
    problems.push(['pacing.resourceId', 'the pacing resource cannot be a table']);
  }
  return problems;
}

export function isTableRequirement(requirement: Requirement): boolean {
  return requirement.kind === 'room' && requirement.skill === TABLE_SKILL;
}

export function isTableService(service: ServiceDef): boolean {
  return service.requirements.some(isTableRequirement);
}

/** Minutes a party keeps its table: the first turn time whose maxParty reaches it, else the last one. */
export function turnMinutes(mode: TableMode, partySize: number): number {
  for (const t of mode.turnTimes) if (partySize <= t.maxParty) return t.minutes;
  return mode.turnTimes[mode.turnTimes.length - 1]!.minutes;
}

/** The requirements a table service plans with: its own, plus the store's arrival pacing (one unit per guest, arrival cell only). */
export function tableModeRequirements(mode: TableMode, service: ServiceDef): Requirement[] {
  if (!mode.pacing) return service.requirements;
  return [...service.requirements, { kind: 'equipment', skill: PACING_SKILL, quantity: 1, perPerson: true, arrivalOnly: true }];
}

/** First minute (epoch minutes) of the pacing window holding `startMs`: every arrival in the window claims that cell. */
export function arrivalMinute(startMs: number): number {
  return Math.floor(startMs / 60_000 / PACING_WINDOW_MINUTES) * PACING_WINDOW_MINUTES;
}

export interface TableOption {
  /** One table, or the tables of a combination (all taken together). */
  resourceIds: number[];
  minSeats: number;
  maxSeats: number;
}

/**
 * The tables a party may take, in the order reserve.lua tries them (it takes the first whose
 * cells are all free): options whose seat range holds the party; of those, options leaving more
 * than `maxExtraSeats` empty seats are dropped whenever one leaving fewer exists (a couple never
 * blocks a 6-top while 2-tops exist, even when the 2-tops are booked); then single tables before
 * combinations (a combination only when no single table is free), fewer seats first, fewer
 * tables first, lowest id first. Tables not in `active` (closed resources) are left out.
 */
export function tableOptions(mode: TableMode, partySize: number, active?: ReadonlySet<number>): TableOption[] {
  const all: TableOption[] = [
    ...mode.tables.map((t) => ({ resourceIds: [t.resourceId], minSeats: t.minSeats, maxSeats: t.maxSeats })),
    ...mode.combinations.map((c) => ({ resourceIds: [...c.resourceIds].sort((a, b) => a - b), minSeats: c.minSeats, maxSeats: c.maxSeats })),
  ];
  const fits = all.filter((o) => o.minSeats <= partySize && partySize <= o.maxSeats && (!active || o.resourceIds.every((r) => active.has(r))));
  const tight = fits.filter((o) => o.maxSeats - partySize <= mode.maxExtraSeats);
  return (tight.length > 0 ? tight : fits).sort(
    (a, b) =>
      Number(a.resourceIds.length > 1) - Number(b.resourceIds.length > 1) ||
      a.maxSeats - b.maxSeats ||
      a.resourceIds.length - b.resourceIds.length ||
      a.resourceIds[0]! - b.resourceIds[0]!,
  );
}

/** Seats of the tables in a candidate (for a combination: the merchant's stated maximum). */
export function seatsOf(mode: TableMode, resourceIds: readonly number[]): number {
  if (resourceIds.length === 1) return mode.tables.find((t) => t.resourceId === resourceIds[0])?.maxSeats ?? 0;
  const key = [...resourceIds].sort((a, b) => a - b).join('+');
  return mode.combinations.find((c) => [...c.resourceIds].sort((a, b) => a - b).join('+') === key)?.maxSeats ?? 0;
}
