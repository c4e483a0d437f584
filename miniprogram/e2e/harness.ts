/**
 * The mini program's browser tests: the H5 build (miniprogram/dist/h5) in Debian's Chromium, driven by
 * playwright-core, against the real gateway and workers (gateway/testing/test-stack.ts: MariaDB, Redis,
 * fake WeChat API, fake WeChat Pay, fake SMS). The app reads where everything lives from
 * `window.__ZHIYUE_CONFIG__` (miniprogram/src/config/index.ts), injected before it loads.
 *
 *   const e2e = await startE2e('booking-flow');
 *   await e2e.page.goto(e2e.h5Url);
 *   e2e.phase('book');  await e2e.tap(e2e.page.getByText('精致剪发'));  await e2e.shot('store');
 *   expect(e2e.taps('book')).toBeLessThanOrEqual(5);
 *   await e2e.stop();
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { hashPassword } from '../../core/src/auth/passwords.ts';
import { materializeStore } from '../../core/src/lifecycle/materialize.ts';
import { createMerchant, createResource, createService, createStaffUser, createStore, setWeeklyHours } from '../../db/src/repositories/catalog-admin.repository.ts';
import { startTestStack, type TestStack } from '../../gateway/testing/test-stack.ts';
import { startH5Host } from '../../ops/src/h5-host.ts';

const miniprogramDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const H5_DIR = path.join(miniprogramDir, 'dist', 'h5');
export const ARTIFACTS_DIR = path.join(miniprogramDir, 'e2e', 'artifacts');
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** What the app reads on H5 before it starts (miniprogram/src/config/index.ts). */
export interface ZhiyueH5Config {
  apiBase: string;
  wechatFakeBase: string;
  payFakeBase: string;
  fakeUser: string;
  fakeLocation?: { lat: number; lng: number } | null;
}

export interface BookingStoreSeed {
  merchantId: number;
  storeId: number;
  storeName: string;
  /** Two stylists, both able to cut. */
  staffIds: number[];
  /** 精致剪发: 60 min, ¥128, fixed ¥30 deposit, free cancellation until 2 h before, booking form (称呼, 服务须知). */
  depositServiceId: number;
  /** 男士快剪: 30 min, ¥58, no payment, no form. */
  plainServiceId: number;
  /** The store's owner on the merchant API. */
  ownerToken: string;
  location: { lat: number; lng: number };
}

