/**
 * The overview, an institution's page and the hospital's home in the typed app (/app/), in chromium over
 * the golden store, with a bag sealed now at hz-h001, an open alert there, and its storage room's sensor
 * (a warm night in the last 24 h). The figures are checked against the API's answers, in both
 * languages; a hospital admin lands on its home (its day's register with the CSV, its alerts and devices)
 * and is refused another institution; the public role gets "Today's totals" without alerts.
 * Screenshots: test-artifacts/web/app-overview*.png, app-institution*.png, app-hospital*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../../src/api/app.ts';
import type { SqliteStore } from '../../../src/store/index.ts';
import { commit, TestDevice } from '../../api/support.ts';
import { BAG_A_STORAGE_OVERDUE, closeUi, launchChromium, logInAt, openAlertAtH001, openGoldenStore, openPage, serveUi, shot } from '../browser.ts';

let dir: string, store: SqliteStore;
let app: ApiInstance, base: string;
let browser: Browser;
const consoleErrors: string[] = [];
const BAG_NOW = 'epc:3074257bf7194e400000ff02';

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-app-inst-'));
  // A bag sealed a minute ago: today's, on the hospital's home and in the overview's "sealed today".
  const kiosk = new TestDevice('hz-h001-kiosk-09', 'hz-h001', ['department', 'pickup'], 21);
  await store.registerDevice({ id: kiosk.id, institution: kiosk.institution, stations: kiosk.stations, keys: [{ publicKey: kiosk.publicKey }] });
  await commit(store, [kiosk.sign({ type: 'sealed', body: { tags: [BAG_NOW], category: 'sharps', weight: { value: 640, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } }, new Date(Date.now() - 60_000).toISOString())]);
  const alert = await store.insertAlert(openAlertAtH001(new Date(Date.now() - 3 * 3_600_000).toISOString(), BAG_A_STORAGE_OVERDUE));
  if (!alert) throw new Error('alert not inserted');
  // The storage room's sensor: a warm night (23.5 °C) in the last 24 hours, read every 10 minutes.
  const now = Date.now();
  await store.addClimateSamples(
    Array.from({ length: 144 }, (_, i) => ({
      device: 'hz-h001-kiosk-09',
      seq: 100 + Math.floor(i / 10),
      sample: i % 10,
      hash: 'c'.repeat(64),
      institution: 'hz-h001',
      room: 'STORE-1',
      time: new Date(now - (143 - i) * 600_000).toISOString(),
      temperature: i >= 60 && i < 100 ? 235 : 182,
      humidity: 604,
      outdoor: 300,
    })),
  );
  ({ app, base } = await serveUi(store));
  browser = await launchChromium();
});

afterAll(() => closeUi({ browser, app, store, dir }));

const newPage = (locale: string, viewport?: { width: number; height: number }) => openPage(browser, consoleErrors, locale, { timeout: 10_000, viewport, acceptDownloads: true });
const logIn = (page: Page, username: string, password: string) => logInAt(page, `${base}/app/#/login`, username, password);
const kg = (grams: number, locale = 'en') => (grams / 1000).toLocaleString(locale, { maximumFractionDigits: 2 });
type Detail = { massBalance: { to: string; days: { day: string; bags: number; sealedGrams: number; receivedGrams: number }[] } };

describe('the overview and an institution in the typed app', () => {
  it("a regulator's overview: each institution's kg sealed today and received, and the open alerts, as the API answers", async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.locator('header nav').getByRole('link', { name: 'Overview' }).click();
    // The overview's own table: the dashboard the regulator comes from has rows named by institution too.
    const rows = page.locator('table[data-overview] tr[data-institution]');
    await page.locator('table[data-overview] tr[data-institution="hz-h001"]').waitFor();
    const list = (await (await context.request.get(`${base}/api/v1/institutions`)).json()).institutions as { id: string }[];
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-institution')))).toEqual(list.map((i) => i.id));
    for (const { id } of list) {
      const d = (await (await context.request.get(`${base}/api/v1/institutions/${id}`)).json()) as Detail;
      const today = d.massBalance.days.find((x) => x.day === d.massBalance.to);
      const row = page.locator(`table[data-overview] tr[data-institution="${id}"]`);
      expect(await row.locator('[data-sealed-grams]').getAttribute('data-sealed-grams'), id).toBe(String(today?.sealedGrams ?? 0));
      expect(await row.locator('[data-received-grams]').getAttribute('data-received-grams'), id).toBe(String(today?.receivedGrams ?? 0));
    }
    // The bag sealed a minute ago: 0.64 kg today at hz-h001, nothing received yet.
    expect(await page.locator('table[data-overview] tr[data-institution="hz-h001"] [data-sealed-grams]').textContent()).toBe('0.64');
    expect(await page.locator('table[data-overview] tr[data-institution="hz-h001"] [data-open-alerts]').textContent()).toBe('1');
    expect(await page.locator('[data-severity-count="critical"] strong').textContent()).toBe('1');
    expect(await page.locator('[data-severity-count="warning"] strong').textContent()).toBe('0');
    await shot(page, 'app-overview');

    // In Chinese.
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('总览');
    expect(await page.locator('tr[data-institution="hz-h001"]').textContent()).toContain('医院');
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Overview');

    // The institution page: the golden chain's period, chart and table against the API, devices.
    await page.locator('tr[data-institution="hz-h001"] a').click();
    await page.locator('table[data-devices]').waitFor();
    expect(await page.locator('h1').textContent()).toBe('City Hospital No. 1');
    expect(await page.locator('[data-jurisdiction]').textContent()).toContain(' › ');
    await page.getByLabel('From').fill('2026-03-01');
    await page.getByLabel('To', { exact: true }).fill('2026-03-03');
    await page.getByRole('button', { name: 'Show period' }).click();
    await expect.poll(() => page.evaluate<string>('location.hash')).toBe('#/institution/hz-h001?from=2026-03-01&to=2026-03-03');
    const march = (await (await context.request.get(`${base}/api/v1/institutions/hz-h001?from=2026-03-01&to=2026-03-03`)).json()) as Detail;
    expect(march.massBalance.days.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('table[data-mass-balance] tr[data-day]').count()).toBe(march.massBalance.days.length);
    for (const d of march.massBalance.days) {
      const row = page.locator(`tr[data-day="${d.day}"]`);
      expect(await row.locator('[data-sealed-grams]').getAttribute('data-sealed-grams')).toBe(String(d.sealedGrams));
      expect(await row.locator('[data-sealed-grams]').textContent()).toBe(kg(d.sealedGrams));
    }
    await page.locator('[data-mass-chart] canvas').waitFor();
    // The chart's description (ECharts aria) names its two series.
    await expect.poll(() => page.locator('[data-mass-chart] .chart-canvas').getAttribute('aria-label')).toContain('Sealed (kg)');
    // The regulator sees the storage room's climate too.
    await page.locator('[data-climate-chart="STORE-1"] canvas').waitFor();
    expect(await page.locator('table[data-devices]').textContent()).toContain('hz-h001-ref-01');
    await shot(page, 'app-institution');
    await context.close();
  });

  it("the hospital lands on its home: the day's register as the API answers it, the CSV, its alerts and devices; then its storage room's climate", async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-hospital', 'demo-pass-hospital');
    await expect.poll(() => page.evaluate<string>('location.hash')).toBe('#/hospital');
    await page.locator('table[data-home-bags]').waitFor();
    const detail = (await (await context.request.get(`${base}/api/v1/institutions/hz-h001`)).json()) as Detail;
    const today = detail.massBalance.to;
    expect(await page.locator('h2', { hasText: 'Handover register' }).textContent()).toBe(`Handover register (bags sealed ${today})`);
    const bags = (await (await context.request.get(`${base}/api/v1/bags?institution=hz-h001&from=${today}&to=${today}`)).json()) as { bags: { bag: string; sealedGrams: number }[]; total: number };
    expect(await page.locator('tr[data-bag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-bag')))).toEqual(bags.bags.map((b) => b.bag));
    expect(await page.locator('tr[data-bag]').first().textContent()).toContain(BAG_NOW);
    expect(await page.locator('[data-page-range]').textContent()).toBe(`1–${bags.total} of ${bags.total}`);
    // Its open alert, named by its rule, and its devices.
    expect(await page.locator('[data-home-alerts] li').count()).toBe(1);
    expect(await page.locator('[data-home-alerts]').textContent()).toContain('Storage overdue');
    expect(await page.locator('table[data-devices]').textContent()).toContain('hz-h001-kiosk-09');
    await shot(page, 'app-hospital-home');

    // The golden chain's day: its register and the CSV of that day.
    await page.getByLabel('Day', { exact: true }).fill('2026-03-02');
    await page.getByRole('button', { name: 'Show day' }).click();
    await expect.poll(() => page.evaluate<string>('location.hash')).toBe('#/hospital?day=2026-03-02');
    const golden = (await (await context.request.get(`${base}/api/v1/bags?institution=hz-h001&from=2026-03-02&to=2026-03-02`)).json()) as { bags: { bag: string }[]; total: number };
    expect(golden.total).toBeGreaterThan(0);
    await expect.poll(() => page.locator('tr[data-bag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-bag')))).toEqual(golden.bags.map((b) => b.bag));
    const href = await page.locator('[data-register-csv]').getAttribute('href');
    expect(href).toBe('/api/v1/register.csv?institution=hz-h001&from=2026-03-02&to=2026-03-02');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-register-csv]').click()]);
    // The server names the file (Content-Disposition).
    expect(dl.suggestedFilename()).toMatch(/^wastetrail-register-2026-03-02.*\.csv$/);
    const csv = await context.request.get(`${base}${href}`);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect((await csv.text()).trim().split(/\r?\n/).length).toBe(golden.total + 1);

    // Its institution page, with the storage room's climate over the last 24 h.
    await page.locator('[data-own-institution]').click();
    await page.locator('[data-climate-chart="STORE-1"] canvas').waitFor();
    expect(await page.locator('[data-climate] h2').textContent()).toBe('Storage room climate');
    expect(await page.locator('[data-climate-last="STORE-1"]').textContent()).toMatch(/^Now 18\.2 °C, 60\.4 %RH \(\d+ min ago\); the last 24 hours:$/);
    await expect.poll(() => page.locator('[data-climate-chart="STORE-1"] .chart-canvas').getAttribute('aria-label')).toContain('Room °C');
    await shot(page, 'app-institution-climate');
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('[data-climate] h2').textContent()).toBe('暂存间温湿度');
    expect(await page.locator('[data-climate-last="STORE-1"]').textContent()).toMatch(/^当前 18\.2 ℃，湿度 60\.4%/);
    await page.locator('#lang-switch').click();

    // Another institution is refused.
    await page.goto(`${base}/app/#/institution/hz-h002`);
    await page.locator('[data-refusal]').waitFor();
    expect(await page.locator('[data-refusal]').textContent()).toContain('Access refused: your role or scope does not allow this.');
    await context.close();

    // On a phone the home does not scroll sideways.
    const phone = await newPage('zh-CN', { width: 390, height: 844 });
    await logIn(phone.page, 'demo-hospital', 'demo-pass-hospital');
    await phone.page.locator('table[data-home-bags]').waitFor();
    expect(await phone.page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    await shot(phone.page, 'app-hospital-home-phone');
    await phone.context.close();
  });

  it("the public role gets today's totals, with no alerts", async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-public', 'demo-pass-public');
    await expect.poll(() => page.evaluate<string>('location.hash')).toBe('#/disclosure');
    await page.locator('header nav').getByRole('link', { name: "Today's totals" }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe("Today's totals");
    await page.locator('tr[data-institution="hz-h001"]').waitFor();
    expect(await page.locator('[data-severity-count], [data-open-alerts]').count()).toBe(0);
    expect(await page.locator('tr[data-institution="hz-h001"] [data-sealed-grams]').getAttribute('data-sealed-grams')).toBe('640');
    expect(await page.locator('body').textContent()).not.toContain('badge-');
    await shot(page, 'app-overview-public');
    await context.close();
  });

  it('logged no console errors and no page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
