import { Button } from '@tarojs/components';

import { t } from '../../i18n';

/** WeChat hands the phone number over only through this button (a code the server exchanges). */
export function PhoneBind(props: { onCode: (code: string) => void; busy: boolean }) {
  return (
    <Button
      className='btn btn-ghost btn-small'
      openType='getPhoneNumber'
      disabled={props.busy}
      onGetPhoneNumber={(e) => {
        const code = (e.detail as { code?: string }).code;
        if (code) props.onCode(code);
      }}
    >
      {t('account.bindPhone')}
    </Button>
  );
}
