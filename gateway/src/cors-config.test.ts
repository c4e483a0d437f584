import { describe, expect, it } from 'vitest';
import { DEV_CORS_ORIGINS, loadGatewayConfig } from './config.ts';

describe('CORS_ORIGINS', () => {
  it('when unset in development, then the H5 host origins; in test or production, then off', () => {
    expect(loadGatewayConfig({}).CORS_ORIGINS).toEqual(DEV_CORS_ORIGINS.split(','));
    expect(loadGatewayConfig({ NODE_ENV: 'test' }).CORS_ORIGINS).toEqual([]);
  });

  it('when set empty, then off even in development; when listed, then exactly those', () => {
    expect(loadGatewayConfig({ CORS_ORIGINS: '' }).CORS_ORIGINS).toEqual([]);
    expect(loadGatewayConfig({ NODE_ENV: 'test', CORS_ORIGINS: 'https://h5.example.com, http://10.0.0.2:8088' }).CORS_ORIGINS).toEqual(['https://h5.example.com', 'http://10.0.0.2:8088']);
  });

  it('when an entry is not an exact origin, then the configuration is refused', () => {
    expect(() => loadGatewayConfig({ CORS_ORIGINS: 'https://h5.example.com/app' })).toThrow(/not an exact origin/);
    expect(() => loadGatewayConfig({ CORS_ORIGINS: '*' })).toThrow(/not an exact origin/);
  });
});
