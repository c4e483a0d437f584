import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { waitForOutcome } from '../../gateway/testing/test-stack.ts';
import { type E2e, startE2e } from './harness.ts';

/**
 * What the user sees when things go wrong, on the H5 build against the real stack: network down,
 * a slot sold out under their finger (next free slots and the waitlist), a payment cancelled and
 * a payment that failed at WeChat Pay (then paid), and the per-customer daily limit. Never a blank screen.
 */

let e2e: E2e;
const DAY = '2026-12-02';
const at = (time: string) => `${DAY}T${time}:00+08:00`;

beforeAll(async () => {
  e2e = await startE2e('error-states');
});

afterAll(async () => {
  await e2e?.stop();
});

async function apiBooking(token: string, body: Record<string, unknown>, key: string) {
  const accepted = await e2e.stack.request('POST', '/v1/bookings', { token, body: { storeId: e2e.seed.storeId, ...body }, headers: { 'idempotency-key': key } });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  return waitForOutcome(e2e.stack, token, accepted.body.bookingId);
}

async function openBooking(serviceId: number, staffId: number | null) {
  const { page, seed } = e2e;
  await page.goto(`${e2e.h5Url}#/booking/new/index?storeId=${seed.storeId}&serviceId=${serviceId}${staffId ? `&resourceId=${staffId}` : ''}`);
  await page.locator('#booking-new').waitFor();
  await e2e.tap(page.locator(`#date-${DAY}`));
}