export interface E2e {
  stack: TestStack;
  seed: BookingStoreSeed;
  /** The H5 build's origin, e.g. http://127.0.0.1:43123/ (hash router: routes are `#/pages/...`). */
  h5Url: string;
  config: ZhiyueH5Config;
  browser: Browser;
  context: BrowserContext;
  /** The first tab (the app is not loaded yet: call page.goto(h5Url)). */
  page: Page;
  /** This run's screenshot folder: miniprogram/e2e/artifacts/<time>-<label>/. */
  runDir: string;
  /** Uncaught page errors and console errors seen so far (also written to runDir/console.log on stop). */
  errors: string[];
  /** Responses with status ≥ 400 (`409 POST http://…/v1/bookings`), favicon left out: some are expected (sold out). */
  httpErrors: string[];
  /** Saves runDir/<nn>-<name>.png (whole page) and returns its path. */
  shot(name: string, page?: Page): Promise<string>;
  /** Starts counting taps and screens under `name` (the phase before it ends). */
  phase(name: string): void;
  /** Clicks (taps on the touch device) the locator and counts it in the current phase. */
  tap(locator: Locator): Promise<void>;
  /** Taps counted in a phase. */
  taps(phase: string): number;
  /** Routes (hash paths without query) entered during a phase, in order, consecutive repeats dropped. */
  routes(phase: string): string[];
  /** Distinct screens seen during a phase. */
  screens(phase: string): number;
  /** Moves the browser's clock to the stack's manual clock (call after advancing stack.env.clock). */
  syncClock(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One store for the booking flow, made the way a merchant would: catalog rows through the db helpers
 * (as the integration tests make them), payment policy and booking form through the merchant API.
 */
export async function seedBookingStore(stack: TestStack, options: { name?: string; username?: string } = {}): Promise<BookingStoreSeed> {
  const db = stack.env.db;
  const now = stack.env.clock.now();
  const name = options.name ?? '青丝美发';
  const location = { lat: 31.2304, lng: 121.4737 };
  const merchantId = await createMerchant(db, { name, industry: 'hair_salon', timezone: 'Asia/Shanghai' }, now);
  const storeId = await createStore(
    db,
    { merchantId, name: `${name}·静安店`, industry: 'hair_salon', timezone: 'Asia/Shanghai', address: '上海市静安区南京西路 1 号', ...location, phone: '021-62880000', perCustomerDailyLimit: 5 },
    now,
  );
  const staffIds = [
    await createResource(db, { merchantId, storeId, kind: 'staff', name: '王晓', title: '首席发型师', skills: ['cut'] }, now),
    await createResource(db, { merchantId, storeId, kind: 'staff', name: '李安', title: '资深发型师', skills: ['cut'] }, now),
  ];
  const cut = [{ kind: 'staff' as const, skill: 'cut', quantity: 1, perPerson: false }];
  const depositServiceId = await createService(
    db,
    { merchantId, storeId, name: '精致剪发', category: 'hair', description: '洗剪吹，含造型', durationMinutes: 60, priceFen: 12800, slotIntervalMinutes: 30, minNoticeMinutes: 60, requirements: cut },
    now,
  );
  const plainServiceId = await createService(
    db,
    { merchantId, storeId, name: '男士快剪', category: 'hair', durationMinutes: 30, priceFen: 5800, slotIntervalMinutes: 30, minNoticeMinutes: 60, requirements: cut },
    now,
  );
  await setWeeklyHours(db, { merchantId, storeId, resourceId: null }, [1, 2, 3, 4, 5, 6, 7].map((day) => [day, '10:00', '21:00']));
  await materializeStore(stack.env, storeId);

  const username = options.username ?? `owner-${storeId}`;
  await createStaffUser(db, { merchantId, storeId: null, username, displayName: '店长', passwordHash: await hashPassword('pw-123456'), role: 'owner' }, now);
  const ownerToken = await stack.staffLogin(username, 'pw-123456');
  await merchantPut(stack, ownerToken, `/v1/merchant/services/${depositServiceId}/payment-policy`, { mode: 'deposit', depositFixedFen: 3000, freeCancelHours: 2, paymentWindowMinutes: 15 });
  await merchantPut(stack, ownerToken, `/v1/merchant/services/${depositServiceId}/booking-form`, {
    fields: [
      { key: 'nickname', label: '称呼', type: 'text', maxLength: 20, help: '到店时怎么称呼您' },
      { key: 'agree', label: '服务须知', type: 'consent', required: true, text: '我已阅读并同意《服务须知》' },
    ],
  });
  return { merchantId, storeId, storeName: `${name}·静安店`, staffIds, depositServiceId, plainServiceId, ownerToken, location };
}

async function merchantPut(stack: TestStack, token: string, route: string, body: unknown): Promise<void> {
  const response = await stack.request('PUT', route, { token, body });
  if (response.status !== 200) throw new Error(`PUT ${route}: ${response.status} ${JSON.stringify(response.body)}`);
}

/**
 * A phone-sized context with the app's config injected and the browser's clock at the stack's manual
 * clock (then running in real time). Each one is a fresh profile: no cache, no storage (launch() never
 * reuses a user-data-dir). startE2e opens its context with this; benchmarks open one per run.
 */
export async function newAppContext(e2e: Pick<E2e, 'browser' | 'config' | 'stack'>): Promise<BrowserContext> {
  const context = await e2e.browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  await context.addInitScript((injected) => {
    // Runs in the page (root tsconfig has no DOM lib: globalThis is the window there).
    (globalThis as unknown as { __ZHIYUE_CONFIG__: unknown }).__ZHIYUE_CONFIG__ = injected;
  }, e2e.config);
  // The app's "today" is the server's: start at the manual clock, then let time run (timers fire as usual).
  await context.clock.install({ time: e2e.stack.env.clock.now() });
  return context;
}

/**
 * Everything for one browser test: H5 host, stack (CORS for the host's origin), seeded store, Chromium
 * with a phone-sized context whose clock starts at the stack's manual clock and then runs in real time.
 * Fails (never skips) when the H5 build or Chromium is missing.
 */
export async function startE2e(label: string, options: { fakeUser?: string; fakeLocation?: { lat: number; lng: number } | null } = {}): Promise<E2e> {
  if (!existsSync(path.join(H5_DIR, 'index.html'))) {
    throw new Error(`${H5_DIR}/index.html is missing: build the H5 app first (npm run build:mini:h5)`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium fonts-noto-cjk (ops/install.sh does)`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(ARTIFACTS_DIR, `${stamp}-${label}`);
  await mkdir(runDir, { recursive: true });

  const host = await startH5Host({ dir: H5_DIR, port: 0, host: '127.0.0.1' });
  const h5Url = `${host.url}/`;
  const origin = new URL(h5Url).origin;
  const cleanups: (() => Promise<unknown>)[] = [() => host.close()];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const stack = await startTestStack(`e2e-${label}`, { gatewayEnv: { CORS_ORIGINS: origin } });
    cleanups.push(() => stack.stop());
    const seed = await seedBookingStore(stack);
    const config: ZhiyueH5Config = {
      apiBase: stack.url,
      wechatFakeBase: stack.wechat.url,
      payFakeBase: stack.pay.url,
      fakeUser: options.fakeUser ?? `e2e-${label}-${stamp}`,
      fakeLocation: options.fakeLocation === undefined ? seed.location : options.fakeLocation,
    };

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    cleanups.push(() => browser.close());
    const context = await newAppContext({ browser, config, stack });
    const page = await context.newPage();

    const errors: string[] = [];
    const httpErrors: string[] = [];
    const watch = (p: Page) => {
      p.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      p.on('console', (message) => {
        // A failed request's console line has no URL; the response listener records it with one.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
      });
      p.on('response', (response) => {
        if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) httpErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
      });
      p.on('framenavigated', (frame) => {
        if (frame === p.mainFrame()) enterRoute(frame.url());
      });
    };

    let current = '';
    const tapCounts = new Map<string, number>();
    const routeLists = new Map<string, string[]>();
    const enterRoute = (url: string) => {
      const hash = new URL(url).hash.replace(/^#/, '');
      const route = hash.split('?')[0] || '/';
      const list = routeLists.get(current) ?? [];
      if (list.at(-1) !== route) list.push(route);
      routeLists.set(current, list);
    };
    watch(page);
    context.on('page', (p) => p !== page && watch(p));

    let shots = 0;
    let stopping: Promise<void> | undefined;
    return {
      stack,
      seed,
      h5Url,
      config,
      browser,
      context,
      page,
      runDir,
      errors,
      httpErrors,
      async shot(name, target = page) {
        const file = path.join(runDir, `${String(++shots).padStart(2, '0')}-${name.replace(/[^\w\u4e00-\u9fa5-]+/g, '-')}.png`);
        // A picture of the screen, not of a page sliding in or a toast fading out (Taro H5: 300 ms slides, 1.5 s toasts).
        await target.locator('.taro__toast').waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
        await target.waitForTimeout(350);
        await target.screenshot({ path: file, fullPage: true });
        return file;
      },
      phase(name) {
        current = name;
        tapCounts.set(name, tapCounts.get(name) ?? 0);
        // The screen the phase starts on counts as its first.
        enterRoute(page.url() === 'about:blank' ? `${h5Url}#/` : page.url());
      },
      async tap(locator) {
        tapCounts.set(current, (tapCounts.get(current) ?? 0) + 1);
        await locator.click();
      },
      taps: (name) => tapCounts.get(name) ?? 0,
      routes: (name) => [...(routeLists.get(name) ?? [])],
      screens: (name) => new Set(routeLists.get(name) ?? []).size,
      syncClock: () => context.clock.setSystemTime(stack.env.clock.now()),
      stop() {
        stopping ??= (async () => {
          await writeFile(path.join(runDir, 'console.log'), [...errors, ...httpErrors.map((e) => `http: ${e}`)].map((line) => `${line}\n`).join('')).catch(() => undefined);
          await cleanup();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
