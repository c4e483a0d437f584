import { Text } from '@tarojs/components';

import { toneOf, type BookingStatus } from '../domain/booking-status';
import { t } from '../i18n';

export function StatusTag(props: { status: BookingStatus }) {
  return <Text className={`tag tone-${toneOf(props.status)} status-tag`}>{t(`status.${props.status}`)}</Text>;
}
