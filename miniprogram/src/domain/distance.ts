/** Under a kilometre in whole metres (rounded to 10), above it in km with one decimal. */
export function formatDistance(meters: number): { unit: 'm' | 'km'; value: string } {
  if (meters < 1000) return { unit: 'm', value: String(Math.max(10, Math.round(meters / 10) * 10)) };
  const km = meters / 1000;
  return { unit: 'km', value: km >= 100 ? String(Math.round(km)) : km.toFixed(1) };
}
