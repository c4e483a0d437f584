import { Text, View } from '@tarojs/components';

export function Stars(props: { value: number; onChange?: (value: number) => void; name?: string }) {
  return (
    <View className='stars row' id={props.name}>
      {[1, 2, 3, 4, 5].map((n) => (
        <Text key={n} className={`star ${n <= props.value ? 'on' : ''}`} onClick={() => props.onChange?.(n)}>
          ★
        </Text>
      ))}
    </View>
  );
}
