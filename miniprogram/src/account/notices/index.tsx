import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';

import { ErrorPanel } from '../../components/error-panel';
import { formatLocalDateTime } from '../../domain/time';
import { t } from '../../i18n';
import { api, type Notice } from '../../services/api';
import { go } from '../../services/navigation';

// Notices carry instants; customers read them in China's zone unless a store says otherwise.
const DISPLAY_ZONE = 'Asia/Shanghai';

export default function Notices() {
  const [notices, setNotices] = useState<Notice[] | null>(null);
  const [unread, setUnread] = useState(0);
  const [error, setError] = useState<unknown>(null);

  const load = async () => {
    try {
      const answer = await api.notices();
      setNotices(answer.notices);
      setUnread(answer.unread);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  if (error) return <View className='page'><ErrorPanel error={error} onRetry={() => void load()} /></View>;
  if (!notices) return <View className='page'><Text className='muted'>{t('common.loading')}</Text></View>;
  return (
    <View className='page' id='notices'>
      {unread > 0 ? (
        <Button id='mark-all-read' className='btn btn-plain btn-small' onClick={() => void api.markAllRead().then(load, setError)}>
          {t('account.markAllRead')}
        </Button>
      ) : null}
      <View className='gap' />
      {notices.length === 0 ? <Text className='muted'>{t('account.noNotices')}</Text> : null}
      {notices.map((n) => (
        <View key={n.id} className={`card notice ${n.read ? '' : 'notice-unread'}`} onClick={() => n.bookingId && go.booking(n.bookingId)}>
          <Text className='strong' style={{ display: 'block' }}>{n.title}</Text>
          <Text className='small' style={{ display: 'block' }}>{n.body}</Text>
          <Text className='muted'>{formatLocalDateTime(Date.parse(n.createdAt), DISPLAY_ZONE)}</Text>
        </View>
      ))}
    </View>
  );
}
