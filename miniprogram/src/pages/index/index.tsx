import { Button, Input, Text, View } from '@tarojs/components';
import { usePullDownRefresh } from '@tarojs/taro';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';

import { ErrorPanel } from '../../components/error-panel';
import { formatDistance } from '../../domain/distance';
import { formatFen } from '../../domain/money';
import { t } from '../../i18n';
import { platform } from '../../platform';
import type { GeoPoint } from '../../platform/types';
import { api, type Industry, type RecommendedService, type StoreQuery, type StoreSummary } from '../../services/api';
import { go } from '../../services/navigation';

// Icon keys come from GET /v1/industries (core/src/catalog/industries.ts).
const ICONS: Record<string, string> = {
  scissors: '💇', nail: '💅', clinic: '🩺', tooth: '🦷', dumbbell: '🏋️', yoga: '🧘', book: '📚', dining: '🍽️',
  camera: '📷', car: '🚗', mic: '🎤', pet: '🐶', court: '🏸', other: '✨',
};
const iconOf = (key: string) => ICONS[key] ?? ICONS.other;

function Distance(props: { meters?: number }) {
  if (props.meters === undefined) return null;
  const d = formatDistance(props.meters);
  return <Text className='muted'>{t(d.unit === 'm' ? 'home.distance.m' : 'home.distance.km', { n: d.value })}</Text>;
}

function RatingText(props: { rating: StoreSummary['rating'] }) {
  if (props.rating.average === null) return <Text className='muted'>{t('common.noRating')}</Text>;
  return (
    <Text className='small'>
      <Text className='price'>★ {props.rating.average.toFixed(1)}</Text> <Text className='muted'>{t('common.ratingCount', { n: props.rating.count })}</Text>
    </Text>
  );
}

export default function Home() {
  const [point, setPoint] = useState<GeoPoint | null | undefined>(undefined);
  const [industries, setIndustries] = useState<Industry[]>([]);
  const [recommended, setRecommended] = useState<RecommendedService[]>([]);
  const [stores, setStores] = useState<StoreSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [text, setText] = useState('');
  const [filter, setFilter] = useState<{ q: string; industry: string; minRating: boolean; sort: 'distance' | 'rating' }>({ q: '', industry: '', minRating: false, sort: 'distance' });

  useEffect(() => {
    void platform.getLocation().then(setPoint);
    api.industries().then((a) => setIndustries(a.industries.filter((i) => i.storeCount > 0)), setError);
  }, []);

  const load = useCallback(async () => {
    if (point === undefined) return;
    setError(null);
    const query: StoreQuery = { q: filter.q || undefined, industry: filter.industry || undefined, minRating: filter.minRating ? 4.5 : undefined, limit: 30 };
    if (point) Object.assign(query, { lat: point.lat, lng: point.lng });
    query.sort = point && filter.sort === 'distance' ? 'distance' : 'rating';
    try {
      const [list, recs] = await Promise.all([api.stores(query), api.recommended(point)]);
      setStores(list.stores);
      setRecommended(recs.services);
    } catch (caught) {
      setError(caught);
    }
  }, [point, filter]);

  useEffect(() => {
    void load();
  }, [load]);
  usePullDownRefresh(() => void load().finally(() => Taro.stopPullDownRefresh()));

  const searching = filter.q !== '' || filter.industry !== '' || filter.minRating;
  return (
    <View className='page' id='home'>
      <View className='search-bar'>
        <Input id='search-input' className='search-input' value={text} placeholder={t('home.searchPlaceholder')} confirmType='search' onInput={(e) => setText(e.detail.value)} onConfirm={() => setFilter((f) => ({ ...f, q: text.trim() }))} />
        <Button id='search-button' className='btn btn-primary btn-small' onClick={() => setFilter((f) => ({ ...f, q: text.trim() }))}>
          {t('home.search')}
        </Button>
      </View>

      {industries.length > 0 ? (
        <View className='card row wrap' id='categories'>
          <View className='category' onClick={() => setFilter((f) => ({ ...f, industry: '' }))}>
            <Text className='category-icon'>🏠</Text>
            <Text className={`category-label ${filter.industry === '' ? 'price' : ''}`}>{t('home.allCategories')}</Text>
          </View>
          {industries.map((i) => (
            <View key={i.code} className='category' id={`industry-${i.code}`} onClick={() => setFilter((f) => ({ ...f, industry: f.industry === i.code ? '' : i.code }))}>
              <Text className='category-icon'>{iconOf(i.icon)}</Text>
              <Text className={`category-label ${filter.industry === i.code ? 'price' : ''}`}>{i.label}</Text>
            </View>
          ))}
        </View>
      ) : null}

      {!searching && recommended.length > 0 ? (
        <View className='card' id='recommended'>
          <Text className='section-title'>{t('home.recommended')}</Text>
          {recommended.map((s) => (
            <View key={s.serviceId} className='service-item' onClick={() => go.store(s.storeId)}>
              <View className='grow'>
                <Text className='strong' style={{ display: 'block' }}>
                  {s.name}
                </Text>
                <Text className='muted'>
                  {s.storeName} · {t('common.minutes', { n: s.durationMinutes })}
                </Text>
              </View>
              <Text className='price'>{formatFen(s.priceFen)}</Text>
            </View>
          ))}
        </View>
      ) : null}

      <View className='card' id='stores'>
        <View className='row between'>
          <Text className='section-title'>{searching ? t('home.results') : t('home.nearby')}</Text>
          <View className='row'>
            {point ? (
              <Text className={`chip ${filter.sort === 'distance' ? 'active' : ''}`} onClick={() => setFilter((f) => ({ ...f, sort: 'distance' }))}>
                {t('home.sortDistance')}
              </Text>
            ) : null}
            <Text className={`chip ${filter.sort === 'rating' || !point ? 'active' : ''}`} onClick={() => setFilter((f) => ({ ...f, sort: 'rating' }))}>
              {t('home.sortRating')}
            </Text>
            <Text id='filter-rating' className={`chip ${filter.minRating ? 'active' : ''}`} onClick={() => setFilter((f) => ({ ...f, minRating: !f.minRating }))}>
              {t('home.highRating')}
            </Text>
          </View>
        </View>
        {point === null ? <Text className='muted'>{t('home.locationDenied')}</Text> : null}
        {error ? <ErrorPanel error={error} onRetry={() => void load()} /> : null}
        {!error && stores === null ? <Text className='muted'>{t('common.loading')}</Text> : null}
        {stores && stores.length === 0 ? <Text className='muted'>{t('home.noStores')}</Text> : null}
        {(stores ?? []).map((s) => (
          <View key={s.id} className='store-item' id={`store-${s.id}`} onClick={() => go.store(s.id)}>
            <View className='grow'>
              <Text className='strong store-name' style={{ display: 'block' }}>
                {s.name}
              </Text>
              <Text className='muted' style={{ display: 'block' }}>
                {s.industryLabel ?? s.industry} · {s.address}
              </Text>
              <RatingText rating={s.rating} />
            </View>
            <Distance meters={s.distanceMeters} />
          </View>
        ))}
      </View>
    </View>
  );
}
