/** One key per booking attempt: a retry after a lost answer reuses it, a changed choice gets a new one. */
export function newIdempotencyKey(nowMs: number): string {
  let random = '';
  while (random.length < 16) random += Math.random().toString(36).slice(2);
  return `mp${nowMs.toString(36)}${random.slice(0, 16)}`;
}
