/** Money is integer fen everywhere; only this formats it for people. */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  if (cents === 0) return `${sign}¥${yuan}`;
  return `${sign}¥${yuan}.${String(cents).padStart(2, '0')}`;
}
