/**
 * The typed app's alert queue (#/alerts) and alert page (#/alert/:id) in a real browser, over the golden
 * store with 10,000 alerts put straight into the store: paging (next, previous, a typed page number),
 * filters and order in the URL surviving a reload and Back, the counts and the rows equal to the API's,
 * and the actions: acknowledge, explain and resolve (notes required) and confirm as violation, each by
 * the roles allowed, absent or refused for the others; both languages, no console errors.
 * Ported from ui.test.ts ("works an alert", the transport company's explanation) and supervision.test.ts
 * (confirming alerts as violations). Screenshots: test-artifacts/web/app-alerts-*.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../../src/api/app.ts';
import { createUser } from '../../../src/auth/index.ts';
import type { NewAlert, SqliteStore } from '../../../src/store/index.ts';
import { alertRow } from '../../api/support.ts';
import { BAG_A } from '../../bags/support.ts';
import { BAG_A_STORAGE_OVERDUE, BAG_A_WEIGHT_DISCREPANCY, closeUi, launchChromium, logInAt, openAlertAtH001, openGoldenStore, openPage, serveUi, shot } from '../browser.ts';

const MANY = 10_000;
/**
 * A second regulator of the city for the last page: the API allows five logins a minute for one user
 * (login-limit.ts), and demo-regulator logs in five times before.
 */
const SECOND_REGULATOR = 'city-inspector';
const SECOND_PASSWORD = 'a long enough test password';
const SEVERITIES = ['critical', 'warning', 'info'] as const;
const RULES = ['device-silent', 'collection-overdue', 'storage-climate', 'weight-discrepancy'] as const;

let dir: string, store: SqliteStore;
let app: ApiInstance, base: string;
let browser: Browser;
let storageAlert: number, weightAlert: number, transitAlert: number;
const consoleErrors: string[] = [];
const BAG_T = 'epc:3074257bf7194e400000ff01';

/** Alert i of the load: severities, rules, statuses and the two hospitals in turn, one minute apart, oldest first. */
function loadAlert(i: number): NewAlert {
  const opened = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString();
  const atH2 = i % 5 === 0;
  const status = i % 7 === 6 ? 'resolved' : i % 7 === 5 ? 'acknowledged' : 'open';
  const device = `${atH2 ? 'hz-h002' : 'hz-h001'}-scale-${i % 50}`;
  return alertRow({
    rule: RULES[i % RULES.length]!,
    dedupeKey: `load:${i}`,
    subject: `device:${device}`,
    severity: SEVERITIES[i % 3]!,
    currentSeverity: SEVERITIES[i % 3]!,
    messageKey: 'device-silent',
    params: { device, institution: atH2 ? 'hz-h002' : 'hz-h001', lastSeen: opened, limitMinutes: 30 },
    institution: atH2 ? 'hz-h002' : 'hz-h001',
    jurisdiction: atH2 ? 'hz-xh' : 'hz-xh-g01',
    device,
    status,
    ...(status !== 'open' ? { acknowledgedAt: opened, acknowledgedBy: 'keeper-1' } : {}),
    ...(status === 'resolved' ? { resolvedAt: opened, resolvedBy: 'keeper-1', note: 'fixed' } : {}),
    openedAt: opened,
    awaitingAckSince: opened,
    since: opened,
    lastSeenAt: opened,
  });
}

