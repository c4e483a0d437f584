import { Input, Picker, Text, View } from '@tarojs/components';

import type { Answers, FormField } from '../domain/booking-form';
import { t } from '../i18n';

interface Props {
  fields: readonly FormField[];
  answers: Answers;
  problems: Record<string, string>;
  onChange: (key: string, value: Answers[string]) => void;
}

/** The merchant's booking form, rendered from its definition (seven field kinds). */
export function FormFields(props: Props) {
  return (
    <View>
      {props.fields.map((field) => (
        <View key={field.key} className='field' id={`field-${field.key}`}>
          {field.type !== 'consent' ? (
            <Text className='field-label'>
              {field.label}
              {field.required ? ' *' : ''}
            </Text>
          ) : null}
          <FieldInput field={field} value={props.answers[field.key]} onChange={(value) => props.onChange(field.key, value)} />
          {field.help ? <Text className='muted'>{field.help}</Text> : null}
          {props.problems[field.key] ? <Text className='field-error'>{props.problems[field.key]}</Text> : null}
        </View>
      ))}
    </View>
  );
}

function FieldInput(props: { field: FormField; value: Answers[string]; onChange: (value: Answers[string]) => void }) {
  const { field, value, onChange } = props;
  switch (field.type) {
    case 'text':
      return <Input className='input' value={String(value ?? '')} maxlength={field.maxLength} placeholder={field.label} onInput={(e) => onChange(e.detail.value)} />;
    case 'phone':
      return <Input className='input' type='number' maxlength={11} value={String(value ?? '')} placeholder={field.label} onInput={(e) => onChange(e.detail.value)} />;
    case 'number':
      return <Input className='input' type='digit' value={value === undefined ? '' : String(value)} placeholder={field.label} onInput={(e) => onChange(e.detail.value)} />;
    case 'date':
      return (
        <Picker mode='date' value={String(value ?? '')} onChange={(e) => onChange(String(e.detail.value))}>
          <View className='input'>{value ? String(value) : field.label}</View>
        </Picker>
      );
    case 'choice': {
      const picked = Array.isArray(value) ? value : value ? [String(value)] : [];
      return (
        <View className='row wrap'>
          {field.options.map((option) => {
            const on = picked.includes(option.key);
            const toggle = () => {
              if (!field.multiple) return onChange(on ? undefined : option.key);
              onChange(on ? picked.filter((k) => k !== option.key) : [...picked, option.key]);
            };
            return (
              <Text key={option.key} className={`chip ${on ? 'active' : ''}`} onClick={toggle}>
                {option.label}
              </Text>
            );
          })}
        </View>
      );
    }
    case 'consent':
      return (
        <View className='row' id={`consent-${field.key}`} onClick={() => onChange(value === true ? undefined : true)}>
          <Text className={`chip ${value === true ? 'active' : ''}`}>{value === true ? '✓' : '○'}</Text>
          <Text className='grow small'>
            {t('form.agree')}
            {field.label}：{field.text}
          </Text>
        </View>
      );
    case 'file':
      return <Text className='muted'>{t('form.fileUnsupported', { label: field.label })}</Text>;
  }
}
