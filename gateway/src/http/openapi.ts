import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { ErrorBodySchema } from './schemas.ts';

/** Routes describe themselves here next to their handlers; /openapi.json is generated from the same zod schemas. */
export const openapiRegistry = new OpenAPIRegistry();
openapiRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

export function describeRoute(
  route: Omit<RouteConfig, 'responses'> & { ok: { status: number; schema?: z.ZodType; description: string }; errors?: number[]; auth?: boolean },
): void {
  const { ok, errors = [], auth = false, ...rest } = route;
  const responses: RouteConfig['responses'] = {
    [ok.status]: ok.schema ? json(ok.schema, ok.description) : { description: ok.description },
  };
  for (const status of [...new Set([...errors, 500])]) responses[status] = json(ErrorBodySchema, errorDescriptions[status] ?? 'Error');
  openapiRegistry.registerPath({ ...rest, ...(auth ? { security: [{ bearer: [] }] } : {}), responses });
}

const errorDescriptions: Record<number, string> = {
  400: 'Invalid input (the reason is in error.code and error.issues); nothing changed',
  401: 'Missing, invalid or expired token',
  403: 'Not allowed for this role',
  404: 'Not found (also for another tenant’s ids)',
  409: 'Conflicts with the current state (sold out, closed, already cancelled…)',
  422: 'Idempotency key reused with a different request',
  429: 'Limit reached',
  500: 'Unexpected error (details are logged, not returned)',
  503: 'A backing service is unavailable or inventory is being rebuilt; retry after Retry-After',
};

export function openapiDocument(): object {
  return new OpenApiGeneratorV31(openapiRegistry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: '智约 Zhiyue booking API',
      version: '1.0.0',
      description: 'Queue-first booking: POST /v1/bookings answers 202 PENDING; poll GET /v1/bookings/{id} for the outcome.',
    },
    servers: [{ url: '/' }],
  });
}