describe('error states (H5 build, real stack)', () => {
  it('network down: the home page says so and recovers on retry', async () => {
    const { page, seed } = e2e;
    await page.route('**/v1/stores?**', (route) => route.abort('internetdisconnected'));
    await page.goto(e2e.h5Url);
    const panel = page.locator('#stores #error-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-kind')).toBe('network');
    expect(await panel.innerText()).toContain('网络不给力');
    await e2e.shot('network-down');
    await page.unroute('**/v1/stores?**');
    await e2e.tap(panel.getByText('重试', { exact: true }));
    await page.locator(`#store-${seed.storeId}`).waitFor();
    expect(await page.locator('#error-panel').count()).toBe(0);
  });

  it('sold out under the finger: the nearest free slots and the waitlist are offered', async () => {
    const { page, seed, stack } = e2e;
    await openBooking(seed.depositServiceId, null);
    await e2e.tap(page.locator('#slot-1500'));
    // Meanwhile two other customers take both stylists at 15:00.
    for (const [i, staffId] of seed.staffIds.entries()) {
      const other = await stack.login(`someone-else-${i}`);
      const booked = await apiBooking(other, { serviceId: seed.plainServiceId, startAt: at('15:00'), resourceId: staffId }, `sold-out-${i}-0000`);
      expect(booked.status).toBe('CONFIRMED');
    }
    await e2e.tap(page.locator('#field-agree .chip'));
    await e2e.tap(page.locator('#confirm-booking'));
    const panel = page.locator('#error-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-kind')).toBe('sold_out');
    await expect.poll(() => page.locator('#sold-out-options').innerText()).toContain('15:30');
    expect(await page.locator('#slot-1500').innerText()).toContain('已约满');
    await e2e.shot('sold-out');
    await e2e.tap(page.locator('#join-waitlist'));
    await expect.poll(() => page.locator('#waitlist-joined').innerText()).toContain('已加入候补，第 1 位');
    await e2e.shot('waitlist-joined');

    const token = await stack.login(e2e.config.fakeUser);
    const waitlist = await stack.request('GET', '/v1/me/waitlist', { token });
    expect(waitlist.body.entries).toMatchObject([{ storeId: seed.storeId, serviceId: seed.depositServiceId, startAt: '2026-12-02T07:00:00.000Z', status: 'WAITING', position: 1 }]);
    // Taking the offered 15:30 instead is one tap away.
    await e2e.tap(page.locator('#sold-out-options').getByText('15:30'));
    await expect.poll(() => page.locator('#booking-summary').innerText()).toContain('15:30');
    expect((await stack.request('GET', '/v1/me/bookings', { token })).body.bookings).toHaveLength(0);
  });

  it('the answer to a booking is lost on the way back: the retry replays it and nothing is booked twice', async () => {
    const { page, seed, stack } = e2e;
    await openBooking(seed.plainServiceId, seed.staffIds[1]!);
    await e2e.tap(page.locator('#slot-1230'));
    // The request reaches the gateway and is accepted; the phone never hears the answer.
    let dropped = 0;
    await page.route('**/v1/bookings', async (route) => {
      if (route.request().method() !== 'POST' || dropped > 0) return route.fallback();
      dropped += 1;
      const answer = await route.fetch();
      expect(answer.status()).toBe(202);
      await route.abort('connectionreset');
    });
    await e2e.tap(page.locator('#confirm-booking'));
    const panel = page.locator('#error-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-kind')).toBe('network');
    await e2e.shot('answer-lost');
    await e2e.tap(panel.getByText('重试', { exact: true }));
    await page.locator('#booking-confirmed').waitFor({ timeout: 20_000 });
    await page.unroute('**/v1/bookings');
    expect(dropped).toBe(1);

    const token = await stack.login(e2e.config.fakeUser);
    const mine = (await stack.request('GET', '/v1/me/bookings', { token })).body.bookings.filter((b: { serviceId: number }) => b.serviceId === seed.plainServiceId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'CONFIRMED', startAt: '2026-12-02T04:30:00.000Z', resourceId: seed.staffIds[1] });
    // Cancel it again so the daily-limit case below counts from a known number.
    expect((await stack.request('POST', `/v1/bookings/${mine[0].bookingId}/cancel`, { token, body: {} })).status).toBe(200);
  });

  it('payment failed at WeChat Pay, then cancelled, then paid: the slot stays held and the booking confirms once', async () => {
    const { page, seed, stack } = e2e;
    await openBooking(seed.depositServiceId, null);
    await e2e.tap(page.locator('#slot-1100'));
    await e2e.tap(page.locator('#field-agree .chip'));
    await e2e.tap(page.locator('#confirm-booking'));
    await page.locator('#booking-payment').waitFor();

    // WeChat Pay down: every call to it fails until it recovers.
    stack.pay.setFailRate(1);
    await e2e.tap(page.locator('#pay-button'));
    await expect.poll(() => page.locator('#payment-error').innerText(), { timeout: 20_000 }).toContain('支付没有成功');
    expect(await page.locator('#payment-error').innerText()).toContain('名额仍为你保留');
    await e2e.shot('payment-failed');
    stack.pay.setFailRate(0);

    await e2e.tap(page.locator('#pay-button'));
    await e2e.tap(page.getByText('取消', { exact: true }).last());
    await expect.poll(() => page.locator('#payment-error').innerText()).toContain('你取消了支付');
    await e2e.shot('payment-cancelled');

    await e2e.tap(page.locator('#pay-button'));
    await e2e.tap(page.getByText('确认支付', { exact: true }));
    await page.locator('#booking-confirmed').waitFor({ timeout: 20_000 });
    await e2e.shot('paid-after-failure');

    const token = await stack.login(e2e.config.fakeUser);
    const { body } = await stack.request('GET', '/v1/me/bookings', { token });
    const deposits = body.bookings.filter((b: { serviceId: number }) => b.serviceId === seed.depositServiceId);
    expect(deposits).toHaveLength(1);
    const booking = await stack.request('GET', `/v1/bookings/${deposits[0].bookingId}`, { token });
    expect(booking.body).toMatchObject({ status: 'CONFIRMED', payment: { status: 'PAID', amountFen: 3000, refundedFen: 0 } });
    const paidOrders = stack.pay.records().orders.filter((o) => o.state === 'SUCCESS');
    expect(paidOrders).toHaveLength(1);
  });

  it('the daily limit per customer and store: a clear refusal, nothing booked', async () => {
    const { page, seed, stack } = e2e;
    const token = await stack.login(e2e.config.fakeUser);
    // One live booking already (the paid one; a cancelled one does not count); four more reach the store's limit of five a day.
    for (const [i, time] of ['17:00', '17:30', '18:00', '18:30'].entries()) {
      expect((await apiBooking(token, { serviceId: seed.plainServiceId, startAt: at(time) }, `limit-${i}-00000`)).status).toBe('CONFIRMED');
    }
    await openBooking(seed.plainServiceId, null);
    await e2e.tap(page.locator('#slot-1930'));
    await e2e.tap(page.locator('#confirm-booking'));
    const panel = page.locator('#error-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-kind')).toBe('customer_limit');
    expect(await panel.innerText()).toContain('今天在这家门店的预约次数已达上限');
    await e2e.shot('daily-limit');
    const live = (await stack.request('GET', '/v1/me/bookings', { token })).body.bookings.filter((b: { status: string }) => b.status !== 'CANCELLED');
    expect(live).toHaveLength(5);
    expect(e2e.errors).toEqual([]);
  });
});
