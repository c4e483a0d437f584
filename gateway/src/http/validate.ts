import type { z } from 'zod';
import { AppError } from '../../../core/src/errors.ts';

/** Parses a request part with its schema; failures become 400 VALIDATION_FAILED listing each problem. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' | 'headers'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('VALIDATION_FAILED', `invalid ${where}`, {
    issues: result.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message })),
  });
}
