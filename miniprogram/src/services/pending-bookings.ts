import Taro from '@tarojs/taro';

/**
 * Bookings this phone had accepted (202) but may not be in MySQL yet. "My bookings" lists what
 * MySQL holds; until a booking shows up there (or ends), the list asks for it by id, so an
 * accepted booking is on screen as 确认中 from the first second — never missing, never doubled.
 */
const KEY = 'zy.pendingBookings';
const MAX = 20;

export function pendingBookingIds(): string[] {
  try {
    const stored = Taro.getStorageSync(KEY) as string[] | '';
    return Array.isArray(stored) ? stored : [];
  } catch {
    return [];
  }
}

export function rememberPendingBooking(id: string): void {
  const ids = pendingBookingIds().filter((known) => known !== id);
  Taro.setStorageSync(KEY, [id, ...ids].slice(0, MAX));
}

export function forgetPendingBookings(ids: readonly string[]): void {
  if (ids.length === 0) return;
  Taro.setStorageSync(KEY, pendingBookingIds().filter((known) => !ids.includes(known)));
}

/** On logout: another customer may use this phone next. */
export function clearPendingBookings(): void {
  Taro.removeStorageSync(KEY);
}
