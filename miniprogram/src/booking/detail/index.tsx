import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';

import { ErrorPanel } from '../../components/error-panel';
import { SlotPicker } from '../../components/slot-picker';
import { Stars } from '../../components/stars';
import { StatusTag } from '../../components/status-tag';
import { ApiError, PAYMENT_CANCELLED } from '../../domain/api-error';
import { actionsFor } from '../../domain/booking-status';
import { formatFen } from '../../domain/money';
import type { Slot } from '../../domain/slots';
import { formatLocalDateTime } from '../../domain/time';
import { t } from '../../i18n';
import { api, type Booking, type CancellationQuote, type StoreDetail } from '../../services/api';
import { watchBooking } from '../../services/booking-watch';
import { clock } from '../../services/clock';
import { payBooking } from '../../services/pay-booking';
import { storeDetail } from '../../services/store-cache';
import { buttonClass, primaryClass } from '../../components/button-class';

const SETTLED_REFUNDS = new Set(['SUCCESS', 'CLOSED', 'ABNORMAL']);
const refundSettled = (b: Booking) => (b.payment?.refunds ?? []).length > 0 && b.payment!.refunds.every((r) => SETTLED_REFUNDS.has(r.status));

const refundStatus: Record<string, string> = { PROCESSING: '处理中', SUCCESS: '已到账', PENDING: '处理中', CLOSED: '已关闭', ABNORMAL: '异常，客服处理中' };

function Row(props: { label: string; value: string; id?: string }) {
  return (
    <View className='row between field' id={props.id}>
      <Text className='muted'>{props.label}</Text>
      <Text className='small'>{props.value}</Text>
    </View>
  );
}

