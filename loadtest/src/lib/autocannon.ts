import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/**
 * Typed access to autocannon's programmatic API. autocannon ships no types and
 * @types/autocannon would be a dependency for a handful of fields, so the few
 * we use are declared here.
 */

export interface AutocannonRequestData {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  [key: string]: unknown;
}

export interface AutocannonRequest extends AutocannonRequestData {
  /** Called before every request of a connection; its return value is what is sent. */
  setupRequest?: (request: AutocannonRequestData, context: Record<string, unknown>) => AutocannonRequestData;
  onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string | string[]>) => void;
}

export interface AutocannonOptions {
  url: string;
  connections: number;
  /** Total requests; the run ends when all are answered (duration is ignored then). */
  amount?: number;
  /** Seconds. */
  duration?: number;
  /** Requests per second over all connections. */
  overallRate?: number;
  /** Per-request timeout, seconds. */
  timeout?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: AutocannonRequest[];
}

interface Percentiles {
  average: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  total: number;
}

export interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: Percentiles;
  requests: Percentiles;
  duration: number;
}

/** The tracker: emits 'response' (client, status, bytes, ms) and 'reqError' (error). */
export type AutocannonInstance = EventEmitter & { stop(): void };

type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface AutocannonRun {
  instance: AutocannonInstance;
  result: Promise<AutocannonResult>;
}

export function startAutocannon(options: AutocannonOptions): AutocannonRun {
  let instance!: AutocannonInstance;
  const result = new Promise<AutocannonResult>((resolve, reject) => {
    instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
  return { instance, result };
}
