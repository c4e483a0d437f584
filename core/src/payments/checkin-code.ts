import { randomInt } from 'node:crypto';

/** Six digits staff type or scan at the counter (核销); single use because check-in is a one-way transition. */
export function newCheckinCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function isCheckinCode(value: string): boolean {
  return /^\d{6}$/.test(value);
}
