/**
 * The typed web app (web/, served at /app/) in a real browser: the regulator's city dashboard over the
 * golden store, with hz-h002 moved into the map's district 西湖区 (330106), open alerts at hz-h001 and
 * hz-h002, a confirmed 12-point violation at hz-h002 (risk class D), and two vehicles of the transport
 * company: one whose station sent a fix in 西湖区, one that never did. Logged out it links to the login
 * page; logged in, the map is drawn (a canvas, the districts, roads, institutions with their class and
 * vehicles named in the chart's description), and every figure on the page equals the API's: the alert
 * counts, today's kg, the vehicles, the risk classes, the 30- and 7-day trends, the control index for
 * the city and each institution. A new alert shows at the next refresh without a reload. Both languages,
 * no console errors. Screenshots: test-artifacts/web/dashboard-*.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { BAG_A } from '../bags/support.ts';
import { commit, TestDevice } from '../api/support.ts';
import { BAG_A_STORAGE_OVERDUE, closeUi, launchChromium, logInAt, openAlertAtH001, openGoldenStore, openPage, serveUi, shot } from './browser.ts';

const GOLDEN_DAY_EVENING = Date.parse('2026-03-02T12:00:00Z');
const PLATE_SEEN = '浙A27819';
const PLATE_DARK = '浙A00002';
/** How a reader expects an index (one decimal) and a share (whole percent) written; a dash for none. */
const indexText = (n: number | null | undefined, locale: string) => (n === null || n === undefined ? '—' : n.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
const shareText = (n: number | null, locale: string) => (n === null ? '—' : n.toLocaleString(locale, { style: 'percent', maximumFractionDigits: 0 }));

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
  // The transport company's vehicles: one last seen in 西湖区 an hour before the API's now, one never.
  await store.upsertTransportCompany({ id: 'hz-t001', licence: 'ZJ-WT-0001' });
  await store.upsertVehicle({ id: 'hz-t001-v1', company: 'hz-t001', plate: PLATE_SEEN });
  await store.upsertVehicle({ id: 'hz-t001-v2', company: 'hz-t001', plate: PLATE_DARK });
  const station = new TestDevice('hz-t001-v1-station', 'hz-t001', ['vehicle'], 41);
  await store.registerDevice({ id: station.id, institution: 'hz-t001', stations: station.stations, keys: [{ publicKey: station.publicKey }] });
  const fix = (at: string, lat: number) => ({ at, lat, lon: 120_130_000, speed: 250, quality: 'gps' as const, satellites: 9 });
  await commit(store, [station.sign({ type: 'track', body: { vehicle: PLATE_SEEN, fixes: [fix('2026-03-02T10:59:00.000Z', 30_239_000), fix('2026-03-02T11:00:00.000Z', 30_240_000)], temperatures: [], noFix: 0 } }, '2026-03-02T11:00:01.000Z')]);
  // 12 points: class D at once (docs/server/supervision.md).
  await store.insertViolation({ institution: 'hz-h002', violation: 'illegal-dumping', points: 12, alertId: null, note: 'found by an inspection', confirmedBy: 'demo-regulator', confirmedAt: '2026-03-01T08:00:00.000Z', evidence: { bags: [], records: [] } });
  // The figures' "today" is the golden chain's sealing day (2026-03-02, Asia/Shanghai); sessions keep the wall clock.
  ({ app, base } = await serveUi(store, { clock: () => GOLDEN_DAY_EVENING, sessionClock: () => Date.now() }));
  browser = await launchChromium();
});

