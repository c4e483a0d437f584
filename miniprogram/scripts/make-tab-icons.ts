/**
 * Draws the tab-bar icons (the weapp tab bar takes PNG files only) from inline SVG with the
 * same Chromium the E2E tests use. Run once after changing a shape; the PNGs are committed.
 *   node miniprogram/scripts/make-tab-icons.ts
 */
import path from 'node:path';

import { chromium } from 'playwright-core';

const shapes: Record<string, string> = {
  home: '<polyline points="14,40 40,16 67,40"/><polyline points="22,34 22,66 58,66 58,34"/>',
  bookings: '<rect x="14" y="18" width="53" height="48" rx="6"/><line x1="14" y1="32" x2="67" y2="32"/><line x1="28" y1="10" x2="28" y2="24"/><line x1="53" y1="10" x2="53" y2="24"/>',
  account: '<circle cx="40" cy="28" r="13"/><path d="M14 70 a26 22 0 0 1 52 0"/>',
};
const colors = { normal: '#8a8f99', active: '#f0633c' };
const out = path.join(import.meta.dirname, '..', 'src', 'assets', 'tab');

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage({ viewport: { width: 81, height: 81 } });
for (const [name, shape] of Object.entries(shapes)) {
  for (const [state, color] of Object.entries(colors)) {
    await page.setContent(`<body style="margin:0;background:transparent"><svg xmlns="http://www.w3.org/2000/svg" width="81" height="81" fill="none" stroke="${color}" stroke-width="6" stroke-linecap="round" stroke-linejoin="round">${shape}</svg></body>`);
    await page.screenshot({ path: path.join(out, `${name}-${state}.png`), omitBackground: true });
  }
}
await browser.close();
console.log(`tab icons written to ${out}`);
