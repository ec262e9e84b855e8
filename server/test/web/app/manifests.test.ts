/**
 * The transport leg's manifest pages of the typed app (/app/) in chromium, on the golden store with two
 * manifests signed today (transport-world.ts): the regulator finds HZ-UI-0001 in the list, filters it,
 * pages, sorts (all kept in the URL), and reads it: parties by name, signatures in order, per-bag weights,
 * the refusal, the 联单 export, in both languages; the crew's "Today's manifests" on a 390 x 844 phone;
 * the transport company's and the disposal centre's homes at the same size, their figures against the
 * API; the public has no manifests. No console errors. Screenshots: test-artifacts/web/app-manifest-*.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../../src/api/app.ts';
import type { SqliteStore } from '../../../src/store/index.ts';
import { closeUi, launchChromium, logInAt, openPage, serveUi, shot } from '../browser.ts';
import { M, M2, openTransportWorld, PLATE, X, Y, Z } from './transport-world.ts';

const PHONE = { width: 390, height: 844 };

let dir: string, store: SqliteStore;
let app: ApiInstance, base: string;
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  ({ dir, store } = await openTransportWorld('wt-app-manifest-'));
  ({ app, base } = await serveUi(store));
  browser = await launchChromium();
});

afterAll(() => closeUi({ browser, app, store, dir }));

const newPage = (locale: string, viewport?: { width: number; height: number }) => openPage(browser, consoleErrors, locale, { timeout: 30_000, viewport });
const logIn = (page: Page, username: string, password: string) => logInAt(page, `${base}/app/#/login`, username, password);
/** What the API answers this page's session. */
const api = async <T>(context: BrowserContext, path: string): Promise<T> => (await context.request.get(`${base}${path}`)).json() as Promise<T>;
const hashOf = (page: Page) => decodeURIComponent(new URL(page.url()).hash);
/** The `attribute` of each element `selector` finds, in order (the rows a table shows). */
const attributes = (page: Page, selector: string, attribute: string) => page.locator(selector).evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attribute);
/** The page does not scroll sideways: nothing is cut off on a phone. */
const fitsWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('the manifest list and one manifest', () => {
  it('the regulator finds the manifest, filters, pages and sorts with all of it in the URL, and reads it: parties, signatures in order, weights, the refusal, the export', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.getByRole('link', { name: 'Manifests', exact: true }).click();
    const row = page.locator(`tr[data-manifest="${M}"]`);
    await row.waitFor();
    const all = await api<{ total: number; manifests: { manifest: string }[] }>(context, '/api/v1/manifests?limit=50&offset=0');
    expect(all.total).toBe(2);
    await expect(page.locator('table[data-manifests]').getAttribute('data-manifests')).resolves.toBe(String(all.total));
    expect(await attributes(page, 'tbody tr[data-manifest]', 'data-manifest')).toEqual(all.manifests.map((m) => m.manifest));
    await expect(row.locator('[data-status]').textContent()).resolves.toBe('Processed');
    await expect(row.textContent()).resolves.toContain('1 bag(s) refused (0.905 kg)');
    await expect(row.textContent()).resolves.toContain('City Hospital No. 1 (hz-h001)');
    await expect(row.getAttribute('class')).resolves.toContain('anomaly');

    // Filters: without a discrepancy only HZ-UI-0002; with one, HZ-UI-0001 alone; kept in the URL across a reload.
    await page.selectOption('#m-discrepant', 'false');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator(`tr[data-manifest="${M2}"]`).waitFor();
    await expect(page.locator(`tr[data-manifest="${M}"]`).count()).resolves.toBe(0);
    await page.selectOption('#m-discrepant', 'true');
    await page.locator('[data-status-filter="processed"]').check();
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => hashOf(page)).toBe('#/manifests?discrepant=true&status=processed');
    await page.reload();
    await row.waitFor();
    await expect(page.locator('tbody tr[data-manifest]').count()).resolves.toBe(1);
    await expect(page.locator('#m-discrepant').inputValue()).resolves.toBe('true');
    await expect(page.locator('[data-status-filter="processed"]').isChecked()).resolves.toBe(true);
    // A party filter the API answers with nothing.
    await page.goto(`${base}/app/#/manifests?producer=hz-h002`);
    await page.locator('[data-manifests="0"]').waitFor();

    // Paging from the server: the second manifest of two on its own page, then back.
    await page.goto(`${base}/app/#/manifests?offset=1`);
    await expect.poll(() => page.locator('[data-page-range]').textContent()).toBe('2–2 of 2');
    await expect(attributes(page, 'tbody tr[data-manifest]', 'data-manifest')).resolves.toEqual([all.manifests[1]!.manifest]);
    await page.locator('[data-page-previous]').click();
    await expect.poll(() => hashOf(page)).toBe('#/manifests');
    // The sort: oldest first reverses the two (HZ-UI-0001 was signed first).
    await page.selectOption('#m-sort', 'oldest');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => hashOf(page)).toBe('#/manifests?sort=oldest');
    await expect.poll(() => page.locator('tbody tr[data-manifest]').first().getAttribute('data-manifest')).toBe(M);
    const oldest = await api<{ manifests: { manifest: string }[] }>(context, '/api/v1/manifests?sort=oldest&limit=50&offset=0');
    expect(await attributes(page, 'tbody tr[data-manifest]', 'data-manifest')).toEqual(oldest.manifests.map((m) => m.manifest));
    await shot(page, 'app-manifest-list-en');

    await page.locator(`tr[data-manifest="${M}"] a`).click();
    const card = page.locator(`[data-manifest="${M}"][data-status="processed"]`);
    await card.waitFor();
    expect(hashOf(page)).toBe(`#/manifest/${M}`);
    await expect(card.locator('[data-party="producer"]').textContent()).resolves.toBe('City Hospital No. 1 (hz-h001)');
    await expect(card.locator('[data-party="transporter"]').textContent()).resolves.toBe('Clean Transport (hz-t001)');
    await expect(card.locator('[data-party="receiver"]').textContent()).resolves.toBe('Disposal Centre (hz-d001)');
    await expect(card.textContent()).resolves.toContain(PLATE);
    await expect(card.locator('[data-acceptance]').textContent()).resolves.toBe('partial');
    await expect(card.textContent()).resolves.toContain('3.3 kg declared, 2.39 kg accepted, 0.905 kg refused');
    await expect(page.locator('[data-discrepancies]').getAttribute('data-discrepancies')).resolves.toBe('1');
    expect(await attributes(page, '[data-signatures] > li', 'data-step')).toEqual(['issued', 'picked-up', 'received', 'closed']);
    await expect(page.locator('[data-signatures] > li').nth(1).textContent()).resolves.toContain('crew-5501');
    await expect(page.locator(`tr[data-bag="${Y}"]`).getAttribute('data-outcome')).resolves.toBe('refused');
    await expect(page.locator(`tr[data-bag="${Y}"]`).textContent()).resolves.toContain('包装破损 leaking');
    await expect(page.locator(`tr[data-bag="${X}"]`).textContent()).resolves.toContain('2.39 kg');
    await expect(page.locator('[data-discrepancy="refusal"]').textContent()).resolves.toContain('1 bag(s) refused (0.905 kg)');
    const href = await page.locator('[data-export="manifest"]').getAttribute('href');
    expect(href).toBe(`/api/v1/manifests/${M}/export.csv`);
    // The export answers this session with the 联单.
    const csv = await context.request.get(`${base}${href}`);
    expect([csv.status(), (await csv.text()).includes(M)]).toEqual([200, true]);
    await shot(page, 'app-manifest-en');

    // The same page in Chinese.
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('转移联单');
    await expect(page.locator(`[data-manifest="${M}"] [data-status]`).first().textContent()).resolves.toBe('已处置');
    await expect(page.locator('[data-discrepancy="refusal"]').textContent()).resolves.toContain('拒收 1 袋');
    await expect(page.locator('[data-signatures] > li h3').first().textContent()).resolves.toContain('签发');
    await shot(page, 'app-manifest-zh');
    await context.close();
  });

  it('filters and opens a manifest with the keyboard alone', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.goto(`${base}/app/#/manifests`);
    await page.locator(`tr[data-manifest="${M2}"]`).waitFor();
    await page.locator('#m-vehicle').focus();
    await page.keyboard.type(PLATE);
    // Tab on through the status boxes: Space ticks "Processed", Enter sends the form.
    await page.locator('#m-vehicle').press('Tab');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await expect(page.evaluate<string | null>("document.activeElement?.getAttribute('data-status-filter')")).resolves.toBe('processed');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await expect.poll(() => hashOf(page)).toBe(`#/manifests?vehicle=${PLATE}&status=processed`);
    await expect.poll(() => page.locator('tbody tr[data-manifest]').count()).toBe(1);
    await page.locator(`tr[data-manifest="${M}"] a`).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-signatures]').waitFor();
    await context.close();
  });

  it('an unknown manifest says so in words', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.goto(`${base}/app/#/manifest/NO-SUCH`);
    await expect(page.locator('[data-failure] p').textContent()).resolves.toBe('No record names this manifest.');
    await context.close();
  });

  it('the public has no manifests: no menu entry, and the pages are refused', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-public', 'demo-pass-public');
    await expect(page.getByRole('link', { name: 'Manifests', exact: true }).count()).resolves.toBe(0);
    for (const path of ['/manifests', `/manifest/${M}`, '/crew', '/transit']) {
      await page.goto(`${base}/app/#${path}`);
      await page.locator('[data-refusal]').waitFor();
      await expect(page.locator('tr[data-manifest], li[data-manifest]').count()).resolves.toBe(0);
    }
    await context.close();
  });
});

