import { Button, ScrollView, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';

import { ErrorPanel } from '../../components/error-panel';
import { formatFen } from '../../domain/money';
import { formatLocalDate } from '../../domain/time';
import { t } from '../../i18n';
import { platform } from '../../platform';
import { api, type Review, type StoreDetail, type StoreService } from '../../services/api';
import { clock } from '../../services/clock';
import { go } from '../../services/navigation';
import { storeDetail } from '../../services/store-cache';

function paymentNote(service: StoreService): string {
  const { mode, amountFen } = service.payment;
  if (mode === 'deposit' && amountFen !== null) return t('store.deposit', { amount: formatFen(amountFen) });
  if (mode === 'full' && amountFen !== null) return t('store.prepay', { amount: formatFen(amountFen) });
  return t('store.payAtStore');
}

export default function StorePage() {
  const id = Number(useRouter().params.id);
  const [store, setStore] = useState<StoreDetail | null>(null);
  const [reviews, setReviews] = useState<Review[]>([]);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const [detail, page] = await Promise.all([storeDetail(id, clock.now(), { fresh: true }), api.reviews(id, 5)]);
      setStore(detail);
      setReviews(page.reviews);
      void Taro.setNavigationBarTitle({ title: detail.name });
    } catch (caught) {
      setError(caught);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  if (error) return <View className='page'><ErrorPanel error={error} onRetry={() => void load()} /></View>;
  if (!store) return <View className='page'><Text className='muted'>{t('common.loading')}</Text></View>;

  const staff = store.resources.filter((r) => r.kind === 'staff');
  return (
    <View className='page' id='store-page'>
      <View className='card'>
        <Text className='title' id='store-name'>{store.name}</Text>
        <View className='gap' />
        <Text className='small'>
          {store.rating.average !== null ? <Text className='price'>★ {store.rating.average.toFixed(1)} </Text> : <Text className='muted'>{t('common.noRating')} </Text>}
          <Text className='muted'>{t('common.ratingCount', { n: store.rating.count })} · {store.industryLabel ?? store.industry}</Text>
        </Text>
      </View>

      <View className='card' id='services'>
        <Text className='section-title'>{t('store.services')}</Text>
        {store.services.map((service) => (
          <View key={service.id} className='service-item' id={`service-${service.id}`}>
            <View className='grow'>
              <Text className='strong' style={{ display: 'block' }}>{service.name}</Text>
              <Text className='muted' style={{ display: 'block' }}>
                {t('common.minutes', { n: service.durationMinutes })} · {paymentNote(service)}
              </Text>
              <Text className='price'>
                {formatFen(service.priceFen)}
                {service.pricedPerPerson ? t('store.perPerson') : ''}
              </Text>
            </View>
            <Button className='btn btn-primary btn-small book-button' onClick={() => go.book(store.id, service.id)}>
              {t('store.book')}
            </Button>
          </View>
        ))}
      </View>

      {staff.length > 0 ? (
        <View className='card' id='staff'>
          <Text className='section-title'>{t('store.staff')}</Text>
          <ScrollView scrollX style={{ whiteSpace: 'nowrap' }}>
            {staff.map((r) => (
              <View key={r.id} className='staff-item'>
                <Text className='strong' style={{ display: 'block' }}>{r.name}</Text>
                <Text className='muted' style={{ display: 'block' }}>
                  {r.rating?.average != null ? `★ ${r.rating.average.toFixed(1)}` : t('common.noRating')}
                </Text>
                <Text className='muted'>{r.skills.slice(0, 2).join(' ')}</Text>
              </View>
            ))}
          </ScrollView>
        </View>
      ) : null}

      <View className='card' id='reviews'>
        <Text className='section-title'>{t('store.reviews')}</Text>
        {reviews.length === 0 ? <Text className='muted'>{t('store.noReviews')}</Text> : null}
        {reviews.map((r) => (
          <View key={r.id} className='field'>
            <View className='row between'>
              <Text className='small strong'>{r.reviewer}</Text>
              <Text className='price small'>{'★'.repeat(r.rating)}</Text>
            </View>
            {r.text ? <Text className='small' style={{ display: 'block' }}>{r.text}</Text> : null}
            <Text className='muted'>
              {r.service.name ?? ''}
              {r.staff?.name ? ` · ${r.staff.name}` : ''} · {formatLocalDate(Date.parse(r.createdAt), store.timezone)}
            </Text>
          </View>
        ))}
      </View>

      <View className='card' id='location'>
        <Text className='section-title'>{t('store.location')}</Text>
        <Text className='small' style={{ display: 'block' }}>{store.address}</Text>
        <View className='gap' />
        <Button className='btn btn-plain btn-small' onClick={() => void platform.openLocation({ lat: store.lat, lng: store.lng, name: store.name, address: store.address })}>
          {t('store.navigate')}
        </Button>
      </View>
    </View>
  );
}
