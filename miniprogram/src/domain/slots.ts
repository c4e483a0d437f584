export interface Slot {
  startAt: string;
  endAt: string;
  localTime: string;
  remaining: number;
  resources: { resourceId: number; remaining: number }[];
}

/** Free slots of a day that start after `afterMs` (the sold-out slot), nearest first. */
export function nextFreeSlots(slots: readonly Slot[], afterMs: number, count: number): Slot[] {
  return slots
    .filter((s) => s.remaining > 0 && Date.parse(s.startAt) > afterMs)
    .sort((a, b) => Date.parse(a.startAt) - Date.parse(b.startAt))
    .slice(0, count);
}

/** Remaining places for the chosen staff member, or for anyone when none is chosen. */
export function remainingFor(slot: Slot, resourceId: number | null): number {
  if (resourceId === null) return slot.remaining;
  return slot.resources.find((r) => r.resourceId === resourceId)?.remaining ?? 0;
}
