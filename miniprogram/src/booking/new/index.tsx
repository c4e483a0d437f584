import { Button, Input, Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useEffect, useMemo, useRef, useState } from 'react';

import { ErrorPanel } from '../../components/error-panel';
import { FormFields } from '../../components/form-fields';
import { SlotPicker } from '../../components/slot-picker';
import { ApiError, isTransient, kindOf, PAYMENT_FAILED } from '../../domain/api-error';
import { answersPayload, validateAnswers, type Answers, type FormField } from '../../domain/booking-form';
import { formatFen } from '../../domain/money';
import { nextFreeSlots, type Slot } from '../../domain/slots';
import { formatLocalDate, localDateOf } from '../../domain/time';
import { t } from '../../i18n';
import { api, type Booking, type StoreDetail } from '../../services/api';
import { watchBooking } from '../../services/booking-watch';
import { clock } from '../../services/clock';
import { newIdempotencyKey } from '../../services/idempotency';
import { go } from '../../services/navigation';
import { payBooking } from '../../services/pay-booking';
import { rememberPendingBooking } from '../../services/pending-bookings';
import { storeDetail } from '../../services/store-cache';
import { ConfirmedStep } from './confirmed-step';
import { PaymentStep } from './payment-step';
import { primaryClass } from '../../components/button-class';

type Phase = 'choose' | 'submitting' | 'pending' | 'submitted' | 'payment' | 'paying' | 'confirmed' | 'failed';

