import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2e, startE2e } from './harness.ts';

/** The page's window, in code that runs in the page (the root tsconfig has no DOM lib). */
type PageWindow = { __ZHIYUE_CONFIG__?: unknown; document: { querySelector(selector: string): { childElementCount: number } | null } };

// The H5 build loads in Chromium against a real stack; builds nothing (ops/test builds first).
let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e('smoke');
});

afterAll(async () => {
  await e2e?.stop();
});

describe('H5 smoke', () => {
  it('when the app loads, then the title says 智约, it sees the injected config and the stack’s date, and a screenshot is saved', async () => {
    const { page } = e2e;
    e2e.phase('load');

    await page.goto(e2e.h5Url);
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).document.querySelector('#app')?.childElementCount);

    expect(await page.title()).toContain('智约');
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).__ZHIYUE_CONFIG__)).toEqual(e2e.config);
    const browserNow = await page.evaluate(() => Date.now());
    expect(Math.abs(browserNow - e2e.stack.env.clock.now())).toBeLessThan(60_000);
    // …and runs on in real time (timers are not frozen).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await page.evaluate(() => Date.now())) - browserNow).toBeGreaterThanOrEqual(200);
    // Cross-origin, as the app calls it: the gateway allows the H5 host's origin (CORS_ORIGINS).
    const store = await page.evaluate(async (url) => (await fetch(url)).status, `${e2e.config.apiBase}/v1/stores/${e2e.seed.storeId}`);
    expect(store).toBe(200);
    expect(e2e.screens('load')).toBeGreaterThanOrEqual(1);
    expect(await e2e.shot('home')).toMatch(/01-home\.png$/);
    expect(e2e.errors).toEqual([]);
    expect(e2e.httpErrors).toEqual([]);
  });
});
