import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

/**
 * Each build carries its own side of the platform port (Taro picks `*.weapp.ts` for the weapp
 * build): WeChat's APIs in the weapp output, the fakes in the H5 output, never the other way.
 * Reads the builds ./ops/test makes before the test run; a missing build fails, it never skips.
 */
const dist = path.join(import.meta.dirname, '..', 'dist');

function bundleText(target: 'weapp' | 'h5'): string {
  const dir = path.join(dist, target);
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run npm run build:mini:${target} first (./ops/test does)`);
  const texts: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const file = path.join(at, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(js|wxml|json)$/.test(name)) texts.push(readFileSync(file, 'utf8'));
    }
  };
  walk(dir);
  return texts.join('\n');
}

describe('platform port per build', () => {
  it('the weapp build uses WeChat (location in gcj02, the getPhoneNumber button) and holds no fake', () => {
    const weapp = bundleText('weapp');
    expect(weapp).toContain('gcj02');
    expect(weapp).toContain('getPhoneNumber');
    expect(weapp).not.toContain('__fake__');
    expect(weapp).not.toContain('login-code');
  });

  it('the H5 build plays the phone against the fakes and never calls WeChat-only APIs of the weapp port', () => {
    const h5 = bundleText('h5');
    for (const fake of ['/login-code', '/pay', '/subscribe-consent', '/phone-code']) expect(h5).toContain(fake);
    expect(h5).not.toContain('gcj02');
  });
});