/** The alerts of the three actions, open or acknowledged until the tests act. */
const ACTION_ALERTS = 3;
/** Open and acknowledged alerts before any action: the load's and the three. */
const ACTIVE = Array.from({ length: MANY }, (_, i) => loadAlert(i)).filter((a) => a.status !== 'resolved').length + ACTION_ALERTS;

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-app-alerts-'));
  await store.upsertTransportCompany({ id: 'hz-t001', licence: 'ZJ-WT-0001' });
  await store.upsertVehicle({ id: 'hz-t001-v1', company: 'hz-t001', plate: 'ZA-A1234' });
  const second = await createUser(store, { username: SECOND_REGULATOR, password: SECOND_PASSWORD, role: 'regulator', scope: 'hz' });
  if (!second.ok) throw new Error(second.error.message);
  for (let i = 0; i < MANY; i++) if (!(await store.insertAlert(loadAlert(i)))) throw new Error(`load alert ${i} not inserted`);
  // The alerts the actions work on, opened 3 h ago (the load is older; worst first puts them among the criticals).
  const opened = new Date(Date.now() - 3 * 3_600_000).toISOString();
  const a1 = await store.insertAlert(openAlertAtH001(opened, { ...BAG_A_STORAGE_OVERDUE, evidence: [{ device: 'hz-h001-ref-01', seq: 2 }] }));
  const a2 = await store.insertAlert(openAlertAtH001(opened, BAG_A_WEIGHT_DISCREPANCY));
  // The golden chain's bag A was picked up by the company's vehicle: a bag "missing" on it makes the company the suspect.
  const a3 = await store.insertAlert(
    openAlertAtH001(opened, { rule: 'missing-in-transit', dedupeKey: `missing-in-transit:bag:${BAG_T}`, subject: `bag:${BAG_A}`, messageKey: 'missing-in-transit', title: `Bag ${BAG_A} not received`, params: { bag: BAG_A, institution: 'hz-h001', vehicle: 'ZA-A1234', manifest: 'HZ2026112000001', hours: 30, limitHours: 24 }, bag: BAG_A }),
  );
  if (!a1 || !a2 || !a3) throw new Error('alerts not inserted');
  [storageAlert, weightAlert, transitAlert] = [a1.id, a2.id, a3.id];
  ({ app, base } = await serveUi(store));
  browser = await launchChromium();
}, 240_000);

afterAll(() => closeUi({ browser, app, store, dir }));

// Two cores shared with other suites: a slow answer is not a failure, a missing one is.
const newPage = (locale: string, viewport?: { width: number; height: number }) => openPage(browser, consoleErrors, locale, { timeout: 15_000, viewport });
/** The demo accounts' passwords are demo-pass-<role word>; the second regulator's is its own. */
const logIn = (page: Page, username: string) => logInAt(page, `${base}/app/#/login`, username, username === SECOND_REGULATOR ? SECOND_PASSWORD : `demo-pass-${username.slice('demo-'.length)}`);

interface AlertPage {
  alerts: { id: number; currentSeverity: string; openedAt: string }[];
  total: number;
}
/** What the API answers the logged-in browser for this query. */
async function api(context: BrowserContext, query: string): Promise<AlertPage> {
  const r = await context.request.get(`${base}/api/v1/alerts?${query}`);
  expect(r.status(), query).toBe(200);
  return (await r.json()) as AlertPage;
}
const cardIds = (page: Page) => page.locator('[data-alert-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-alert-id'))));
const range = (page: Page) => page.locator('[data-page-range]').textContent();
const en = (n: number) => n.toLocaleString('en');
const hash = (page: Page) => decodeURIComponent(new URL(page.url()).hash);

