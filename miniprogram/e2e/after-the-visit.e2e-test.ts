import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { waitForOutcome } from '../../gateway/testing/test-stack.ts';
import { type E2e, startE2e } from './harness.ts';

/**
 * After the booking: the check-in code the customer shows, the merchant checking them in and
 * completing the visit, the review the customer then writes (seen on the store page), finding the
 * store by category, and the in-app notices the pipeline left — H5 build, real stack.
 */

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e('after-the-visit');
});

afterAll(async () => {
  await e2e?.stop();
});

describe('after the visit (H5 build, real stack)', () => {
  it('shows the check-in code, takes a review after completion, shows it on the store page, and lists the notices', async () => {
    const { page, seed, stack } = e2e;
    const token = await stack.login(e2e.config.fakeUser);
    const accepted = await stack.request('POST', '/v1/bookings', {
      token,
      headers: { 'idempotency-key': 'after-visit-0001' },
      body: { storeId: seed.storeId, serviceId: seed.plainServiceId, startAt: '2026-12-01T10:00:00+08:00', resourceId: seed.staffIds[0] },
    });
    expect(accepted.status).toBe(202);
    expect((await waitForOutcome(stack, token, accepted.body.bookingId)).status).toBe('CONFIRMED');
    // The notify planner writes the in-app confirmation from the event log; wait for it before the clock
    // jumps past the appointment (a confirmation is not sent for a visit that is already over).
    await expect
      .poll(async () => (await stack.request('GET', '/v1/me/notices', { token })).body.unread, { timeout: 20_000 })
      .toBeGreaterThan(0);

    // ── my bookings → detail: the one-time check-in code ────────────────────
    await page.goto(`${e2e.h5Url}#/pages/bookings/index`);
    await e2e.tap(page.getByText('微信一键登录', { exact: true }));
    const card = page.locator(`[id="booking-${accepted.body.bookingId}"]`);
    await expect.poll(() => card.innerText()).toContain('已确认');
    await e2e.shot('my-bookings-upcoming');
    await e2e.tap(card);
    const code = (await page.locator('#checkin-code').innerText()).trim();
    expect(code).toMatch(/^\d{6}$/);
    await e2e.shot('checkin-code');

    // ── at the store: the merchant checks the code and completes the visit ──
    stack.env.clock.set(Date.parse('2026-12-01T02:10:00Z'));
    await e2e.syncClock();
    const checkedIn = await stack.request('POST', `/v1/merchant/bookings/${accepted.body.bookingId}/check-in`, { token: seed.ownerToken, body: { code } });
    expect(checkedIn.status, JSON.stringify(checkedIn.body)).toBe(200);
    stack.env.clock.set(Date.parse('2026-12-01T02:40:00Z'));
    await e2e.syncClock();
    expect((await stack.request('POST', `/v1/merchant/bookings/${accepted.body.bookingId}/complete`, { token: seed.ownerToken })).status).toBe(200);

    // ── review after completion ─────────────────────────────────────────────
    await page.reload();
    await expect.poll(() => page.locator('.status-tag').innerText()).toBe('已完成');
    await e2e.tap(page.locator('#rating-service .star').nth(3));
    await page.locator('#review-form textarea').fill('剪得很好，王晓很专业');
    await e2e.shot('review-form');
    await e2e.tap(page.locator('#submit-review'));
    await page.locator('#review-form').waitFor({ state: 'detached' });
    const reviews = await stack.request('GET', `/v1/stores/${seed.storeId}/reviews`);
    expect(reviews.body.reviews).toMatchObject([{ rating: 4, staffRating: 5, text: '剪得很好，王晓很专业', staff: { id: seed.staffIds[0] } }]);

    // ── the store page shows it; the category finds the store ──────────────
    await page.goto(`${e2e.h5Url}#/pages/index/index`);
    await e2e.tap(page.locator('#industry-hair_salon'));
    await e2e.tap(page.locator(`#store-${seed.storeId}`));
    await expect.poll(() => page.locator('#reviews').innerText()).toContain('剪得很好，王晓很专业');
    expect(await page.locator('#reviews').innerText()).toContain('★★★★');
    expect(await page.locator('#staff').innerText()).toContain('★ 5.0');
    await e2e.shot('store-with-review');

    // ── in-app notices from the pipeline ────────────────────────────────────
    await page.goto(`${e2e.h5Url}#/pages/account/index`);
    await expect.poll(() => page.locator('#notices-entry').innerText()).toMatch(/\d+ 条未读/);
    await e2e.tap(page.locator('#notices-entry'));
    await page.locator('#notices .notice').first().waitFor();
    await e2e.shot('notices');
    await e2e.tap(page.locator('#mark-all-read'));
    await page.locator('#mark-all-read').waitFor({ state: 'detached' });
    expect((await stack.request('GET', '/v1/me/notices', { token })).body.unread).toBe(0);
    expect(e2e.errors).toEqual([]);
  });
});
