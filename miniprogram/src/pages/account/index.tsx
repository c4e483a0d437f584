import { Button, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useState } from 'react';

import { ErrorPanel } from '../../components/error-panel';
import { PhoneBind } from '../../components/phone-bind';
import { t } from '../../i18n';
import { api } from '../../services/api';
import { go } from '../../services/navigation';
import { clearPendingBookings } from '../../services/pending-bookings';
import { currentSession, login, logout } from '../../services/session';
import { primaryClass } from '../../components/button-class';

export default function Account() {
  const [session, setSession] = useState(currentSession());
  const [phone, setPhone] = useState('');
  const [unread, setUnread] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const refresh = async () => {
    if (!currentSession()) return;
    try {
      const [me, notices] = await Promise.all([api.me(), api.notices()]);
      setPhone(me.phoneMasked ?? '');
      setUnread(notices.unread);
    } catch (caught) {
      setError(caught);
    }
  };
  useDidShow(() => {
    setSession(currentSession());
    void refresh();
  });

  const doLogin = async () => {
    setBusy(true);
    setError(null);
    try {
      setSession(await login());
      await refresh();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const bind = async (code: string) => {
    setBusy(true);
    setError(null);
    try {
      const { phoneMasked } = await api.bindPhone(code);
      setPhone(phoneMasked);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (!session) {
    return (
      <View className='page' id='account'>
        <View className='card result'>
          <Text className='result-icon'>👤</Text>
          <View className='gap' />
          <Button id='login-button' className={primaryClass(busy)} disabled={busy} onClick={() => void doLogin()}>
            {t('account.login')}
          </Button>
        </View>
        {error ? <ErrorPanel error={error} onRetry={() => void doLogin()} /> : null}
      </View>
    );
  }

  return (
    <View className='page' id='account'>
      <View className='card'>
        <Text className='title' id='account-name'>{t('account.customer', { id: session.customerId })}</Text>
        <Text className='muted'>{t('account.loggedIn')}</Text>
      </View>
      <View className='card' id='phone'>
        <Text className='section-title'>{t('account.phone')}</Text>
        {phone ? (
          <Text className='small' id='phone-bound'>{t('account.phoneBound', { phone })}</Text>
        ) : (
          <View>
            <Text className='muted' style={{ display: 'block', marginBottom: '12px' }}>{t('account.phoneHint')}</Text>
            <PhoneBind busy={busy} onCode={(code) => void bind(code)} />
          </View>
        )}
      </View>
      <View className='card row between' id='notices-entry' onClick={() => go.notices()}>
        <Text className='strong'>{t('account.notices')}</Text>
        <Text className={unread ? 'price small' : 'muted'}>{unread ? t('account.unread', { n: unread }) : '›'}</Text>
      </View>
      {error ? <ErrorPanel error={error} onRetry={() => void refresh()} /> : null}
      <Button className='btn btn-plain' onClick={() => { logout(); clearPendingBookings(); setSession(null); setPhone(''); setUnread(null); }}>
        {t('account.logout')}
      </Button>
    </View>
  );
}