export default function NewBooking() {
  const params = useRouter().params;
  const storeId = Number(params.storeId);
  const [store, setStore] = useState<StoreDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [serviceId, setServiceId] = useState(Number(params.serviceId));
  const [resourceId, setResourceId] = useState<number | null>(params.resourceId ? Number(params.resourceId) : null);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [partySize, setPartySize] = useState(1);
  const [fields, setFields] = useState<FormField[]>([]);
  const [answers, setAnswers] = useState<Answers>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [phase, setPhase] = useState<Phase>('choose');
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [alternatives, setAlternatives] = useState<Slot[]>([]);
  const [waitlist, setWaitlist] = useState<{ position: number | null } | null>(null);
  // The slot that was sold out under the customer's finger: what the waitlist is for, even once the grid has moved on.
  const [soldOut, setSoldOut] = useState<Slot | null>(null);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [paymentError, setPaymentError] = useState<ApiError | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const attemptKey = useRef<string | null>(null);

  useEffect(() => {
    // The store page just read it: the booking screen opens without a second request.
    storeDetail(storeId, clock.now()).then(setStore, setLoadError);
  }, [storeId]);
  useEffect(() => {
    setFields([]);
    api.bookingForm(storeId, serviceId).then((form) => setFields(form.fields), () => setFields([]));
  }, [storeId, serviceId]);
  // Any change of choice is a new attempt (a new idempotency key).
  useEffect(() => {
    attemptKey.current = null;
  }, [serviceId, resourceId, slot, partySize, answers, note]);

  const service = store?.services.find((s) => s.id === serviceId) ?? null;
  const staff = useMemo(() => (store ? store.resources.filter((r) => r.kind === 'staff') : []), [store]);

  if (loadError) return <View className='page'><ErrorPanel error={loadError} onRetry={() => storeDetail(storeId, clock.now()).then(setStore, setLoadError)} /></View>;
  if (!store || !service) return <View className='page'><Text className='muted'>{t('common.loading')}</Text></View>;
  const tz = store.timezone;
  const priceFen = service.priceFen * (service.pricedPerPerson ? partySize : 1);
  const payOnline = service.payment.mode !== 'none' && service.payment.amountFen !== null;

  async function followUntilSettled(id: string) {
    setPhase('pending');
    const settled = await watchBooking(id, (b) => b.status !== 'PENDING', 30_000, setBooking);
    setBooking(settled);
    if (settled.status === 'CONFIRMED') setPhase('confirmed');
    else if (settled.status === 'AWAITING_PAYMENT') setPhase('payment');
    // Accepted but not yet written (workers behind or restarting): it is not lost, only slow.
    else if (settled.status === 'PENDING') setPhase('submitted');
    else setPhase('failed');
  }

  async function submit() {
    if (!slot) return;
    const found = validateAnswers(fields, answers);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setSubmitError(null);
    setWaitlist(null);
    setAlternatives([]);
    attemptKey.current ??= newIdempotencyKey(clock.now());
    setPhase('submitting');
    try {
      const payload = answersPayload(fields, answers);
      const accepted = await api.createBooking(
        { storeId, serviceId, startAt: slot.startAt, resourceId: resourceId ?? undefined, partySize, note: note.trim(), answers: Object.keys(payload).length ? payload : undefined },
        attemptKey.current,
      );
      rememberPendingBooking(accepted.bookingId);
      await followUntilSettled(accepted.bookingId);
    } catch (caught) {
      setPhase('choose');
      setSubmitError(caught);
      if (!isTransient(caught)) attemptKey.current = null;
      if (kindOf(caught) === 'sold_out') {
        setSoldOut(slot);
        // Offer what is still free that day, nearest first, and refresh the grid.
        const day = await api.availability(storeId, serviceId, localDateOf(Date.parse(slot.startAt), tz), resourceId ?? undefined).catch(() => null);
        setAlternatives(day ? nextFreeSlots(day.slots, Date.parse(slot.startAt) - 1, 4).filter((s) => s.startAt !== slot.startAt) : []);
        setReloadKey((n) => n + 1);
      }
    }
  }

  async function joinWaitlist() {
    if (!soldOut) return;
    try {
      const entry = await api.joinWaitlist({ storeId, serviceId, startAt: soldOut.startAt, partySize, resourceId: resourceId ?? undefined });
      setWaitlist({ position: entry.position });
    } catch (caught) {
      setSubmitError(caught);
    }
  }

  async function pay() {
    if (!booking) return;
    setPaymentError(null);
    setPhase('paying');
    try {
      const settled = await payBooking(booking.bookingId, setBooking);
      setBooking(settled);
      setPhase(settled.status === 'CONFIRMED' ? 'confirmed' : settled.status === 'AWAITING_PAYMENT' ? 'payment' : 'failed');
    } catch (caught) {
      setPaymentError(caught instanceof ApiError ? caught : new ApiError(0, PAYMENT_FAILED, String(caught)));
      setPhase('payment');
    }
  }

  const when = slot ? `${formatLocalDate(Date.parse(slot.startAt), tz)} ${slot.localTime}` : '';

  if (phase === 'confirmed' && booking) {
    return <ConfirmedStep booking={booking} storeName={store.name} serviceName={service.name} timezone={tz} />;
  }

  if ((phase === 'payment' || phase === 'paying') && booking) {
    return <PaymentStep booking={booking} storeName={store.name} serviceName={service.name} timezone={tz} paying={phase === 'paying'} error={paymentError} onPay={() => void pay()} />;
  }

  if (phase === 'submitted' && booking) {
    return (
      <View className='page' id='booking-submitted'>
        <View className='card result'>
          <Text className='result-icon'>⏳</Text>
          <Text className='title'>{t('book.submittedTitle')}</Text>
          <View className='gap' />
          <Text className='muted'>{t('book.submittedHint')}</Text>
          <View className='gap' />
          <Button className='btn btn-primary' onClick={() => go.bookingReplacing(booking.bookingId)}>
            {t('book.viewBooking')}
          </Button>
        </View>
      </View>
    );
  }

  if (phase === 'failed' && booking) {
    return (
      <View className='page' id='booking-failed'>
        <View className='card error-panel'>
          <Text className='error-title'>{booking.status === 'EXPIRED' ? t('book.expired') : t('book.rejected', { reason: booking.statusLabel })}</Text>
          <View className='gap' />
          <Button className='btn btn-ghost btn-small' onClick={() => { setBooking(null); setSlot(null); setReloadKey((n) => n + 1); setPhase('choose'); }}>
            {t('common.retry')}
          </Button>
        </View>
      </View>
    );
  }

  const busy = phase === 'submitting' || phase === 'pending';
  return (
    <View className='page' id='booking-new'>
      <View className='card'>
        <Text className='title'>{store.name}</Text>
        <View className='gap' />
        <View className='row wrap' id='service-choices'>
          {store.services.map((s) => (
            <Text key={s.id} className={`chip ${s.id === serviceId ? 'active' : ''}`} onClick={() => { setServiceId(s.id); setSlot(null); }}>
              {s.name}
            </Text>
          ))}
        </View>
        <Text className='muted'>
          {t('common.minutes', { n: service.durationMinutes })} · <Text className='price'>{formatFen(service.priceFen)}</Text>
        </Text>
      </View>

      {staff.length > 0 ? (
        <View className='card' id='staff-choices'>
          <Text className='section-title'>{t('book.staff')}</Text>
          <View className='row wrap'>
            <Text className={`chip ${resourceId === null ? 'active' : ''}`} id='staff-any' onClick={() => { setResourceId(null); setSlot(null); }}>
              {t('book.anyStaff')}
            </Text>
            {staff.map((r) => (
              <Text key={r.id} id={`staff-${r.id}`} className={`chip ${resourceId === r.id ? 'active' : ''}`} onClick={() => { setResourceId(r.id); setSlot(null); }}>
                {r.name}
                {r.rating?.average != null ? ` ★${r.rating.average.toFixed(1)}` : ''}
              </Text>
            ))}
          </View>
        </View>
      ) : null}

      <View className='card' id='slot-picker'>
        <Text className='section-title'>{t('book.slot')}</Text>
        <SlotPicker storeId={storeId} serviceId={serviceId} timezone={tz} resourceId={resourceId} selected={slot} reloadKey={reloadKey} onSelect={(s) => { setSlot(s); if (s) setSubmitError(null); }} />
      </View>

      {submitError ? (
        <ErrorPanel error={submitError} onRetry={() => void submit()}>
          {kindOf(submitError) === 'sold_out' ? (
            <View id='sold-out-options'>
              {alternatives.length > 0 ? <Text className='section-title'>{t('error.nextSlots')}</Text> : null}
              <View className='row wrap'>
                {alternatives.map((s) => (
                  <Text key={s.startAt} className='chip' onClick={() => { setSlot(s); setSubmitError(null); }}>
                    {s.localTime}
                  </Text>
                ))}
              </View>
              {waitlist ? (
                <Text className='small' id='waitlist-joined'>{t('error.waitlistJoined', { n: waitlist.position ?? 1 })}</Text>
              ) : (
                <Button id='join-waitlist' className='btn btn-ghost btn-small' onClick={() => void joinWaitlist()}>
                  {t('error.joinWaitlist')}
                </Button>
              )}
            </View>
          ) : null}
        </ErrorPanel>
      ) : null}

      {slot ? (
        <View className='card' id='booking-details'>
          {service.maxPartySize > 1 ? (
            <View className='field row between'>
              <Text className='field-label'>{t('book.partySize')}</Text>
              <View className='row'>
                <Text className='chip' onClick={() => setPartySize((n) => Math.max(1, n - 1))}>－</Text>
                <Text className='strong' style={{ margin: '0 16px 16px 0' }}>{partySize}</Text>
                <Text className='chip' onClick={() => setPartySize((n) => Math.min(service.maxPartySize, n + 1))}>＋</Text>
              </View>
            </View>
          ) : null}
          {fields.length > 0 ? <Text className='section-title'>{t('book.form')}</Text> : null}
          <FormFields fields={fields} answers={answers} problems={problems} onChange={(key, value) => setAnswers((a) => ({ ...a, [key]: value }))} />
          <View className='field'>
            <Text className='field-label'>{t('book.note')}</Text>
            <Input className='input' maxlength={200} value={note} onInput={(e) => setNote(e.detail.value)} />
          </View>
        </View>
      ) : null}

      <View className='footer-bar'>
        {slot ? (
          <View style={{ marginBottom: '12px' }}>
            <Text className='small strong' id='booking-summary'>{t('book.summary', { date: when.split(' ').slice(0, 2).join(' '), time: slot.localTime, service: service.name })}</Text>
            <Text className='muted' style={{ display: 'block' }}>
              {t('book.price', { amount: formatFen(priceFen) })}
              {payOnline ? ` · ${t('book.payNow', { amount: formatFen((service.payment.amountFen ?? 0) * (service.pricedPerPerson ? partySize : 1)), hours: service.payment.freeCancelHours })}` : ''}
            </Text>
          </View>
        ) : null}
        <Button id='confirm-booking' className={primaryClass(!slot || busy)} disabled={!slot || busy} onClick={() => void submit()}>
          {phase === 'pending' ? t('book.pending') : busy ? t('book.submitting') : t('book.confirm')}
        </Button>
      </View>
    </View>
  );
}