afterAll(async () => {
  await closeUi({ browser, app, store, dir });
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
    await page.locator('#city-map canvas').first().waitFor();
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

describe('the city dashboard\'s map, trends and control index', () => {
  type DayFigures = { day: string; sealedGrams: number; receivedGrams: number; alertsOpened: Record<'critical' | 'warning' | 'info', number>; control: { index: number | null; handover: number | null; weight: number | null; alerts: number | null } };
  type Daily = { to: string; city: { days: DayFigures[]; window: DayFigures }; institutions: { institution: string; name: string; days: DayFigures[]; window: DayFigures }[] };
  /** The page refreshes over several requests on a shared machine: give it time. */
  const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });
  const kg = (grams: number, locale: string) => (grams / 1000).toLocaleString(locale, { maximumFractionDigits: 1 });

  /** The trend table, the tiles and the institutions' index table against the API's daily figures. */
  async function expectFigures(page: import('playwright-core').Page, daily: Daily, locale: string): Promise<void> {
    const rows = page.locator('#trend-table tbody tr');
    await poll(() => rows.count()).toBe(daily.city.days.length);
    for (const [k, d] of daily.city.days.entries()) {
      const cells = await rows.nth(k).locator('td').allTextContents();
      expect(cells, d.day).toEqual([d.day, kg(d.sealedGrams, locale), kg(d.receivedGrams, locale), String(d.alertsOpened.critical), String(d.alertsOpened.warning), String(d.alertsOpened.info), indexText(d.control.index, locale)]);
    }
    const today = daily.city.days.at(-1)!;
    expect(today.day).toBe(daily.to);
    await expect(page.locator('#index-today').textContent()).resolves.toBe(indexText(today.control.index, locale));
    await expect(page.locator('#index-window').textContent()).resolves.toBe(indexText(daily.city.window.control.index, locale));
    for (const i of daily.institutions) {
      const row = page.locator(`#institution-index tr[data-institution="${i.institution}"]`);
      await expect(row.locator('[data-today]').textContent(), i.institution).resolves.toBe(indexText(i.days.at(-1)!.control.index, locale));
      await expect(row.locator('[data-window]').textContent(), i.institution).resolves.toBe(indexText(i.window.control.index, locale));
      const shares = (await row.locator('td').allTextContents()).slice(5);
      expect(shares, i.institution).toEqual([shareText(i.window.control.handover, locale), shareText(i.window.control.weight, locale), shareText(i.window.control.alerts, locale)]);
    }
  }

  it('draws the roads, the vehicles and the risk classes, and gives the trends and the index the API gives, for 30 and 7 days, in both languages', async () => {
    const { context, page } = await openPage(browser, consoleErrors, 'zh-CN', { timeout: 30_000, viewport: { width: 1400, height: 1000 } });
    await logInAt(page, `${base}/app/#/login`, 'demo-regulator', 'demo-pass-regulator');
    await page.goto(`${base}/app/#/dashboard`);
    await page.locator('#city-map[data-drawn]').waitFor();
    const api = async <T>(path: string) => (await (await context.request.get(`${base}${path}`)).json()) as T;
    const map = () => page.locator('#city-map').getAttribute('aria-label');

    // Vehicles: the one with a fix is on the map, loaded or not as the API says; the other is listed apart.
    const { vehicles } = await api<{ vehicles: { plate: string; lastFix: unknown; loaded: boolean; bagsInTransit: number }[] }>('/api/v1/vehicles');
    expect(vehicles.map((v) => [v.plate, v.lastFix !== null])).toEqual([[PLATE_DARK, false], [PLATE_SEEN, true]]);
    const seen = vehicles.find((v) => v.plate === PLATE_SEEN)!;
    await poll(map).toContain(seen.loaded ? `${PLATE_SEEN}（载 ${seen.bagsInTransit} 袋` : `${PLATE_SEEN}（空车`);
    await expect(page.locator('.no-fix').textContent()).resolves.toBe(`尚无位置的车辆：${PLATE_DARK}`);
    await expect(map()).resolves.toContain('道路');

    // Risk classes: on the map next to the institution, and in the institutions' table.
    const { items } = await api<{ items: { institution: string; riskClass: string }[] }>('/api/v1/supervision/classes');
    expect(items.find((i) => i.institution === 'hz-h002')?.riskClass).toBe('D');
    await expect(map()).resolves.toContain('City Hospital No. 2 (1) · D类');
    for (const i of items) await expect(page.locator(`#institution-index tr[data-institution="${i.institution}"] [data-class]`).textContent(), i.institution).resolves.toBe(i.riskClass);
    await expect(page.locator('#institution-index tr[data-institution="hz-t001"] [data-class]').textContent()).resolves.toBe('—');
    await expect(page.locator('#institution-index tr[data-institution="hz-h002"] [data-open]').textContent()).resolves.toBe('1');

    // The trends and the index: 30 days by default, then 7 from the switch (kept in the URL).
    await page.locator('#trend-table').evaluate((t) => t.closest('details')!.setAttribute('open', ''));
    const month = await api<Daily>('/api/v1/dashboard/daily?days=30');
    expect(month.city.days.some((d) => d.sealedGrams > 0 && d.control.index !== null)).toBe(true);
    await expectFigures(page, month, 'zh-CN');
    for (const id of ['#trend-kg', '#trend-alerts', '#trend-index']) await page.locator(`${id} canvas`).waitFor();
    await expect(page.locator('#refresh-every').textContent()).resolves.toBe('每 30 秒自动更新');
    // Every label is a message, not a catalogue key left untranslated.
    expect(await page.locator('section.dashboard').innerText()).not.toMatch(/\b(dashboard|sup|legend|sev)\.\w+/);
    await shot(page, 'dashboard-trends-zh');

    await page.getByRole('button', { name: '近 7 天' }).click();
    await poll(() => new URL(page.url()).hash).toBe('#/dashboard?days=7');
    await expect(page.getByRole('button', { name: '近 7 天' }).getAttribute('aria-pressed')).resolves.toBe('true');
    const week = await api<Daily>('/api/v1/dashboard/daily?days=7');
    await expectFigures(page, week, 'zh-CN');

    await page.locator('#lang-switch').click();
    await poll(() => page.locator('h1').textContent()).toBe('City medical-waste dashboard');
    await expectFigures(page, week, 'en');
    await poll(map).toContain('City Hospital No. 2 (1) · class D');
    await expect(map()).resolves.toContain(seen.loaded ? `${PLATE_SEEN} (carrying ${seen.bagsInTransit} bags` : `${PLATE_SEEN} (empty`);
    await expect(page.locator('#refresh-every').textContent()).resolves.toBe('Refreshes every 30 s');
    expect(await page.locator('section.dashboard').innerText()).not.toMatch(/\b(dashboard|sup|legend|sev)\.\w+/);
    await shot(page, 'dashboard-trends-en');
    await context.close();
    expect(consoleErrors).toEqual([]);
  });

  it('shows a new alert at the next refresh, without a reload', async () => {
    const { context, page } = await openPage(browser, consoleErrors, 'en-GB', { timeout: 30_000 });
    // The page's clock, to reach the next refresh at once: installed before any of the app's scripts runs
    // (logging in lands on the dashboard, whose timer must be the fake one), and left running.
    await page.clock.install();
    await page.clock.resume();
    await logInAt(page, `${base}/app/#/login`, 'demo-regulator', 'demo-pass-regulator');
    await page.goto(`${base}/app/#/dashboard`);
    await page.locator('#alerts-open').waitFor();
    const before = Number(await page.locator('#alerts-open').textContent());
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    const opened = new Date(Date.now() - 60_000).toISOString();
    await store.insertAlert(openAlertAtH001(opened, { rule: 'device-silent', dedupeKey: 'device-silent:hz-h001-scale', subject: 'device:hz-h001-scale', severity: 'warning', currentSeverity: 'warning' }));
    await page.clock.fastForward(31_000);
    await poll(() => page.locator('#alerts-open').textContent()).toBe(String(before + 1));
    await expect(page.locator('#alerts-by-level tr[data-level="warning"] td').textContent()).resolves.toBe('3');
    expect(navigations).toBe(0);
    await context.close();
    expect(consoleErrors).toEqual([]);
  });
});
