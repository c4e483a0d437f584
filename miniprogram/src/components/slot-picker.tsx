import { ScrollView, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';

import type { Slot } from '../domain/slots';
import { remainingFor } from '../domain/slots';
import { upcomingDates } from '../domain/time';
import { t } from '../i18n';
import { api } from '../services/api';
import { clock } from '../services/clock';
import { ErrorPanel } from './error-panel';

interface Props {
  storeId: number;
  serviceId: number;
  timezone: string;
  resourceId: number | null;
  selected: Slot | null;
  onSelect: (slot: Slot | null, daySlots: Slot[]) => void;
  /** Bump to read the day again (after a sold-out answer). */
  reloadKey?: number;
  days?: number;
}

/** Date tabs and the slots of the chosen day with their remaining places, read from the live inventory. */
export function SlotPicker(props: Props) {
  const dates = upcomingDates(clock.now(), props.timezone, props.days ?? 7);
  const [date, setDate] = useState(dates[0]!.date);
  const [slots, setSlots] = useState<Slot[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setSlots(null);
    setError(null);
    api
      .availability(props.storeId, props.serviceId, date, props.resourceId ?? undefined)
      .then((answer) => {
        if (!live) return;
        const future = answer.slots.filter((s) => Date.parse(s.startAt) > clock.now());
        setSlots(future);
        if (props.selected && !future.some((s) => s.startAt === props.selected!.startAt && remainingFor(s, props.resourceId) > 0)) props.onSelect(null, future);
      })
      .catch((caught) => live && setError(caught));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.storeId, props.serviceId, props.resourceId, date, props.reloadKey, attempt]);

  return (
    <View>
      <ScrollView scrollX className='date-tabs'>
        {dates.map((d) => (
          <View key={d.date} id={`date-${d.date}`} className={`date-tab ${d.date === date ? 'active' : ''}`} onClick={() => setDate(d.date)}>
            <Text className='small' style={{ display: 'block' }}>
              {d.label}
            </Text>
            <Text className='small'>{d.short}</Text>
          </View>
        ))}
      </ScrollView>
      {error ? <ErrorPanel error={error} onRetry={() => setAttempt((n) => n + 1)} /> : null}
      {!error && slots === null ? <Text className='muted'>{t('common.loading')}</Text> : null}
      {slots && slots.length === 0 ? <Text className='muted'>{t('book.noSlots')}</Text> : null}
      <View className='slot-grid'>
        {(slots ?? []).map((slot) => {
          const left = remainingFor(slot, props.resourceId);
          const active = props.selected?.startAt === slot.startAt;
          return (
            <View
              key={slot.startAt}
              id={`slot-${slot.localTime.replace(':', '')}`}
              className={`slot ${active ? 'active' : ''} ${left === 0 ? 'full' : ''}`}
              onClick={() => left > 0 && props.onSelect(slot, slots ?? [])}
            >
              <Text className='slot-time'>{slot.localTime}</Text>
              <Text className='slot-left'>{left > 0 ? t('book.remaining', { n: left }) : t('book.full')}</Text>
            </View>
          );
        })}
      </View>
    </View>
  );
}
