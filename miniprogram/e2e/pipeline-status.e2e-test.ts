import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { stackEnv } from '../../gateway/testing/test-stack.ts';
import { workerProcesses } from '../../workers/testing/worker-processes.ts';
import { type E2e, startE2e } from './harness.ts';

/**
 * The status the customer sees follows the pipeline: with the workers down, an accepted booking
 * stays 确认中 (never lost, never shown as failed); when a persist worker comes up, the open
 * "my bookings" screen turns it 已确认 by itself.
 */

let e2e: E2e;
const processes = workerProcesses();

beforeAll(async () => {
  e2e = await startE2e('pipeline-status');
});

afterAll(async () => {
  await processes.killAll();
  await e2e?.stop();
});

describe('status follows the pipeline (H5 build, real stack)', () => {
  it('shows 确认中 while no worker persists, then 已确认 once one does, without a refresh by the user', async () => {
    const { page, seed, stack } = e2e;
    await stack.workers!.stop();

    await page.goto(`${e2e.h5Url}#/booking/new/index?storeId=${seed.storeId}&serviceId=${seed.plainServiceId}`);
    await page.locator('#booking-new').waitFor();
    await e2e.tap(page.locator('#date-2026-12-02'));
    await e2e.tap(page.locator('#slot-1000'));
    await e2e.tap(page.locator('#confirm-booking'));
    await expect.poll(() => page.locator('#confirm-booking').innerText()).toContain('正在确认名额');
    await e2e.shot('pending-on-booking-page');

    const token = await stack.login(e2e.config.fakeUser);
    // Not in MySQL yet (the customer's list on the server reads MySQL)…
    expect((await stack.request('GET', '/v1/me/bookings', { token })).body.bookings).toEqual([]);
    // …but on the phone's list all the same, as 确认中, for as long as no worker runs.
    await page.goto(`${e2e.h5Url}#/pages/bookings/index`);
    const card = page.locator('.booking-card');
    await expect.poll(() => card.first().innerText()).toContain('确认中');
    await page.waitForTimeout(2500);
    expect(await card.first().innerText()).toContain('确认中');
    expect(await card.count()).toBe(1);
    await e2e.shot('pending-in-my-bookings');

    processes.start(
      stackEnv(stack.env, {
        WORKER_ROLES: 'persist,maintenance',
        WORKER_HTTP_PORT: '0',
        LEADER_LEASE_MS: '2000',
        CLOCK_MODE: 'fixed',
        CLOCK_AT: new Date(stack.env.clock.now()).toISOString(),
      }),
    );
    await expect.poll(() => card.first().innerText(), { timeout: 60_000 }).toContain('已确认');
    expect(await card.count()).toBe(1);
    await e2e.shot('confirmed-after-worker');
    const mine = (await stack.request('GET', '/v1/me/bookings', { token })).body.bookings;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'CONFIRMED', startAt: '2026-12-02T02:00:00.000Z' });
  });
});
