import { Button, Text, View } from '@tarojs/components';

import { primaryClass } from '../../components/button-class';
import { type ApiError, kindOf, PAYMENT_CANCELLED } from '../../domain/api-error';
import { formatFen } from '../../domain/money';
import { formatLocalDateTime } from '../../domain/time';
import { t } from '../../i18n';
import type { Booking } from '../../services/api';

interface Props {
  booking: Booking;
  storeName: string;
  serviceName: string;
  timezone: string;
  paying: boolean;
  error: ApiError | null;
  onPay: () => void;
}

/** The slot is held until the payment deadline; a cancelled or failed payment can be tried again until then. */
export function PaymentStep(props: Props) {
  const { booking, timezone: tz, error } = props;
  const deadline = booking.paymentDueAt ? formatLocalDateTime(Date.parse(booking.paymentDueAt), tz) : '';
  return (
    <View className='page' id='booking-payment'>
      <View className='card'>
        <Text className='title'>{props.serviceName}</Text>
        <Text className='muted' style={{ display: 'block' }}>{`${formatLocalDateTime(Date.parse(booking.startAt), tz)} · ${props.storeName}`}</Text>
        <View className='gap' />
        <Text className='small' id='payment-deadline'>{t('book.awaitingPayment', { deadline })}</Text>
      </View>
      {error ? (
        <View className='card error-panel' id='payment-error' data-kind={kindOf(error)}>
          <Text className='error-title'>{error.code === PAYMENT_CANCELLED ? t('error.paymentCancelled') : t('error.paymentFailed')}</Text>
          {error.status > 0 ? <Text className='muted' style={{ display: 'block' }}>{error.message}</Text> : null}
          <Text className='muted'>{t('error.paymentFailedHint', { deadline })}</Text>
        </View>
      ) : null}
      <View className='footer-bar'>
        <Button id='pay-button' className={primaryClass(props.paying)} disabled={props.paying} onClick={props.onPay}>
          {props.paying ? t('book.paying') : t('book.pay', { amount: formatFen(booking.amountDueFen) })}
        </Button>
      </View>
    </View>
  );
}