describe('the alert queue with 10,000 alerts', () => {
  it('pages through them worst first; the counts and the rows are the API\'s; a page number jumps', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator');
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.locator('[data-alert-id]').first().waitFor();
    const active = 'status=open&status=acknowledged&sort=worst&limit=20';
    const first = await api(context, `${active}&offset=0`);
    expect(first.total).toBe(ACTIVE);
    expect(ACTIVE).toBe(MANY - 1428 + 3);
    await expect.poll(() => range(page)).toBe(`1–20 of ${en(first.total)}`);
    expect(await cardIds(page)).toEqual(first.alerts.map((a) => a.id));
    expect(await page.locator('[data-alert-id]').first().getAttribute('data-severity')).toBe('critical');
    expect(await page.locator('form.pager-jump').textContent()).toContain(`of ${en(Math.ceil(first.total / 20))}`);
    await shot(page, 'app-alerts-queue');

    await page.locator('[data-page-next]').click();
    await expect.poll(() => range(page)).toBe(`21–40 of ${en(first.total)}`);
    expect(hash(page)).toBe('#/alerts?offset=20');
    expect(await cardIds(page)).toEqual((await api(context, `${active}&offset=20`)).alerts.map((a) => a.id));

    // Page 200, among the warnings: worst first holds across pages.
    await page.getByLabel('Page', { exact: true }).fill('200');
    await page.getByRole('button', { name: 'Go', exact: true }).click();
    await expect.poll(() => range(page)).toBe(`3,981–4,000 of ${en(first.total)}`);
    expect(hash(page)).toBe('#/alerts?offset=3980');
    const p200 = await api(context, `${active}&offset=3980`);
    expect(await cardIds(page)).toEqual(p200.alerts.map((a) => a.id));
    expect(await page.locator('[data-alert-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')))).toEqual(p200.alerts.map((a) => a.currentSeverity));
    expect(p200.alerts.every((a) => a.currentSeverity === 'warning')).toBe(true);
    // The last page is short; a number past it leads to it.
    const lastOffset = Math.floor((first.total - 1) / 20) * 20;
    await page.getByLabel('Page', { exact: true }).fill('99999');
    await page.getByRole('button', { name: 'Go', exact: true }).click();
    await expect.poll(() => range(page)).toBe(`${en(lastOffset + 1)}–${en(first.total)} of ${en(first.total)}`);
    expect(await page.locator('[data-page-next]').isDisabled()).toBe(true);
    expect(await cardIds(page)).toEqual((await api(context, `${active}&offset=${lastOffset}`)).alerts.map((a) => a.id));
    await page.locator('[data-page-previous]').click();
    await expect.poll(() => range(page)).toBe(`${en(lastOffset - 19)}–${en(lastOffset)} of ${en(first.total)}`);
    await context.close();
  });

  it('keeps filters and order in the URL: a reload and Back restore them, and the totals follow the API', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator');
    await page.goto(`${base}/app/#/alerts?offset=40`);
    await page.locator('[data-alert-id]').first().waitFor();

    // A filter goes back to the first page.
    await page.getByLabel('Severity', { exact: true }).selectOption('info');
    await expect.poll(() => hash(page)).toBe('#/alerts?severity=info');
    const info = await api(context, 'status=open&status=acknowledged&severity=info&sort=worst&limit=20');
    await expect.poll(() => range(page)).toBe(`1–20 of ${en(info.total)}`);
    expect(await cardIds(page)).toEqual(info.alerts.map((a) => a.id));

    await page.getByLabel('Institution', { exact: true }).selectOption('hz-h002');
    await page.getByLabel('Rule', { exact: true }).selectOption('device-silent');
    await page.getByLabel('Order', { exact: true }).selectOption('newest');
    await page.getByLabel('Show', { exact: true }).selectOption('all');
    await expect.poll(() => hash(page)).toBe('#/alerts?severity=info&institution=hz-h002&rule=device-silent&sort=newest&status=all');
    const narrow = await api(context, 'severity=info&institution=hz-h002&rule=device-silent&sort=newest&limit=20');
    // Every 60th load alert: info (i % 3 = 2), at hz-h002 (i % 5 = 0), device-silent (i % 4 = 0).
    expect(narrow.total).toBe(Math.ceil((MANY - 20) / 60));
    await expect.poll(() => range(page)).toBe(`1–20 of ${narrow.total}`);
    expect(await cardIds(page)).toEqual(narrow.alerts.map((a) => a.id));
    expect(narrow.alerts[0]!.openedAt > narrow.alerts[1]!.openedAt).toBe(true);
    await page.locator('[data-page-next]').click();
    await expect.poll(() => range(page)).toBe(`21–40 of ${narrow.total}`);
    await shot(page, 'app-alerts-filtered');

    // A reload keeps the view, its choices shown as chosen.
    await page.reload();
    await expect.poll(() => range(page)).toBe(`21–40 of ${narrow.total}`);
    expect(await page.getByLabel('Order', { exact: true }).inputValue()).toBe('newest');
    expect(await page.getByLabel('Show', { exact: true }).inputValue()).toBe('all');
    expect(await page.getByLabel('Institution', { exact: true }).inputValue()).toBe('hz-h002');
    expect(await cardIds(page)).toEqual((await api(context, 'severity=info&institution=hz-h002&rule=device-silent&sort=newest&limit=20&offset=20')).alerts.map((a) => a.id));

    // Back: the first page, then the open ones only, then older orders.
    await page.goBack();
    await expect.poll(() => range(page)).toBe(`1–20 of ${narrow.total}`);
    await page.goBack();
    await expect.poll(() => hash(page)).toBe('#/alerts?severity=info&institution=hz-h002&rule=device-silent&sort=newest');
    const openNarrow = await api(context, 'status=open&status=acknowledged&severity=info&institution=hz-h002&rule=device-silent&sort=newest&limit=20');
    await expect.poll(() => range(page)).toBe(`1–20 of ${openNarrow.total}`);
    expect(openNarrow.total).toBeLessThan(narrow.total);
    expect(await page.getByLabel('Show', { exact: true }).inputValue()).toBe('active');
    await page.goBack();
    await expect.poll(() => hash(page)).toBe('#/alerts?severity=info&institution=hz-h002&rule=device-silent');
    expect(await page.getByLabel('Order', { exact: true }).inputValue()).toBe('worst');

    // In Chinese the same page, its counts in Chinese words.
    await page.locator('#lang-switch').click();
    await expect.poll(() => range(page)).toBe(`第 1–20 条，共 ${openNarrow.total} 条`);
    expect(await page.locator('h1').textContent()).toBe('预警队列');
    expect(await page.locator('[data-alert-id]').first().locator('h2').textContent()).toContain('设备离线');
    await shot(page, 'app-alerts-zh');
    await page.locator('#lang-switch').click();
    await context.close();
  });

  it('a hand-edited URL with a sort or view it does not know shows the default, not an error', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator');
    await page.goto(`${base}/app/#/alerts?sort=loudest&status=closed&offset=abc`);
    const first = await api(context, 'status=open&status=acknowledged&sort=worst&limit=20');
    await expect.poll(() => range(page)).toBe(`1–20 of ${en(first.total)}`);
    expect(await cardIds(page)).toEqual(first.alerts.map((a) => a.id));
    await context.close();
  });
});

