import { Button, Input, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';

import { runtimeConfig } from '../../config';
import { t } from '../../i18n';
import { buttonClass } from '../button-class';

/** H5 stand-in for WeChat's phone button: the fake WeChat API issues the code a real phone would get. */
export function PhoneBind(props: { onCode: (code: string) => void; busy: boolean }) {
  const [phone, setPhone] = useState('');
  const submit = async () => {
    const response = await Taro.request<{ code?: string; error?: string }>({
      url: `${runtimeConfig.wechatFakeBase}/__fake__/phone-code`,
      method: 'POST',
      data: { phone },
      header: { 'content-type': 'application/json' },
    });
    if (response.statusCode === 200 && response.data.code) props.onCode(response.data.code);
    else void Taro.showToast({ title: t('form.phone'), icon: 'none' });
  };
  return (
    <View className='row'>
      <Input id='phone-input' className='input grow' type='number' maxlength={11} value={phone} placeholder={t('account.phoneInput')} onInput={(e) => setPhone(e.detail.value)} />
      <Button id='bind-phone' className={buttonClass('ghost', props.busy || phone.length !== 11, 'btn-small')} disabled={props.busy || phone.length !== 11} onClick={() => void submit()}>
        {t('account.bindPhone')}
      </Button>
    </View>
  );
}
