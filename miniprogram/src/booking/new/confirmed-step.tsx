import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';

import { formatLocalDate, formatLocalTime } from '../../domain/time';
import { t } from '../../i18n';
import type { Booking } from '../../services/api';
import { go } from '../../services/navigation';
import { loadSubscribeOffer, subscribe, type SubscribeOffer } from '../../services/subscribe';

/** The booking is confirmed: say so, and offer reminders (WeChat only asks from a tap, so the offer is loaded first). */
export function ConfirmedStep(props: { booking: Booking; storeName: string; serviceName: string; timezone: string }) {
  const { booking, timezone: tz } = props;
  const [offer, setOffer] = useState<SubscribeOffer | null>(null);
  const [subscribed, setSubscribed] = useState(false);

  useEffect(() => {
    loadSubscribeOffer().then(setOffer, () => setOffer(null));
  }, []);

  async function askSubscribe() {
    // Normally loaded by now; if not, load it here (WeChat may then refuse the prompt: no tap gesture left).
    const current = offer ?? (await loadSubscribeOffer().catch(() => null));
    if (!current) return;
    const accepted = await subscribe(current).catch(() => 0);
    setSubscribed(accepted > 0);
    if (accepted > 0) void Taro.showToast({ title: t('book.subscribed'), icon: 'success' });
  }

  const start = Date.parse(booking.startAt);
  return (
    <View className='page' id='booking-confirmed'>
      <View className='card result'>
        <Text className='result-icon'>✅</Text>
        <Text className='title'>{t('book.confirmed')}</Text>
        <View className='gap' />
        <Text className='small'>{t('book.confirmedDetail', { date: formatLocalDate(start, tz), time: formatLocalTime(start, tz), store: props.storeName })}</Text>
        <Text className='muted' style={{ display: 'block' }}>{props.serviceName}</Text>
      </View>
      <View className='card'>
        {subscribed ? (
          <Text className='muted' id='subscribed'>{t('book.subscribed')}</Text>
        ) : (
          <View>
            <Text className='muted' style={{ display: 'block', marginBottom: '8px' }}>{t('book.subscribeHint')}</Text>
            <Button id='subscribe-button' className='btn btn-ghost' onClick={() => void askSubscribe()}>
              {t('book.subscribe')}
            </Button>
          </View>
        )}
        <View className='gap' />
        <Button id='view-booking' className='btn btn-primary' onClick={() => go.bookingReplacing(booking.bookingId)}>
          {t('book.viewBooking')}
        </Button>
      </View>
    </View>
  );
}