describe('working an alert', () => {
  it('a regulator acknowledges, then resolves with a required note, from the queue', async () => {
    const { page } = await newPage('en-US');
    await logIn(page, 'demo-regulator');
    await page.goto(`${base}/app/#/alerts?rule=storage-overdue`);
    const card = page.locator(`[data-alert-id="${storageAlert}"]`);
    await card.waitFor();
    expect(await card.locator('[data-escalation]').textContent()).toBe('level 2 of 3: institution head');
    expect(await card.locator('h2').textContent()).toContain('Storage overdue');
    // The message in the reader's language, the institution by name, the bag linked to its trail.
    expect(await card.locator('[data-message]').textContent()).toBe(`Bag ${BAG_A} has been in storage room STORE-1 at hz-h001 for 68 h (limit 48 h).`);
    expect(await card.locator('[data-institution]').textContent()).toBe('City Hospital No. 1 (hz-h001)');
    expect(decodeURIComponent((await card.locator('[data-bag-link]').getAttribute('href'))!)).toBe(`#/trail?q=${BAG_A}`);
    // "Open for" on the server's clock: opened 3 h ago.
    // (Minutes pass on a shared machine before the test gets here.)
    expect(await card.locator('[data-age]').textContent()).toMatch(/^3 h( \d{1,2} min)? · /);

    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => card.getAttribute('data-status')).toBe('acknowledged');
    expect(await page.locator('#alert-flash').textContent()).toBe(`Alert ${storageAlert} acknowledged.`);
    expect(await card.locator('[data-action="acknowledge"]').count()).toBe(0);
    await card.getByRole('button', { name: 'Resolve…' }).click();
    // The note field has the focus, and an empty note is refused before sending.
    expect(await page.evaluate<string | null | undefined>("document.activeElement?.getAttribute('name')")).toBe('note');
    await card.getByRole('button', { name: 'Resolve with this note' }).click();
    await expect.poll(() => card.locator('[role="alert"]').textContent()).toBe('Write a note saying what was done before resolving.');
    expect((await store.alert(storageAlert))!.status).toBe('acknowledged');
    await card.getByLabel('What was done (required)').fill('bag collected by the night crew');
    await card.getByRole('button', { name: 'Resolve with this note' }).click();
    // Resolved: the open and acknowledged view no longer lists it.
    await expect.poll(() => page.locator(`[data-alert-id="${storageAlert}"]`).count()).toBe(0);
    expect(await store.alert(storageAlert)).toMatchObject({ status: 'resolved', resolvedBy: 'demo-regulator', note: 'bag collected by the night crew', acknowledgedBy: 'demo-regulator' });
    await page.getByLabel('Show', { exact: true }).selectOption('resolved');
    await expect.poll(() => page.locator(`[data-alert-id="${storageAlert}"] [data-resolved-by]`).textContent()).toBe('Resolved by demo-regulator: bag collected by the night crew');
  });

  it('a regulator confirms alerts as violations, from the queue and from the alert page', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator');
    await page.goto(`${base}/app/#/alerts?status=all&rule=storage-overdue`);
    const card = page.locator(`[data-alert-id="${storageAlert}"]`);
    await card.locator('[data-action="confirm"]').click();
    // The violation type defaults to the code of the alert's rule.
    expect(await card.locator(`#viol-type-${storageAlert}`).inputValue()).toBe('storage-overdue');
    await card.getByRole('button', { name: 'Confirm violation' }).click();
    await expect.poll(() => card.locator('[role="alert"]').textContent()).toBe('Write a note saying why this is a violation.');
    await card.getByLabel('Why this is a violation (required)').fill('bag stored 68 h, seen on site');
    await card.getByRole('button', { name: 'Confirm violation' }).click();
    await card.locator('[data-confirmed-violation="storage-overdue"]').waitFor();
    expect(await card.locator('[data-confirmed-violation]').textContent()).toContain('+2 points');
    expect(await card.locator('[data-action="confirm"]').count()).toBe(0);
    await shot(page, 'app-alerts-confirmed');

    // The second, on its own page, as a graver violation than its rule.
    await page.goto(`${base}/app/#/alert/${weightAlert}`);
    const detail = page.locator(`[data-alert-id="${weightAlert}"]`);
    await detail.locator('[data-action="confirm"]').click();
    expect(await detail.locator(`#viol-type-${weightAlert}`).inputValue()).toBe('weight-discrepancy');
    await detail.locator(`#viol-type-${weightAlert}`).selectOption('illegal-dumping');
    await detail.getByLabel('Why this is a violation (required)').fill('the missing 250 g were found dumped');
    await detail.getByRole('button', { name: 'Confirm violation' }).click();
    await detail.locator('[data-confirmed-violation="illegal-dumping"]').waitFor();
    const credit = await (await context.request.get(`${base}/api/v1/institutions/hz-h001/credit`)).json();
    expect({ points: credit.points, riskClass: credit.riskClass }).toEqual({ points: 14, riskClass: 'D' });

    // The alert page of the first shows its violation and its evidence.
    await page.goto(`${base}/app/#/alert/${storageAlert}`);
    await page.locator(`[data-alert-id="${storageAlert}"] [data-confirmed-violation="storage-overdue"]`).waitFor();
    expect(await page.locator('h1').textContent()).toBe(`Alert #${storageAlert}`);
    expect(await page.locator('[data-evidence]').textContent()).toBe('hz-h001-ref-01 #2');
    // The hospital sees the confirmation too, and no form to confirm.
    const hospital = await newPage('zh-CN');
    await logIn(hospital.page, 'demo-hospital');
    await hospital.page.goto(`${base}/app/#/alert/${weightAlert}`);
    await hospital.page.locator('[data-confirmed-violation="illegal-dumping"]').waitFor();
    expect(await hospital.page.locator('h1').textContent()).toBe(`预警 #${weightAlert}`);
    expect(await hospital.page.locator('[data-action="confirm"]').count()).toBe(0);
    await hospital.context.close();
    await context.close();
  });

  it('the transport company may explain the bag missing on its vehicle, not acknowledge or resolve it', async () => {
    const { page } = await newPage('en-US');
    await logIn(page, 'demo-transport');
    await page.goto(`${base}/app/#/alert/${transitAlert}`);
    const card = page.locator(`[data-alert-id="${transitAlert}"]`);
    await card.locator('[data-action="explain"]').waitFor();
    expect(await card.locator('[data-action="acknowledge"], [data-action="resolve"], [data-action="confirm"]').count()).toBe(0);
    await card.locator('[data-action="explain"]').click();
    await card.getByRole('button', { name: 'Add this explanation' }).click();
    await expect.poll(() => card.locator('[role="alert"]').textContent()).toBe('Write a note saying what was done before resolving.');
    await card.getByLabel('Your explanation (required)').fill('The bag is in our depot; the receipt scan failed.');
    await card.getByRole('button', { name: 'Add this explanation' }).click();
    await card.locator('[data-explanation]').waitFor();
    expect(await card.locator('[data-explanation]').textContent()).toContain('demo-transport');
    expect(await card.locator('[data-explanation]').textContent()).toContain('The bag is in our depot; the receipt scan failed.');
    expect((await store.alert(transitAlert))!.status).toBe('open');
    // Its queue holds the unresolved alerts about bag A, which its vehicle carried; none of the load (the hospitals' devices).
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    const aboutBagA: number[] = [];
    for (const id of [storageAlert, weightAlert, transitAlert]) if ((await store.alert(id))!.status !== 'resolved') aboutBagA.push(id);
    expect(aboutBagA).toContain(transitAlert);
    await expect.poll(() => range(page)).toBe(`1–${aboutBagA.length} of ${aboutBagA.length}`);
    expect((await cardIds(page)).sort()).toEqual(aboutBagA.sort());
    await shot(page, 'app-alerts-transport');
  });

  it('refuses: the public may not open the queue; the hospital may not open an alert of another institution, nor act on it through the API', async () => {
    const pub = await newPage('en-US');
    await logIn(pub.page, 'demo-public');
    await pub.page.goto(`${base}/app/#/alerts`);
    await pub.page.locator('[data-refusal]').waitFor();
    expect(await pub.page.locator('[data-refusal]').textContent()).toContain('A Public account may not see this page.');
    expect(await pub.page.locator('header nav').textContent()).not.toContain('Alerts');
    await pub.context.close();

    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-hospital');
    const atH2 = (await store.alerts({ institution: 'hz-h002', status: 'open', limit: 1 }))[0]!;
    await page.goto(`${base}/app/#/alert/${atH2.id}`);
    // The page opens (the role may see alerts); the API refuses this one.
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Alert #${atH2.id}`);
    await expect.poll(() => page.locator('[data-refusal]').textContent()).toContain('Access refused: your role or scope does not allow this.');
    const r = await context.request.post(`${base}/api/v1/alerts/${atH2.id}/acknowledge`, { data: {} });
    expect(r.status()).toBe(403);
    // Its own queue counts its own alerts only, as the API does.
    await page.goto(`${base}/app/#/alerts?status=all`);
    const own = await api(context, 'limit=20');
    // 8,000 of the load (4 in 5) and the three of the actions.
    expect(own.total).toBe(8003);
    await expect.poll(() => range(page)).toBe(`1–20 of ${en(own.total)}`);
    // An alert that does not exist is named so.
    await page.goto(`${base}/app/#/alert/999999`);
    await expect.poll(() => page.locator('[data-failure]').textContent()).toContain('No such alert.');
    await context.close();
  });

  it('works on a phone screen with the keyboard alone', async () => {
    const { page } = await newPage('zh-CN', { width: 390, height: 844 });
    await logIn(page, SECOND_REGULATOR);
    await page.goto(`${base}/app/#/alerts?severity=critical`);
    await page.locator('[data-alert-id]').first().waitFor();
    // Nothing wider than the screen.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.getByLabel('第', { exact: true }).focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await expect.poll(() => hash(page)).toBe('#/alerts?severity=critical&offset=40');
    await shot(page, 'app-alerts-phone');
  });

  it('logged no console errors and no page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
