import { Button, Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';

import { ApiError, kindOf } from '../domain/api-error';
import { t, type MessageKey } from '../i18n';

const copy: Partial<Record<ReturnType<typeof kindOf>, [MessageKey, MessageKey]>> = {
  sold_out: ['error.soldOut', 'error.soldOutHint'],
  network: ['error.network', 'error.networkHint'],
  rate_limited: ['error.rateLimited', 'error.rateLimitedHint'],
  customer_limit: ['error.customerLimit', 'error.rateLimitedHint'],
  weekly_limit: ['error.weeklyLimit', 'error.rateLimitedHint'],
  unavailable: ['error.unavailable', 'error.unavailableHint'],
  not_found: ['error.notFound', 'error.unavailableHint'],
};

/** Every failure gets a title, a sentence on what to do and, where it helps, a way forward. Never a blank screen. */
export function ErrorPanel(props: { error: unknown; onRetry?: () => void; children?: ReactNode }) {
  const kind = kindOf(props.error);
  const [titleKey, hintKey] = copy[kind] ?? ['error.generic', 'error.unavailableHint'];
  let hint = t(hintKey);
  if (kind === 'rate_limited' && props.error instanceof ApiError && props.error.retryAfterSeconds) hint = t('error.rateLimitedRetry', { n: props.error.retryAfterSeconds });
  // The server's own sentence is the most precise for validation and unexpected refusals.
  if ((kind === 'invalid' || kind === 'other') && props.error instanceof ApiError) hint = props.error.issues[0]?.message ?? props.error.message;
  return (
    <View className='card error-panel' id='error-panel' data-kind={kind}>
      <Text className='error-title'>{t(titleKey)}</Text>
      <Text className='muted'>{hint}</Text>
      {props.children}
      {props.onRetry && kind !== 'sold_out' ? (
        <View className='gap'>
          <Button className='btn btn-ghost btn-small' onClick={props.onRetry}>
            {t('common.retry')}
          </Button>
        </View>
      ) : null}
    </View>
  );
}
