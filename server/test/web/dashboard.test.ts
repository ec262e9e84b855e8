/**
 * The typed web app (web/, served at /app/) in a real browser: the regulator's city dashboard over the
 * golden store, with hz-h002 moved into the map's district 西湖区 (330106) and open alerts at hz-h001
 * and hz-h002. Logged out it links to the login page; logged in, the map is drawn (a canvas, the
 * districts named in the chart's description), the alert counts equal the API's, both languages work,
 * and there are no console errors. Screenshots: test-artifacts/web/dashboard-*.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { BAG_A } from '../bags/support.ts';
import { BAG_A_STORAGE_OVERDUE, closeUi, launchChromium, logInAt, openAlertAtH001, openGoldenStore, openPage, serveUi, shot } from './browser.ts';

const GOLDEN_DAY_EVENING = Date.parse('2026-03-02T12:00:00Z');

let dir: string, store: SqliteStore;
let app: ApiInstance, base: string;
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-web-dash-'));
  await store.upsertJurisdiction({ id: '330106', parent: 'hz', level: 'district', name: '西湖区' });
  await store.upsertInstitution({ id: 'hz-h002', name: 'City Hospital No. 2', kind: 'hospital', jurisdiction: '330106' });
  const opened = new Date(Date.now() - 3_600_000).toISOString();
  await store.insertAlert(openAlertAtH001(opened, BAG_A_STORAGE_OVERDUE));
  await store.insertAlert(openAlertAtH001(opened, { rule: 'weight-discrepancy', dedupeKey: `weight-discrepancy:bag:${BAG_A}`, subject: `bag:${BAG_A}`, severity: 'warning', currentSeverity: 'warning', bag: BAG_A }));
  await store.insertAlert(openAlertAtH001(opened, { rule: 'device-silent', dedupeKey: 'device-silent:hz-h002-scale', subject: 'device:hz-h002-scale', severity: 'warning', currentSeverity: 'warning', institution: 'hz-h002', jurisdiction: '330106' }));
  // The figures' "today" is the golden chain's sealing day (2026-03-02, Asia/Shanghai); sessions keep the wall clock.
  ({ app, base } = await serveUi(store, { clock: () => GOLDEN_DAY_EVENING, sessionClock: () => Date.now() }));
  browser = await launchChromium();
});

afterAll(async () => {
  await closeUi({ browser, app, store, dir });
});

describe('the typed app\'s files', () => {
  it('are served under /app/: the page revalidated, the hashed files cached for good, under the strict CSP', async () => {
    const root = await fetch(`${base}/app`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/app/']);
    const page = await fetch(`${base}/app/`);
    const html = await page.text();
    expect([page.status, page.headers.get('cache-control')]).toEqual([200, 'no-cache']);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    // No inline script: the CSP would block it.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const script = /<script type="module" crossorigin src="(\/app\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${base}${script}`);
    await js.arrayBuffer();
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    const missing = await fetch(`${base}/app/assets/nothing.js`);
    expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).toEqual([404, 'NOT_FOUND']);
  });
});

describe('the city dashboard', () => {
  it('sends whoever is not logged in to the login page, and back to the dashboard after it', async () => {
    const { context, page } = await openPage(browser, consoleErrors, 'en-GB', { timeout: 20_000 });
    await page.goto(`${base}/app/#/dashboard`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/login?next=/dashboard');
    await page.getByLabel('Username').fill('demo-regulator');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.locator('[data-login-error]').textContent()).resolves.toBe('Unknown username or wrong password.');
    await page.getByLabel('Password').fill('demo-pass-regulator');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#alerts-open').waitFor();
    expect(new URL(page.url()).hash).toBe('#/dashboard');
    await context.close();
  });

  it('refuses the dashboard to a role that is not the regulator', async () => {
    const { context, page } = await openPage(browser, consoleErrors, 'en-GB', { timeout: 20_000 });
    await logInAt(page, `${base}/app/#/login`, 'demo-transport', 'demo-pass-transport');
    await page.goto(`${base}/app/#/dashboard`);
    await expect(page.locator('[data-refusal] p').textContent()).resolves.toBe('A Transport account may not see this page.');
    await expect(page.locator('#alerts-open').count()).resolves.toBe(0);
    await context.close();
  });

  it('shows the regulator the districts, the alert counts the API gives, in both languages', async () => {
    const { context, page } = await openPage(browser, consoleErrors, 'zh-CN', { timeout: 30_000 });
    await logInAt(page, `${base}/app/#/login`, 'demo-regulator', 'demo-pass-regulator');
    await page.goto(`${base}/app/#/dashboard`);
    await page.locator('#alerts-open').waitFor();
    await expect(page.locator('h1').textContent()).resolves.toBe('城市医废监管看板');
    await page.locator('#city-map canvas').waitFor();
    // ECharts' accessible description names the map's districts.
    await expect.poll(() => page.locator('#city-map').getAttribute('aria-label')).toContain('西湖区');
    await expect(page.locator('#city-map').getAttribute('aria-label')).resolves.toContain('上城区');
    // hz-h002 is in 西湖区 with one open alert; the others are under no district of the map.
    await expect(page.locator('#city-map').getAttribute('aria-label')).resolves.toContain('City Hospital No. 2 (1)');
    await expect(page.locator('.unplaced').textContent()).resolves.toContain('City Hospital No. 1');

    const res = await context.request.get(`${base}/api/v1/alerts?status=open&status=acknowledged&limit=500`);
    const { alerts } = (await res.json()) as { alerts: { currentSeverity: string; rule: string }[] };
    expect(alerts).toHaveLength(3);
    await expect(page.locator('#alerts-open').textContent()).resolves.toBe(String(alerts.length));
    for (const level of ['critical', 'warning', 'info']) {
      await expect(page.locator(`#alerts-by-level tr[data-level="${level}"] td`).textContent()).resolves.toBe(String(alerts.filter((a) => a.currentSeverity === level).length));
    }
    for (const rule of new Set(alerts.map((a) => a.rule))) {
      await expect(page.locator(`#alerts-by-rule tr[data-rule="${rule}"] td`).nth(1).textContent()).resolves.toBe(String(alerts.filter((a) => a.rule === rule).length));
    }
    await expect(page.locator('#alerts-by-rule tr[data-rule="storage-overdue"] td').first().textContent()).resolves.toBe('暂存超时');
    // Today's weights: the sum over the institutions of the API's mass balance for its today.
    const { institutions } = (await (await context.request.get(`${base}/api/v1/institutions`)).json()) as { institutions: { id: string }[] };
    let [sealed, received] = [0, 0];
    for (const i of institutions) {
      const { massBalance } = (await (await context.request.get(`${base}/api/v1/institutions/${i.id}`)).json()) as { massBalance: { to: string; days: { day: string; sealedGrams: number; receivedGrams: number }[] } };
      expect(massBalance.to).toBe('2026-03-02');
      const today = massBalance.days.find((d) => d.day === massBalance.to);
      sealed += today?.sealedGrams ?? 0;
      received += today?.receivedGrams ?? 0;
    }
    expect(sealed).toBeGreaterThan(0);
    await expect(page.locator('#kg-sealed').textContent()).resolves.toBe((sealed / 1000).toLocaleString('zh-CN', { maximumFractionDigits: 1 }));
    await expect(page.locator('#kg-received').textContent()).resolves.toBe((received / 1000).toLocaleString('zh-CN', { maximumFractionDigits: 1 }));
    await shot(page, 'dashboard-zh');

    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('City medical-waste dashboard');
    await expect(page.locator('#alerts-by-level tr[data-level="critical"] th').textContent()).resolves.toBe('Critical');
    await expect(page.locator('#alerts-open').textContent()).resolves.toBe(String(alerts.length));
    await expect(page.locator('#alerts-by-rule tr[data-rule="storage-overdue"] td').first().textContent()).resolves.toBe('Storage overdue');
    await shot(page, 'dashboard-en');
    await context.close();
    expect(consoleErrors).toEqual([]);
  });
});
