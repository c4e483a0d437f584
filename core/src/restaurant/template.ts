import type { TemplateTableMode } from '../templates/types.ts';
import type { TableMode } from './table-mode.ts';

/** A template's table mode with its unit names replaced by the ids the new store's resources got. */
export function resolveTemplateTableMode(mode: TemplateTableMode, idByUnitName: ReadonlyMap<string, number>): TableMode {
  const idOf = (unit: string): number => {
    const id = idByUnitName.get(unit);
    if (id === undefined) throw new Error(`table mode names unit "${unit}" that the template does not have`);
    return id;
  };
  return {
    tables: mode.tables.map((t) => ({ resourceId: idOf(t.unit), minSeats: t.minSeats, maxSeats: t.maxSeats })),
    combinations: mode.combinations.map((c) => ({ resourceIds: c.units.map(idOf), minSeats: c.minSeats, maxSeats: c.maxSeats })),
    turnTimes: mode.turnTimes.map((t) => ({ ...t })),
    maxExtraSeats: mode.maxExtraSeats,
    pacing: mode.pacing ? { resourceId: idOf(mode.pacing.unit), maxCovers: mode.pacing.maxCovers } : null,
  };
}
