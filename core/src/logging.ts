import { pino, type Logger } from 'pino';
import { maskPhonesInText } from './pii/phone.ts';

export type { Logger };

/**
 * One JSON logger per process. Secrets are redacted by path, and every string
 * that looks like a mainland mobile number is masked (138****5678) wherever it
 * appears, since no list of paths catches a phone inside an error message.
 */
export function createLogger(options: { name: string; level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          '*.password',
          '*.secret',
          '*.session_key',
          '*.sessionKey',
          '*.phone',
          '*.phoneNumber',
          '*.token',
        ],
        censor: '[redacted]',
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => maskDeep(a, 0)) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

function maskDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskPhonesInText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const masked = new Error(maskPhonesInText(value.message));
    masked.name = value.name;
    masked.stack = value.stack === undefined ? undefined : maskPhonesInText(value.stack);
    return masked;
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, depth + 1)]));
}
