/**
 * The typed app's bag list (#/bags) and device list (#/devices) in a real browser, over the golden store
 * with 120 more bags (two hospitals, every state and category, sealed across March) and 70 more devices
 * (half of them online): rows, order and totals equal to the API's for each role, filters and pages in
 * the URL, each bag linked to its trail, both languages, no console errors.
 * Screenshots: test-artifacts/web/app-bags*.png, app-devices*.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../../src/api/app.ts';
import type { SqliteStore } from '../../../src/store/index.ts';
import { bagSummary } from '../../store/contract.ts';
import { closeUi, launchChromium, logInAt, openGoldenStore, openPage, serveUi, shot } from '../browser.ts';

const STATES = ['sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed', 'voided'] as const;
const CATEGORIES = ['infectious', 'sharps', 'pathological', 'pharmaceutical', 'chemical'] as const;
const MORE_BAGS = 120;
const MORE_DEVICES = 70;

let dir: string, store: SqliteStore;
let app: ApiInstance, base: string;
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-app-lists-'));
  await store.upsertBags(
    Array.from({ length: MORE_BAGS }, (_, i) => {
      const sealed = new Date(Date.parse('2026-03-01T00:30:00Z') + i * 5 * 3_600_000).toISOString();
      return bagSummary({
        bag: `epc:3074257bf7194e40000${(0x3000 + i).toString(16).padStart(5, '0')}`,
        institution: i % 3 === 0 ? 'hz-h002' : 'hz-h001',
        category: CATEGORIES[i % CATEGORIES.length]!,
        state: STATES[i % STATES.length]!,
        sealedAt: sealed,
        sealedDay: sealed.slice(0, 10),
        sealedGrams: 500 + i * 10,
        manifest: i % 4 === 0 ? 'HZ2026030100001' : null,
      });
    }),
  );
  const [known] = await store.devices();
  for (let i = 0; i < MORE_DEVICES; i++) {
    const id = `hz-h00${i % 2 === 0 ? 1 : 2}-scale-${String(i).padStart(2, '0')}`;
    await store.registerDevice({ id, institution: i % 2 === 0 ? 'hz-h001' : 'hz-h002', stations: i % 3 === 0 ? ['storage'] : ['department', 'collection'], keys: known!.keys });
    if (i % 2 === 0) await store.upsertDeviceStatus(id, { state: 'online', stateAt: new Date(Date.now() - 7_200_000).toISOString(), lastSeenAt: new Date(Date.now() - 5 * 60_000).toISOString(), backlog: i % 5 });
    else if (i % 5 === 1) await store.upsertDeviceStatus(id, { state: 'offline', stateAt: new Date(Date.now() - 3 * 86_400_000).toISOString(), lastSeenAt: new Date(Date.now() - 3 * 86_400_000).toISOString() });
  }
  ({ app, base } = await serveUi(store));
  browser = await launchChromium();
}, 120_000);

afterAll(() => closeUi({ browser, app, store, dir }));

const newPage = (locale: string, viewport?: { width: number; height: number }) => openPage(browser, consoleErrors, locale, { timeout: 15_000, viewport });
const logIn = (page: Page, username: string) => logInAt(page, `${base}/app/#/login`, username, `demo-pass-${username.slice('demo-'.length)}`);
const hash = (page: Page) => decodeURIComponent(new URL(page.url()).hash);
const range = (page: Page) => page.locator('[data-page-range]').textContent();
const rowKeys = (page: Page, attr: string) => page.locator(`tr[${attr}]`).evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr);

async function api<T>(context: BrowserContext, path: string): Promise<T> {
  const r = await context.request.get(`${base}${path}`);
  expect(r.status(), path).toBe(200);
  return (await r.json()) as T;
}
type Bags = { bags: { bag: string; state: string; sealedAt: string | null }[]; total: number };
type Devices = { devices: { id: string; institution: string; status: { state: string | null } | null }[]; total: number };

describe('the bag list', () => {
  it('pages the regulator through every bag, newest or oldest sealed first, each linked to its trail, as the API lists them', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator');
    await page.getByRole('link', { name: 'Bags', exact: true }).click();
    await page.locator('tr[data-bag]').first().waitFor();
    const first = await api<Bags>(context, '/api/v1/bags?limit=50&offset=0&timeZone=Asia/Shanghai');
    expect(first.total).toBeGreaterThan(MORE_BAGS);
    await expect.poll(() => range(page)).toBe(`1–50 of ${first.total}`);
    expect(await rowKeys(page, 'data-bag')).toEqual(first.bags.map((b) => b.bag));
    const link = page.locator(`tr[data-bag="${first.bags[0]!.bag}"] [data-trail-link]`);
    expect(decodeURIComponent((await link.getAttribute('href'))!)).toBe(`#/trail?q=${first.bags[0]!.bag}`);
    await shot(page, 'app-bags');

    await page.locator('[data-page-next]').click();
    await expect.poll(() => range(page)).toBe(`51–100 of ${first.total}`);
    expect(await rowKeys(page, 'data-bag')).toEqual((await api<Bags>(context, '/api/v1/bags?limit=50&offset=50')).bags.map((b) => b.bag));

    // Oldest first, as the API orders them.
    await page.getByLabel('Order', { exact: true }).selectOption('oldest');
    await expect.poll(() => hash(page)).toBe('#/bags?sort=oldest');
    const oldest = await api<Bags>(context, '/api/v1/bags?sort=oldest&limit=50');
    await expect.poll(() => range(page)).toBe(`1–50 of ${first.total}`);
    expect(await rowKeys(page, 'data-bag')).toEqual(oldest.bags.map((b) => b.bag));
    const sealed = oldest.bags.map((b) => b.sealedAt!);
    expect(sealed).toEqual([...sealed].sort());
    expect(sealed[0]! < first.bags[0]!.sealedAt!).toBe(true);
    await page.goBack();
    await expect.poll(() => hash(page)).toBe('#/bags?offset=50');
    expect(await page.getByLabel('Order', { exact: true }).inputValue()).toBe('newest');
    await context.close();
  });

  it('filters by institution, state, sealing days and manifest; the URL keeps them through a reload and Back', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator');
    await page.goto(`${base}/app/#/bags`);
    await page.locator('tr[data-bag]').first().waitFor();
    await page.getByLabel('Producer', { exact: true }).selectOption('hz-h002');
    await page.getByLabel('State', { exact: true }).selectOption('stored');
    await expect.poll(() => hash(page)).toBe('#/bags?institution=hz-h002&state=stored');
    const stored = await api<Bags>(context, '/api/v1/bags?institution=hz-h002&state=stored&limit=50');
    // Every 21st of the added bags: hz-h002 (i % 3 = 0) and stored (i % 7 = 2).
    expect(stored.total).toBe(Array.from({ length: MORE_BAGS }, (_, i) => i).filter((i) => i % 3 === 0 && i % 7 === 2).length);
    await expect.poll(() => range(page)).toBe(`1–${stored.total} of ${stored.total}`);
    expect(await rowKeys(page, 'data-bag')).toEqual(stored.bags.map((b) => b.bag));
    expect(new Set(await page.locator('tr[data-bag] [data-state]').allTextContents())).toEqual(new Set(['Stored']));

    await page.getByLabel('State', { exact: true }).selectOption('');
    await page.getByLabel('Sealed from', { exact: true }).fill('2026-03-10');
    await page.getByLabel('Sealed to', { exact: true }).fill('2026-03-12');
    await page.getByLabel('Manifest', { exact: true }).fill('HZ2026030100001');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => hash(page)).toBe('#/bags?institution=hz-h002&from=2026-03-10&to=2026-03-12&manifest=HZ2026030100001');
    const narrow = await api<Bags>(context, '/api/v1/bags?institution=hz-h002&from=2026-03-10&to=2026-03-12&manifest=HZ2026030100001&timeZone=Asia/Shanghai&limit=50');
    expect(narrow.total).toBeGreaterThan(0);
    await expect.poll(() => range(page)).toBe(`1–${narrow.total} of ${narrow.total}`);
    expect(await rowKeys(page, 'data-bag')).toEqual(narrow.bags.map((b) => b.bag));

    await page.reload();
    await expect.poll(() => range(page)).toBe(`1–${narrow.total} of ${narrow.total}`);
    expect(await page.getByLabel('Manifest', { exact: true }).inputValue()).toBe('HZ2026030100001');
    expect(await page.getByLabel('Sealed from', { exact: true }).inputValue()).toBe('2026-03-10');
    await page.goBack();
    await expect.poll(() => hash(page)).toBe('#/bags?institution=hz-h002');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => hash(page)).toBe('#/bags');

    // In Chinese.
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('医废袋');
    await expect.poll(() => page.locator('table[data-bags] th').first().textContent()).toBe('医废袋');
    expect(await range(page)).toMatch(/^第 1–50 条，共 \d+ 条$/);
    await shot(page, 'app-bags-zh');
    await page.locator('#lang-switch').click();
    await context.close();
  });

  it('shows the hospital its own bags only, counted as the API counts them, by category too', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-hospital');
    await page.goto(`${base}/app/#/bags`);
    const own = await api<Bags>(context, '/api/v1/bags?limit=50');
    await expect.poll(() => range(page)).toBe(`1–50 of ${own.total}`);
    const institutions = await api<{ bags: { institution: string | null }[] }>(context, `/api/v1/bags?limit=500`);
    expect(new Set(institutions.bags.map((b) => b.institution))).toEqual(new Set(['hz-h001']));
    expect(await page.locator('tr[data-bag]').allTextContents()).not.toContain('City Hospital No. 2');
    await page.getByLabel('Category', { exact: true }).selectOption('sharps');
    await expect.poll(() => hash(page)).toBe('#/bags?category=sharps');
    const sharps = await api<Bags>(context, '/api/v1/bags?category=sharps&limit=50');
    expect(sharps.total).toBeGreaterThan(0);
    await expect.poll(() => range(page)).toBe(`1–${sharps.total} of ${sharps.total}`);
    expect(await rowKeys(page, 'data-bag')).toEqual(sharps.bags.map((b) => b.bag));
    expect(new Set(await page.locator('tr[data-bag] td:nth-child(3)').allTextContents())).toEqual(new Set(['Sharps']));
    await context.close();
  });
});

describe('the device list', () => {
  it('lists the devices with role, institution, state and last contact, paged and filtered as the API does', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator');
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    await page.locator('tr[data-device]').first().waitFor();
    const all = await api<Devices>(context, '/api/v1/devices?limit=50');
    expect(all.total).toBeGreaterThan(MORE_DEVICES);
    await expect.poll(() => range(page)).toBe(`1–50 of ${all.total}`);
    expect(await rowKeys(page, 'data-device')).toEqual(all.devices.map((d) => d.id));
    const scale = page.locator('tr[data-device="hz-h001-scale-00"]');
    expect(await scale.locator('[data-stations]').textContent()).toBe('Storage room');
    expect(await scale.locator('[data-institution]').textContent()).toBe('City Hospital No. 1 (hz-h001)');
    expect(await scale.locator('[data-last-contact]').textContent()).toMatch(/\([56] min ago\)$/);
    await shot(page, 'app-devices');

    await page.locator('[data-page-next]').click();
    await expect.poll(() => range(page)).toBe(`51–${Math.min(100, all.total)} of ${all.total}`);
    expect(await rowKeys(page, 'data-device')).toEqual((await api<Devices>(context, '/api/v1/devices?limit=50&offset=50')).devices.map((d) => d.id));

    await page.getByLabel('State', { exact: true }).selectOption('offline');
    await expect.poll(() => hash(page)).toBe('#/devices?state=offline');
    const offline = await api<Devices>(context, '/api/v1/devices?state=offline&limit=50');
    expect(offline.total).toBe(Array.from({ length: MORE_DEVICES }, (_, i) => i).filter((i) => i % 2 === 1 && i % 5 === 1).length);
    await expect.poll(() => range(page)).toBe(`1–${offline.total} of ${offline.total}`);
    expect(await rowKeys(page, 'data-device')).toEqual(offline.devices.map((d) => d.id));
    expect(new Set(await page.locator('tr[data-device] [data-state]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))))).toEqual(new Set(['offline']));
    await page.reload();
    await expect.poll(() => range(page)).toBe(`1–${offline.total} of ${offline.total}`);
    expect(await page.getByLabel('State', { exact: true }).inputValue()).toBe('offline');

    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('设备');
    expect(await page.locator('tr[data-device] [data-state]').first().textContent()).toBe('离线');
    await page.locator('#lang-switch').click();
    await context.close();
  });

  it('gives the hospital its own devices, on a phone', async () => {
    const { context, page } = await newPage('zh-CN', { width: 390, height: 844 });
    await logIn(page, 'demo-hospital');
    await page.goto(`${base}/app/#/devices`);
    const own = await api<Devices>(context, '/api/v1/devices?limit=50');
    await expect.poll(() => range(page)).toBe(`第 1–${Math.min(50, own.total)} 条，共 ${own.total} 条`);
    expect(new Set(own.devices.map((d) => d.institution))).toEqual(new Set(['hz-h001']));
    expect(await rowKeys(page, 'data-device')).toEqual(own.devices.map((d) => d.id));
    // The table scrolls inside its frame; the page is no wider than the screen.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(page, 'app-devices-phone');
    await context.close();
  });

  it('refuses the lists to the public', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-public');
    for (const list of ['bags', 'devices']) {
      await page.goto(`${base}/app/#/${list}`);
      await expect.poll(() => page.locator('[data-refusal]').textContent()).toContain('A Public account may not see this page.');
    }
    await context.close();
  });

  it('logged no console errors and no page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
