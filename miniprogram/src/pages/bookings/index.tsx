import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';

import { ErrorPanel } from '../../components/error-panel';
import { StatusTag } from '../../components/status-tag';
import { isSettling, splitBookings } from '../../domain/booking-status';
import { formatFen } from '../../domain/money';
import { formatLocalDateTime } from '../../domain/time';
import { t } from '../../i18n';
import { api, type Booking, type StoreDetail } from '../../services/api';
import { clock } from '../../services/clock';
import { go } from '../../services/navigation';
import { forgetPendingBookings, pendingBookingIds } from '../../services/pending-bookings';
import { currentSession, login } from '../../services/session';
import { storeDetail } from '../../services/store-cache';

function BookingCard(props: { booking: Booking; store: StoreDetail | undefined }) {
  const { booking, store } = props;
  const service = store?.services.find((s) => s.id === booking.serviceId);
  return (
    <View className='card booking-card' id={`booking-${booking.bookingId}`} onClick={() => go.booking(booking.bookingId)}>
      <View className='row between'>
        <Text className='strong'>{service?.name ?? ''}</Text>
        <StatusTag status={booking.status} />
      </View>
      <Text className='muted' style={{ display: 'block' }}>{store?.name ?? ''}</Text>
      <View className='row between'>
        <Text className='small'>{store ? formatLocalDateTime(Date.parse(booking.startAt), store.timezone) : ''}</Text>
        <Text className='price small'>{formatFen(booking.priceFen)}</Text>
      </View>
    </View>
  );
}

/** Adds bookings this phone had accepted that MySQL does not hold yet (still 确认中), and forgets settled ones. */
async function withAcceptedNotYetPersisted(persisted: Booking[]): Promise<Booking[]> {
  const remembered = pendingBookingIds();
  const known = new Set(persisted.map((b) => b.bookingId));
  const fetched = await Promise.all(remembered.filter((id) => !known.has(id)).map((id) => api.booking(id).catch(() => null)));
  const stillPending = fetched.filter((b): b is Booking => b !== null && b.status === 'PENDING');
  const pendingIds = new Set(stillPending.map((b) => b.bookingId));
  forgetPendingBookings(remembered.filter((id) => !pendingIds.has(id)));
  return [...stillPending, ...persisted];
}

export default function MyBookings() {
  const [bookings, setBookings] = useState<Booking[] | null>(null);
  const [stores, setStores] = useState<Map<number, StoreDetail>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const [loggedIn, setLoggedIn] = useState(currentSession() !== null);
  const visible = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    if (!currentSession()) return;
    try {
      const { bookings: persisted } = await api.myBookings();
      const list = await withAcceptedNotYetPersisted(persisted);
      const ids = [...new Set(list.map((b) => b.storeId))];
      const details = await Promise.all(ids.map((id) => storeDetail(id, clock.now()).catch(() => null)));
      setStores(new Map(details.filter((d): d is StoreDetail => d !== null).map((d) => [d.id, d])));
      setBookings(list);
      setError(null);
      // While the pipeline still moves a booking, follow it.
      if (timer.current) clearTimeout(timer.current);
      if (visible.current && list.some((b) => isSettling(b.status))) timer.current = setTimeout(() => void load(), 1000);
    } catch (caught) {
      setError(caught);
    }
  }, []);

  useDidShow(() => {
    visible.current = true;
    setLoggedIn(currentSession() !== null);
    void load();
  });
  useDidHide(() => {
    visible.current = false;
    if (timer.current) clearTimeout(timer.current);
  });
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  usePullDownRefresh(() => void load().finally(() => Taro.stopPullDownRefresh()));

  if (!loggedIn) {
    return (
      <View className='page'>
        <View className='card result'>
          <Text className='muted' style={{ display: 'block', marginBottom: '24px' }}>{t('bookings.loginHint')}</Text>
          <Button className='btn btn-primary' onClick={() => void login().then(() => { setLoggedIn(true); void load(); }, setError)}>
            {t('account.login')}
          </Button>
        </View>
        {error ? <ErrorPanel error={error} /> : null}
      </View>
    );
  }
  if (error) return <View className='page'><ErrorPanel error={error} onRetry={() => void load()} /></View>;
  if (!bookings) return <View className='page'><Text className='muted'>{t('common.loading')}</Text></View>;

  const { upcoming, past } = splitBookings(bookings, clock.now());
  return (
    <View className='page' id='my-bookings'>
      {bookings.length === 0 ? (
        <View className='card result'>
          <Text className='muted' style={{ display: 'block', marginBottom: '24px' }}>{t('bookings.empty')}</Text>
          <Button className='btn btn-primary' onClick={() => go.home()}>{t('bookings.goHome')}</Button>
        </View>
      ) : null}
      {upcoming.length > 0 ? <Text className='section-title'>{t('bookings.upcoming')}</Text> : null}
      <View id='upcoming'>
        {upcoming.map((b) => <BookingCard key={b.bookingId} booking={b} store={stores.get(b.storeId)} />)}
      </View>
      {past.length > 0 ? <Text className='section-title'>{t('bookings.past')}</Text> : null}
      <View id='past'>
        {past.map((b) => <BookingCard key={b.bookingId} booking={b} store={stores.get(b.storeId)} />)}
      </View>
    </View>
  );
}