describe("the transport company's pages, on a phone", () => {
  it("lands on its home: today's manifests and the bags in transit, as the API counts them, nothing cut off, in Chinese then English", async () => {
    const { context, page } = await newPage('zh-CN', PHONE);
    await logIn(page, 'demo-transport', 'demo-pass-transport');
    await page.locator('[data-count="manifests-today"]').waitFor();
    expect(hashOf(page)).toBe('#/transport');
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const todays = await api<{ manifests: { manifest: string }[] }>(context, `/api/v1/manifests?from=${day}&to=${day}&limit=500&offset=0`);
    const open = await api<{ manifests: { manifest: string }[] }>(context, '/api/v1/manifests?open=true&limit=500&offset=0');
    const expected = [...new Set([...todays.manifests, ...open.manifests].map((m) => m.manifest))];
    expect(expected.sort()).toEqual([M, M2]);
    await expect(page.locator('[data-count="manifests-today"]').textContent()).resolves.toBe(String(expected.length));
    const inTransit = await api<{ total: number; bags: { bag: string }[] }>(context, '/api/v1/bags?state=picked-up&limit=500&offset=0');
    expect(inTransit.bags.map((b) => b.bag)).toContain(Z);
    await expect(page.locator('[data-count="in-transit"]').textContent()).resolves.toBe(String(inTransit.total));
    // Picked up minutes ago: none overdue.
    await expect(page.locator('[data-count="overdue"]').textContent()).resolves.toBe('0');
    await expect(page.locator(`li[data-manifest="${M2}"] [data-status]`).textContent()).resolves.toBe('运输中');
    await expect(page.locator(`[data-table="in-transit"] tr[data-bag="${Z}"]`).textContent()).resolves.toContain(M2);
    expect(await fitsWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'app-transport-home-phone-zh');
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe("Today's collection");
    await expect(page.locator(`li[data-manifest="${M2}"] [data-status]`).textContent()).resolves.toBe('Sent');
    expect(await fitsWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'app-transport-home-phone-en');
    await context.close();
  });

  it("the crew's Today's manifests: each manifest a card, nothing cut off, its link to the manifest", async () => {
    const { context, page } = await newPage('zh-CN', PHONE);
    await logIn(page, 'demo-transport', 'demo-pass-transport');
    // The nav's entry: the home page's tile links there too (its name carries the count) once its figures load.
    await page.locator('header nav').getByRole('link', { name: '今日联单' }).click();
    const card = page.locator(`li[data-manifest="${M}"]`);
    await card.waitFor();
    await expect(page.locator('[data-crew-manifests]').getAttribute('data-crew-manifests')).resolves.toBe('2');
    const text = (await card.textContent())!;
    expect(text).toContain('已处置');
    expect(text).toContain(PLATE);
    expect(text).toContain('申报 2 袋，接收 1 袋，拒收 1 袋');
    expect(text).toContain('City Hospital No. 1 (hz-h001)');
    await expect(card.locator('[data-discrepancy="refusal"]').count()).resolves.toBe(1);
    await expect(page.locator(`li[data-manifest="${M2}"] [data-signed="received"]`).textContent()).resolves.toBe('—');
    expect(await fitsWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'app-manifest-crew-phone');
    await card.getByRole('link', { name: M }).click();
    await page.locator('[data-signatures]').waitFor();
    expect(await fitsWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await context.close();
  });

  it('Transit: bags in transit and recent pickups as the API lists them, each manifest a link to the map', async () => {
    const { context, page } = await newPage('en-US', PHONE);
    await logIn(page, 'demo-transport', 'demo-pass-transport');
    await page.getByRole('link', { name: 'Transit', exact: true }).click();
    await page.locator('[data-count="in-transit"]').waitFor();
    const inTransit = await api<{ total: number; bags: { bag: string }[] }>(context, '/api/v1/bags?state=picked-up&limit=500&offset=0');
    await expect(page.locator('[data-count="in-transit"]').textContent()).resolves.toBe(String(inTransit.total));
    expect(await attributes(page, '[data-table="in-transit"] tbody tr', 'data-bag')).toEqual(inTransit.bags.map((b) => b.bag));
    const mapLink = await page.locator(`[data-table="in-transit"] tr[data-bag="${Z}"] [data-map-link]`).getAttribute('href');
    expect(decodeURIComponent(mapLink!)).toBe(`#/transit-map?bag=${Z}`);
    await expect(page.locator('[data-table="overdue"][data-rows="0"]').count()).resolves.toBe(1);
    expect(await fitsWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'app-transit-phone');
    await context.close();
  });
});

describe("the disposal centre's home", () => {
  it('what arrived and what is short: received today, the refused bag, the discrepancy, the weight short, the bag on its way; in both languages', async () => {
    const { context, page } = await newPage('en-US', PHONE);
    await logIn(page, 'demo-disposal', 'demo-pass-disposal');
    await page.locator('[data-count="received"]').waitFor();
    expect(hashOf(page)).toBe('#/disposal');
    const received = await api<{ manifests: { manifest: string; declaredGrams: number; acceptedGrams: number; refusedGrams: number }[] }>(context, '/api/v1/manifests?status=received&status=processed&status=refused&limit=500&offset=0');
    expect(received.manifests.map((m) => m.manifest)).toEqual([M]);
    const [m] = received.manifests;
    await expect(page.locator('[data-count="received"]').textContent()).resolves.toBe('1');
    await expect(page.locator('[data-count="refused"]').textContent()).resolves.toBe('1');
    await expect(page.locator('[data-count="discrepant"]').textContent()).resolves.toBe('1');
    // 3.3 kg declared, 2.39 accepted, 0.905 refused: 5 g neither.
    expect(m!.declaredGrams - m!.acceptedGrams - m!.refusedGrams).toBe(5);
    await expect(page.locator('[data-count="short-kg"]').textContent()).resolves.toBe('0.005');
    await expect(page.locator(`[data-table="received"] tr[data-manifest="${M}"] [data-short]`).textContent()).resolves.toBe('0.005 kg');
    await expect(page.locator(`[data-table="refused"] tr[data-bag="${Y}"]`).textContent()).resolves.toContain('包装破损 leaking');
    await expect(page.locator('[data-count="expected"]').textContent()).resolves.toBe('1');
    await expect(page.locator(`[data-table="expected"] tr[data-bag="${Z}"]`).textContent()).resolves.toContain(M2);
    expect(await fitsWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'app-disposal-home-en');
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('今日接收：到了什么，少了什么');
    await expect(page.locator(`[data-table="received"] tr[data-manifest="${M}"] [data-status]`).textContent()).resolves.toBe('已处置');
    await shot(page, 'app-disposal-home-zh');
    await context.close();
  });

  it('no page logged an error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
