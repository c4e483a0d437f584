import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

/**
 * Taro 4.2.x breaks `npm ci` (@tarojs/binding lists optional binaries never published), so every
 * @tarojs/* package stays at exactly 4.1.11 — in package.json and in what the lock file installs.
 * Only @tarojs/plugin-doctor (and its binaries) has its own version line, pulled in by the CLI.
 */
const root = path.join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };

describe('mini program tool-chain pins', () => {
  it('declares every @tarojs/* dependency as exactly 4.1.11, and every dependency as an exact version', () => {
    const declared = { ...manifest.dependencies, ...manifest.devDependencies };
    const taro = Object.entries(declared).filter(([name]) => name.startsWith('@tarojs/'));
    expect(taro.length).toBeGreaterThan(10);
    expect(taro.filter(([, version]) => version !== '4.1.11')).toEqual([]);
    expect(Object.entries(declared).filter(([, version]) => !/^\d+\.\d+\.\d+$/.test(version))).toEqual([]);
    expect(declared.typescript).toBe('5.9.3');
  });

  it('locks every installed @tarojs/* package at 4.1.11 (plugin-doctor aside)', () => {
    const installed = Object.entries(lock.packages)
      .map(([where, entry]) => [where.replace(/^.*node_modules\//, ''), entry.version] as const)
      .filter(([name]) => name.startsWith('@tarojs/') && !name.startsWith('@tarojs/plugin-doctor'));
    expect(installed.length).toBeGreaterThan(20);
    expect(installed.filter(([, version]) => version !== '4.1.11')).toEqual([]);
  });
});
