/**
 * The web UI in a real browser (Debian's chromium through playwright-core): the API app with the UI's
 * routes on a real SQLite store holding the golden chain (firmware-protocol/test/vectors) and the demo
 * users, listening on 127.0.0.1. Screenshots go to test-artifacts/web/ (gitignored).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { commit, TestDevice } from '../api/support.ts';
import { BAG_A } from '../bags/support.ts';
import { BAG_A_STORAGE_OVERDUE, closeUi, launchChromium, logInAt, openAlertAtH001, openGoldenStore, openPage, serveUi, shot } from './browser.ts';

// Set by beforeAll: openGoldenStore, serveUi, launchChromium.
let dir: string, store: SqliteStore;
let app: ApiInstance, base: string;
let browser: Browser;
let alertId: number;
let transitAlertId: number;
const consoleErrors: string[] = [];
const BAG_T = 'epc:3074257bf7194e400000ff01';

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-web-'));
  // The golden chain's vehicle (plate ZA-A1234, as its records name it) belongs to the demo transport company.
  await store.upsertTransportCompany({ id: 'hz-t001', licence: 'ZJ-WT-0001' });
  await store.upsertVehicle({ id: 'hz-t001-v1', company: 'hz-t001', plate: 'ZA-A1234' });
  // A bag picked up 30 h ago and not received: in transit, and overdue.
  const kiosk = new TestDevice('hz-h001-kiosk-09', 'hz-h001', ['department', 'pickup'], 21);
  await store.registerDevice({ id: kiosk.id, institution: kiosk.institution, stations: kiosk.stations, keys: [{ publicKey: kiosk.publicKey }] });
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  await commit(store, [
    kiosk.sign({ type: 'sealed', body: { tags: [BAG_T], category: 'sharps', weight: { value: 600, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } }, hoursAgo(32)),
    kiosk.sign({ type: 'picked-up', body: { bags: [{ tag: BAG_T, weight: { value: 598, unit: 'g' } }], weight: { value: 598, unit: 'g' }, giver: 'badge-0303', crew: 'crew-5501', vehicle: 'ZA-A1234', manifest: 'HZ2026112000001' } }, hoursAgo(30)),
  ]);
  const opened = new Date(Date.now() - 3 * 3_600_000).toISOString();
  const alert = await store.insertAlert(openAlertAtH001(opened, BAG_A_STORAGE_OVERDUE));
  if (!alert) throw new Error('alert not inserted');
  alertId = alert.id;
  // The bag in transit, missing on the company's vehicle: the company is the suspect.
  const transit = await store.insertAlert(
    openAlertAtH001(opened, { rule: 'missing-in-transit', dedupeKey: `missing-in-transit:bag:${BAG_T}`, subject: `bag:${BAG_T}`, messageKey: 'missing-in-transit', title: `Bag ${BAG_T} not received`, params: { bag: BAG_T, institution: 'hz-h001', vehicle: 'ZA-A1234', manifest: 'HZ2026112000001', hours: 30, limitHours: 24 }, bag: BAG_T }),
  );
  if (!transit) throw new Error('alert not inserted');
  transitAlertId = transit.id;
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

const newPage = (locale: string, viewport?: { width: number; height: number }) => openPage(browser, consoleErrors, locale, { timeout: 5000, viewport });
const logIn = (page: Page, username: string, password: string) => logInAt(page, `${base}/ui/`, username, password);

describe('web UI in chromium', () => {
  it('serves every asset itself, with a strict content security policy', async () => {
    const shell = await fetch(`${base}/ui/`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-security-policy')).toContain("default-src 'self';script-src 'self';style-src 'self'");
    const html = await shell.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['app.js', 'i18n.js', 'app.css', 'uPlot.iife.min.js', 'uPlot.min.css', 'verify.js']) {
      expect((await fetch(`${base}/ui/assets/${asset}`)).status, asset).toBe(200);
    }
    expect((await fetch(`${base}/ui/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/`, { redirect: 'manual' })).headers.get('location')).toBe('/ui/');
  });

  it('speaks Chinese to a Chinese browser by default', async () => {
    const { context, page } = await newPage('zh-CN');
    await page.goto(`${base}/ui/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('登录');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await context.close();
  });

  it('a regulator logs in, finds a bag by tag, reads its verified trail, works an alert, switches language and logs out', async () => {
    const { context, page } = await newPage('en-US');
    // A wrong password is a human message, not a code.
    await page.goto(`${base}/ui/`);
    await page.getByLabel('Username').fill('demo-regulator');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Unknown username or wrong password.');
    await shot(page, 'login-error');

    await page.getByLabel('Password').fill('demo-pass-regulator');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-logout]').waitFor();

    // The trail, searched by tag.
    await page.getByLabel('Tag, QR label, bag id or manifest number').fill(BAG_A);
    await page.getByRole('button', { name: 'Search' }).click();
    const steps = page.locator('li[data-step]');
    await steps.first().waitFor();
    expect(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed']);
    expect(await page.locator('li[data-step] [data-verified="true"]').count()).toBe(6);
    expect(await page.locator('li[data-step] [data-verified="false"]').count()).toBe(0);
    await expect.poll(() => page.locator('li[data-step="sealed"]').textContent()).toContain('verified');
    expect(await page.locator('li[data-step="sealed"]').textContent()).toContain('1.25 kg');
    // Verified again in the browser, from the audit bundle (noble ed25519, served locally).
    await page.locator('[data-verify-browser]').click();
    await page.locator('[data-browser-count]').waitFor();
    expect(await page.locator('[data-browser-count]').getAttribute('data-browser-count')).toBe('8/8');
    expect(await page.locator('li[data-step] [data-browser-verified="true"]').count()).toBe(6);
    await shot(page, 'trail');

    // The export buttons download with the session cookie.
    const bundleHref = await page.locator('[data-export="bundle"]').getAttribute('href');
    const bundle = await context.request.get(`${base}${bundleHref}`);
    expect(bundle.status()).toBe(200);
    expect((await bundle.json()).format).toBe('wastetrail.bundle.v1');
    const registerHref = await page.locator('[data-export="register"]').getAttribute('href');
    const csv = await context.request.get(`${base}${registerHref}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');

    // The alert queue: acknowledge, then resolve (a note is required).
    await page.getByRole('link', { name: 'Alerts' }).click();
    const card = page.locator(`[data-alert-id="${alertId}"]`);
    await card.waitFor();
    expect(await card.locator('[data-escalation]').textContent()).toBe('level 2 of 3: institution head');
    expect(await card.textContent()).toContain('Storage overdue');
    await shot(page, 'alerts');
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.locator(`[data-alert-id="${alertId}"]`).getAttribute('data-status')).toBe('acknowledged');
    await page.locator(`[data-alert-id="${alertId}"]`).getByRole('button', { name: 'Resolve…' }).click();
    await page.locator(`[data-alert-id="${alertId}"]`).getByRole('button', { name: 'Resolve with this note' }).click();
    await expect.poll(() => page.locator(`[data-alert-id="${alertId}"] [role="alert"]`).textContent()).toBe('Write a note saying what was done before resolving.');
    await page.locator(`[data-alert-id="${alertId}"]`).getByLabel('What was done (required)').fill('bag collected by the night crew');
    await page.locator(`[data-alert-id="${alertId}"]`).getByRole('button', { name: 'Resolve with this note' }).click();
    await expect.poll(() => page.locator(`[data-alert-id="${alertId}"]`).count()).toBe(0);
    const stored = await store.alert(alertId);
    expect(stored).toMatchObject({ status: 'resolved', resolvedBy: 'demo-regulator', note: 'bag collected by the night crew', acknowledgedBy: 'demo-regulator' });

    // Overview and the institution page with its mass-balance chart (uPlot, served locally) and devices.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator('tr[data-institution="hz-h001"]').waitFor();
    expect(await page.locator('tr[data-institution]').count()).toBe(4);
    await shot(page, 'overview');
    await page.locator('tr[data-institution="hz-h001"] a').click();
    await page.locator('table[data-devices]').waitFor();
    // The golden chain is from March 2026: choose that period.
    await page.getByLabel('From').fill('2026-03-01');
    await page.getByLabel('To', { exact: true }).fill('2026-03-03');
    await page.getByRole('button', { name: 'Show period' }).click();
    await page.locator('table[data-mass-balance] tbody tr').nth(1).waitFor();
    await page.locator('[data-chart] canvas').waitFor();
    expect(await page.locator('table[data-devices]').textContent()).toContain('hz-h001-ref-01');
    await shot(page, 'institution');

    // Chinese, remembered after a reload.
    await page.locator('[data-lang-switch]').click();
    await expect.poll(() => page.locator('header nav').textContent()).toContain('医废袋追溯');
    await page.reload();
    await expect.poll(() => page.locator('header nav').textContent()).toContain('医废袋追溯');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.goto(`${base}/ui/#/trail?q=${encodeURIComponent(BAG_A)}`);
    await page.locator('li[data-step="sealed"]').waitFor();
    expect(await page.locator('li[data-step="sealed"] h3').textContent()).toBe('1. 封袋');
    expect(await page.locator('li[data-step="sealed"]').textContent()).toContain('签名已验证');
    await shot(page, 'trail-zh');

    await page.locator('[data-logout]').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('登录');
    await context.close();
  });

  it('the trail page works on a phone screen and with the keyboard', async () => {
    const { context, page } = await newPage('en-US', { width: 390, height: 844 });
    // Keyboard only: the login form, then the search box and its button.
    await page.goto(`${base}/ui/`);
    await page.locator('#username:focus').waitFor();
    await page.keyboard.type('demo-hospital');
    await page.keyboard.press('Tab');
    await page.keyboard.type('demo-pass-hospital');
    await page.keyboard.press('Enter');
    await page.locator('#q').waitFor();
    await page.locator('#q').focus();
    await page.keyboard.type(BAG_A);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Search');
    await page.keyboard.press('Enter');
    await page.locator('li[data-step="disposed"]').waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'trail-phone');
    await context.close();
  });

  it('a transport company sees its pickups and what is in transit', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-transport', 'demo-pass-transport');
    await page.locator('[data-count="in-transit"]').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Pickups and bags in transit');
    expect(await page.locator('[data-count="in-transit"]').textContent()).toBe('1');
    expect(await page.locator('[data-count="overdue"]').textContent()).toBe('1');
    expect(await page.locator(`table[data-table="overdue"] tr[data-bag="${BAG_T}"]`).count()).toBe(1);
    expect(await page.locator(`table[data-table="recent"] tr[data-bag="${BAG_T}"]`).count()).toBe(1);
    await shot(page, 'transit');
    // The alert about the bag missing on its vehicle: it may explain, not acknowledge or resolve.
    await page.goto(`${base}/ui/#/alert/${transitAlertId}`);
    const card = page.locator(`[data-alert-id="${transitAlertId}"]`);
    await card.locator('[data-action="explain"]').waitFor();
    expect(await card.locator('[data-action="acknowledge"], [data-action="resolve"]').count()).toBe(0);
    await card.locator('[data-action="explain"]').click();
    await card.getByLabel('Your explanation (required)').fill('The bag is in our depot; the receipt scan failed.');
    await card.getByRole('button', { name: 'Add this explanation' }).click();
    await page.locator(`[data-alert-id="${transitAlertId}"] [data-explanation]`).waitFor();
    expect(await page.locator(`[data-alert-id="${transitAlertId}"] [data-explanation]`).textContent()).toContain('demo-transport');
    expect((await store.alert(transitAlertId))!.status).toBe('open');
    await context.close();
  });

  it('refuses clearly: public cannot see a bag trail, an institution admin cannot open another institution', async () => {
    const pub = await newPage('en-US');
    await logIn(pub.page, 'demo-public', 'demo-pass-public');
    await pub.page.goto(`${base}/ui/#/trail?q=${encodeURIComponent(BAG_A)}`);
    await pub.page.locator('[data-refusal]').waitFor();
    expect(await pub.page.locator('[data-refusal]').textContent()).toContain('A Public account may not see this page.');
    expect(await pub.page.locator('li[data-step]').count()).toBe(0);
    expect(await pub.page.locator('header nav').textContent()).not.toContain('Bag trail');
    await shot(pub.page, 'refusal-public');
    await pub.context.close();

    const admin = await newPage('en-US');
    await logIn(admin.page, 'demo-hospital', 'demo-pass-hospital');
    await admin.page.goto(`${base}/ui/#/institution/hz-h002`);
    await admin.page.locator('[data-refusal]').waitFor();
    expect(await admin.page.locator('[data-refusal]').textContent()).toContain('Access refused: your role or scope does not allow this.');
    await shot(admin.page, 'refusal-institution');
    await admin.context.close();
  });

  it("the hospital sees its storage room's temperature over the last 24 hours, in Chinese too", async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-hospital', 'demo-pass-hospital');
    await page.goto(`${base}/ui/#/institution/hz-h001`);
    await page.locator('[data-climate-chart="STORE-1"] canvas').waitFor();
    expect(await page.locator('[data-climate] h2').textContent()).toBe('Storage room climate');
    expect(await page.locator('[data-climate-last="STORE-1"]').textContent()).toMatch(/^Now 18\.2 °C, 60\.4 %RH \(/);
    expect(await page.locator('[data-climate-chart="STORE-1"]').textContent()).toContain('Limit 20 °C');
    await shot(page, 'storage-climate');
    await page.locator('[data-lang-switch]').click();
    await expect.poll(() => page.locator('[data-climate] h2').textContent()).toBe('暂存间温湿度');
    expect(await page.locator('[data-climate-last="STORE-1"]').textContent()).toMatch(/^当前 18\.2 ℃，湿度 60\.4%/);
    await context.close();
  });

  it("the API's documentation (Swagger UI) works under the app's policy, inline styles allowed: nothing refused", async () => {
    const { context, page } = await newPage('en-US');
    await page.goto(`${base}/docs/`);
    await expect.poll(() => page.locator('.swagger-ui .info .title').textContent()).toContain('wastetrail API');
    await page.locator('.opblock-tag-section').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    await shot(page, 'api-docs');
    await context.close();
  });

  it('logged no console errors and no page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
