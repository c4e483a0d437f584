import type { AvailabilityQuery, InventoryLookup, Slot } from '../availability/slots.ts';
import { computeSlots } from '../availability/slots.ts';
import type { GroupPlan } from '../inventory/plan.ts';
import { heldBackUnits, withheld } from './admission.ts';

/**
 * Availability as the caller may book it: for a non-VIP, slots whose reserved share is still closed are
 * computed on cells with `capacity - R` (the same rule reserve.lua applies to the same counters), so a
 * slot whose only units left are reserved shows `remaining: 0`; VIPs and slots past the cut-off see all.
 */
export function computeSlotsFor(query: AvailabilityQuery, planned: { startMs: number; groups: GroupPlan[] }[], lookup: InventoryLookup, vip: boolean): Slot[] {
  const share = query.catalog.priority?.services.get(query.service.id);
  if (!share || vip) return computeSlots(query, planned, lookup);
  const restricted = planned.filter((p) => heldBackUnits(share, p.startMs, query.nowMs, false) > 0);
  if (restricted.length === 0) return computeSlots(query, planned, lookup);
  const open = planned.filter((p) => heldBackUnits(share, p.startMs, query.nowMs, false) === 0);
  const reduced: InventoryLookup = (date, field) => withheld(lookup(date, field), share.vipReservedUnits);
  return [...computeSlots(query, open, lookup), ...computeSlots(query, restricted, reduced)].sort((a, b) => a.startMs - b.startMs);
}

/** Whether any of these slots still holds a share back from non-members (else membership changes nothing). */
export function anyShareClosed(query: AvailabilityQuery, planned: { startMs: number }[]): boolean {
  const share = query.catalog.priority?.services.get(query.service.id);
  return share !== undefined && planned.some((p) => heldBackUnits(share, p.startMs, query.nowMs, false) > 0);
}
