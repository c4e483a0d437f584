import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type E2e, startE2e } from './harness.ts';

/**
 * The whole consumer journey in the H5 build, in Chromium, against the real gateway and workers,
 * MariaDB, Redis and the fake WeChat servers: log in, bind a phone, find the store, book a slot,
 * pay the deposit, see it confirmed, subscribe to reminders, reschedule, cancel and see the refund.
 * Every step saves a screenshot under miniprogram/e2e/artifacts/.
 */

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e('booking-flow');
});

afterAll(async () => {
  await e2e?.stop();
});

const TOMORROW = '2026-12-02';

describe('consumer booking journey (H5 build, real stack)', () => {
  it('a new user logs in, finds a store, books and pays a deposit, is confirmed, reschedules, cancels and sees the refund', async () => {
    const { page, seed, stack } = e2e;

    // ── home: nearby stores by distance ─────────────────────────────────────
    e2e.phase('home');
    await page.goto(e2e.h5Url);
    const storeRow = page.locator(`#store-${seed.storeId}`);
    await storeRow.waitFor();
    await expect.poll(() => storeRow.innerText()).toMatch(/10m|km|m/);
    await e2e.shot('home-nearby');

    // ── account: WeChat login and phone binding ─────────────────────────────
    e2e.phase('login');
    await e2e.tap(page.getByText('我的', { exact: true }).last());
    await e2e.tap(page.locator('#login-button'));
    await page.locator('#account-name').waitFor();
    await page.locator('#phone-input input').fill('13800138000');
    await e2e.tap(page.locator('#bind-phone'));
    await expect.poll(() => page.locator('#phone-bound').innerText()).toContain('138****8000');
    // A fresh start of the app shows the binding from the server (GET /v1/me), not from the phone's memory.
    await page.reload();
    await expect.poll(() => page.locator('#phone-bound').innerText()).toContain('138****8000');
    await e2e.shot('account-logged-in');

    // ── search the store by name and open it ────────────────────────────────
    e2e.phase('find');
    await e2e.tap(page.getByText('首页', { exact: true }).last());
    await page.locator('#search-input input').fill('青丝');
    await e2e.tap(page.locator('#search-button'));
    await expect.poll(() => page.locator('#stores').innerText()).toContain('搜索结果');
    await e2e.tap(page.locator(`#store-${seed.storeId}`));
    await page.locator('#store-page').waitFor();
    await expect.poll(() => page.locator('#services').innerText()).toContain('需付定金 ¥30');
    expect(await page.locator('#staff').innerText()).toContain('王晓');
    await e2e.shot('store-page');

    // ── choose service, staff, date, slot ───────────────────────────────────
    e2e.phase('choose');
    const fromStorePage = Date.now();
    await e2e.tap(page.locator(`#service-${seed.depositServiceId} .book-button`));
    await page.locator('#booking-new').waitFor();
    await e2e.tap(page.locator(`#staff-${seed.staffIds[0]}`));
    await e2e.tap(page.locator(`#date-${TOMORROW}`));
    const slot = page.locator('#slot-1400');
    await expect.poll(() => slot.innerText()).toContain('余 1');
    await e2e.tap(slot);
    await e2e.shot('slot-chosen');

    // ── from the chosen slot to confirmed: counted ──────────────────────────
    e2e.phase('confirm');
    await e2e.tap(page.locator('#field-agree .chip'));
    await e2e.tap(page.locator('#confirm-booking'));
    await page.locator('#booking-payment').waitFor();
    expect(await page.locator('#payment-deadline').innerText()).toContain('前完成支付');
    await e2e.shot('payment-due');
    await e2e.tap(page.locator('#pay-button'));
    await e2e.shot('payment-sheet');
    await e2e.tap(page.getByText('确认支付', { exact: true }));
    await page.locator('#booking-confirmed').waitFor({ timeout: 20_000 });
    await e2e.shot('confirmed');
    const budget = {
      taps: e2e.taps('confirm'),
      screens: e2e.screens('confirm'),
      routes: e2e.routes('confirm'),
      // The whole way from the store page: what a customer does, and how long the system makes them wait.
      storePageTaps: e2e.taps('choose') + e2e.taps('confirm'),
      storePageScreens: new Set([...e2e.routes('choose'), ...e2e.routes('confirm')]).size,
      storePageSeconds: (Date.now() - fromStorePage) / 1000,
    };
    console.log(
      `booking flow, chosen slot → confirmed: ${budget.taps} taps on ${budget.screens} screens (${budget.routes.join(' → ')}); budget 5 taps. ` +
        `Store page → confirmed: ${budget.storePageTaps} taps on ${budget.storePageScreens} screens, ${budget.storePageSeconds.toFixed(1)} s of machine time (screenshots included)`,
    );
    await writeFile(path.join(e2e.runDir, 'flow-budget.json'), JSON.stringify(budget, null, 2));
    expect(budget.taps).toBeLessThanOrEqual(5);
    expect(budget.screens).toBeLessThanOrEqual(2);

    // ── subscribe prompt after success ──────────────────────────────────────
    e2e.phase('subscribe');
    // Readable: Taro's H5 button paints every `[disabled]` one (and it keeps disabled="false") with white text.
    const ink = await page.locator('#subscribe-button').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
    expect(ink).toBe('rgb(240, 99, 60)');
    await e2e.tap(page.locator('#subscribe-button'));
    await e2e.tap(page.getByText('允许', { exact: true }));
    await page.locator('#subscribed').waitFor();
    await e2e.shot('subscribed');

    // ── booking detail: confirmed, deposit paid, check-in code ──────────────
    e2e.phase('detail');
    await e2e.tap(page.locator('#view-booking'));
    await page.locator('#booking-detail').waitFor();
    await expect.poll(() => page.locator('.status-tag').innerText()).toBe('已确认');
    expect(await page.locator('#checkin-code').innerText()).toMatch(/^\d{6}$/);
    expect(await page.locator('#paid-amount').innerText()).toContain('¥30');
    expect(await page.locator('#booking-time').innerText()).toContain('14:00');
    await e2e.shot('booking-detail');

    const token = await stack.login(e2e.config.fakeUser);
    const mine = await stack.request('GET', '/v1/me/bookings', { token });
    expect(mine.body.bookings).toHaveLength(1);
    const bookingId: string = mine.body.bookings[0].bookingId;
    expect(mine.body.bookings[0]).toMatchObject({ status: 'CONFIRMED', resourceId: seed.staffIds[0], serviceId: seed.depositServiceId });

    // ── reschedule ──────────────────────────────────────────────────────────
    e2e.phase('reschedule');
    await e2e.tap(page.locator('#reschedule-button'));
    await e2e.tap(page.locator('#reschedule-panel').locator(`#date-${TOMORROW}`));
    await e2e.tap(page.locator('#reschedule-panel #slot-1600'));
    await e2e.tap(page.locator('#confirm-reschedule'));
    await expect.poll(() => page.locator('#booking-time').innerText()).toContain('16:00');
    await e2e.shot('rescheduled');
    const moved = await stack.request('GET', `/v1/bookings/${bookingId}`, { token });
    expect(moved.body).toMatchObject({ status: 'CONFIRMED', startAt: '2026-12-02T08:00:00.000Z' });

    // ── cancel: the policy and the refund first, then the refund itself ─────
    e2e.phase('cancel');
    await e2e.tap(page.locator('#cancel-button'));
    await expect.poll(() => page.locator('#cancel-quote-text').innerText()).toContain('已付 ¥30 将全额退回');
    await e2e.shot('cancel-quote');
    await e2e.tap(page.locator('#confirm-cancel'));
    await expect.poll(() => page.locator('.status-tag').innerText()).toBe('已取消');
    await expect.poll(() => page.locator('#refund-0').innerText(), { timeout: 20_000 }).toContain('已到账');
    expect(await page.locator('#refund-0').innerText()).toContain('¥30');
    await e2e.shot('cancelled-refunded');
    const cancelled = await stack.request('GET', `/v1/bookings/${bookingId}`, { token });
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(cancelled.body.payment.refundedFen).toBe(3000);

    // ── my bookings: the history shows it ───────────────────────────────────
    e2e.phase('history');
    // Back to the store page (the detail replaced the booking screen), then home and the bookings tab.
    await page.goBack();
    await page.goBack();
    await e2e.tap(page.locator('.weui-tabbar__label', { hasText: '我的预约' }));
    await expect.poll(() => page.locator('#past').innerText()).toContain('已取消');
    await e2e.shot('my-bookings');

    expect(e2e.errors).toEqual([]);
  });
});