export default function BookingDetail() {
  const id = decodeURIComponent(useRouter().params.id ?? '');
  const [booking, setBooking] = useState<Booking | null>(null);
  const [store, setStore] = useState<StoreDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [moving, setMoving] = useState(false);
  const [newSlot, setNewSlot] = useState<Slot | null>(null);
  const [quote, setQuote] = useState<CancellationQuote | null>(null);
  const [busy, setBusy] = useState(false);
  const [rating, setRating] = useState(5);
  const [staffRating, setStaffRating] = useState(5);
  const [reviewText, setReviewText] = useState('');
  const [reviewed, setReviewed] = useState(false);
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const live = () => mounted.current;

  const load = useCallback(async () => {
    setError(null);
    try {
      const first = await api.booking(id);
      setBooking(first);
      setStore(await storeDetail(first.storeId, clock.now()));
      // Still in the pipeline, or a refund on its way: keep following it.
      if (first.status === 'PENDING') setBooking(await watchBooking(id, (b) => b.status !== 'PENDING', 30_000, setBooking, live));
    } catch (caught) {
      setError(caught);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  if (error) return <View className='page'><ErrorPanel error={error} onRetry={() => void load()} /></View>;
  if (!booking || !store) return <View className='page'><Text className='muted'>{t('common.loading')}</Text></View>;

  const tz = store.timezone;
  const service = store.services.find((s) => s.id === booking.serviceId);
  const staff = store.resources.find((r) => r.id === booking.resourceId);
  const actions = actionsFor(booking, clock.now(), reviewed);
  const payment = booking.payment;

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setActionError(null);
    try {
      await action();
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
    }
  }

  const reschedule = () =>
    run(async () => {
      if (!newSlot) return;
      const moved = await api.reschedule(booking.bookingId, newSlot.startAt, booking.resourceId ?? undefined);
      setBooking(moved);
      setMoving(false);
      setNewSlot(null);
      void Taro.showToast({ title: t('detail.rescheduled', { time: newSlot.localTime }), icon: 'none' });
    });

  const askCancel = () => run(async () => setQuote(await api.cancellationQuote(booking.bookingId)));

  const cancel = () =>
    run(async () => {
      const refundDue = quote?.refundFen ?? 0;
      const cancelled = await api.cancel(booking.bookingId);
      setBooking(cancelled);
      setQuote(null);
      // WeChat Pay refunds asynchronously: follow the booking until the refund has settled (or a while passes).
      if (refundDue > 0) void watchBooking(cancelled.bookingId, refundSettled, 30_000, setBooking, live).catch(() => undefined);
    });

  const pay = () =>
    run(async () => {
      try {
        setBooking(await payBooking(booking.bookingId, setBooking));
      } catch (caught) {
        if (caught instanceof ApiError && caught.code === PAYMENT_CANCELLED) return;
        throw caught;
      }
    });

  const review = () =>
    run(async () => {
      await api.review(booking.bookingId, { rating, staffRating: booking.resourceId && staff?.kind === 'staff' ? staffRating : undefined, text: reviewText });
      setReviewed(true);
      void Taro.showToast({ title: t('detail.reviewed'), icon: 'success' });
    });

  const quoteText = (q: CancellationQuote) => {
    if (q.paidFen === 0) return t('detail.cancelNoPayment');
    if (q.feeFen > 0) return t('detail.cancelLate', { fee: formatFen(q.feeFen), refund: formatFen(q.refundFen) });
    return t('detail.cancelFree', { paid: formatFen(q.paidFen) });
  };

  return (
    <View className='page' id='booking-detail'>
      <View className='card'>
        <View className='row between'>
          <Text className='title'>{service?.name ?? ''}</Text>
          <StatusTag status={booking.status} />
        </View>
        <Text className='muted' id='booking-status-label'>{booking.statusLabel}</Text>
      </View>

      {actions.checkinCode ? (
        <View className='card' id='checkin'>
          <Text className='muted'>{t('detail.checkinCode')}</Text>
          <Text className='checkin-code' id='checkin-code'>{booking.checkinCode}</Text>
          <Text className='muted'>{t('detail.checkinHint')}</Text>
        </View>
      ) : null}

      <View className='card'>
        <Row label={t('detail.time')} value={formatLocalDateTime(Date.parse(booking.startAt), tz)} id='booking-time' />
        <Row label={t('detail.store')} value={store.name} />
        {staff ? <Row label={t('detail.staff')} value={staff.name} /> : null}
        <Row label={t('detail.price')} value={formatFen(booking.priceFen)} />
        {payment && payment.status === 'PAID' ? <Row label={t('detail.paid')} value={formatFen(payment.amountFen)} id='paid-amount' /> : null}
        {(payment?.refunds ?? []).map((r, i) => (
          <Row key={i} label={t('detail.refunded')} value={t('detail.refund', { amount: formatFen(r.amountFen), status: refundStatus[r.status] ?? r.status })} id={`refund-${i}`} />
        ))}
        {(booking.answers ?? []).map((a) => (
          <Row key={a.key} label={a.label} value={a.display} />
        ))}
      </View>

      {actionError ? <ErrorPanel error={actionError} /> : null}

      {actions.pay ? (
        <View className='card'>
          <Text className='small'>{t('detail.payDeadline', { deadline: booking.paymentDueAt ? formatLocalDateTime(Date.parse(booking.paymentDueAt), tz) : '' })}</Text>
          <View className='gap' />
          <Button id='pay-button' className={primaryClass(busy)} disabled={busy} onClick={() => void pay()}>
            {t('detail.pay', { amount: formatFen(booking.amountDueFen) })}
          </Button>
        </View>
      ) : null}

      {actions.offer ? (
        <View className='card'>
          <Text className='small'>{t('detail.offerDeadline', { deadline: booking.offerExpiresAt ? formatLocalDateTime(Date.parse(booking.offerExpiresAt), tz) : '' })}</Text>
          <View className='gap' />
          <Button className={primaryClass(busy)} disabled={busy} onClick={() => void run(async () => setBooking(await api.acceptOffer(booking.bookingId)))}>
            {t('detail.acceptOffer')}
          </Button>
          <View className='gap' />
          <Button className={buttonClass('plain', busy)} disabled={busy} onClick={() => void run(async () => setBooking(await api.declineOffer(booking.bookingId)))}>
            {t('detail.declineOffer')}
          </Button>
        </View>
      ) : null}

      {moving ? (
        <View className='card' id='reschedule-panel'>
          <Text className='section-title'>{t('detail.rescheduleTitle')}</Text>
          <SlotPicker storeId={booking.storeId} serviceId={booking.serviceId} timezone={tz} resourceId={null} selected={newSlot} onSelect={(s) => setNewSlot(s && s.startAt !== booking.startAt ? s : null)} />
          <Button id='confirm-reschedule' className={primaryClass(!newSlot || busy)} disabled={!newSlot || busy} onClick={() => void reschedule()}>
            {newSlot ? t('detail.rescheduleConfirm', { time: `${newSlot.localTime}` }) : t('detail.rescheduleTitle')}
          </Button>
        </View>
      ) : null}

      {quote ? (
        <View className='card' id='cancel-quote'>
          <Text className='section-title'>{t('detail.cancelTitle')}</Text>
          <Text className='small' id='cancel-quote-text' style={{ display: 'block' }}>{quoteText(quote)}</Text>
          {quote.freeUntil ? <Text className='muted' style={{ display: 'block' }}>{t('detail.cancelFreeUntil', { time: formatLocalDateTime(Date.parse(quote.freeUntil), tz) })}</Text> : null}
          <View className='gap' />
          <Button id='confirm-cancel' className={primaryClass(busy || !quote.cancellable)} disabled={busy || !quote.cancellable} onClick={() => void cancel()}>
            {t('detail.cancelConfirm')}
          </Button>
          <View className='gap' />
          <Button className='btn btn-plain' onClick={() => setQuote(null)}>
            {t('detail.keep')}
          </Button>
        </View>
      ) : null}

      {booking.status === 'CANCELLED' && (payment?.refunds.length ?? 0) > 0 ? (
        <View className='card' id='refund-note'>
          <Text className='small'>{t('detail.refundNote', { amount: formatFen(payment!.refunds.reduce((sum, r) => sum + r.amountFen, 0)) })}</Text>
        </View>
      ) : null}

      {actions.review ? (
        <View className='card' id='review-form'>
          <Text className='section-title'>{t('detail.review')}</Text>
          <Text className='field-label'>{t('detail.reviewService')}</Text>
          <Stars value={rating} onChange={setRating} name='rating-service' />
          {staff?.kind === 'staff' ? (
            <View>
              <Text className='field-label'>{t('detail.reviewStaff')}</Text>
              <Stars value={staffRating} onChange={setStaffRating} name='rating-staff' />
            </View>
          ) : null}
          <Textarea className='input' style={{ width: 'auto', marginTop: '16px' }} maxlength={500} value={reviewText} placeholder={t('detail.reviewText')} onInput={(e) => setReviewText(e.detail.value)} />
          <View className='gap' />
          <Button id='submit-review' className={primaryClass(busy)} disabled={busy} onClick={() => void review()}>
            {t('detail.reviewSubmit')}
          </Button>
        </View>
      ) : null}

      {!moving && !quote && (actions.reschedule || actions.cancel) ? (
        <View className='footer-bar row'>
          {actions.reschedule ? (
            <Button id='reschedule-button' className='btn btn-ghost grow' style={{ marginRight: '16px' }} onClick={() => setMoving(true)}>
              {t('detail.reschedule')}
            </Button>
          ) : null}
          {actions.cancel ? (
            <Button id='cancel-button' className={buttonClass('plain', busy, 'grow')} disabled={busy} onClick={() => void askCancel()}>
              {t('detail.cancel')}
            </Button>
          ) : null}
        </View>
      ) : null}
    </View>
  );
}
