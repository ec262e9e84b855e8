/**
 * The app's frame in chromium, over the golden store: the login page speaks the browser's language
 * (Chinese to a zh-CN browser, English to any other), a language chosen with the switch is kept after a
 * reload (and a logout), old /ui/ bookmarks land on the app's login, and the API's documentation (Swagger
 * UI at /docs/, which needs inline styles) works under the server's CSP with nothing refused. No console
 * errors. Screenshots: test-artifacts/web/frame-*.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../../src/api/app.ts';
import type { SqliteStore } from '../../../src/store/index.ts';
import { closeUi, launchChromium, logInAt, openGoldenStore, openPage, serveUi, shot } from '../browser.ts';

let dir: string, store: SqliteStore;
let app: ApiInstance, base: string;
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-web-frame-'));
  ({ app, base } = await serveUi(store));
  browser = await launchChromium();
});

afterAll(() => closeUi({ browser, app, store, dir }));

// Generous: the machine's two cores are shared, and Swagger UI is a large page.
const newPage = (locale: string) => openPage(browser, consoleErrors, locale, { timeout: 30_000 });

describe("the app's frame", () => {
  it.each([
    ['zh-CN', 'zh-CN', '登录', '用户名'],
    ['zh-TW', 'zh-CN', '登录', '用户名'],
    ['en-US', 'en', 'Log in', 'Username'],
    ['de-DE', 'en', 'Log in', 'Username'],
  ])('a %s browser gets the login page in %s', async (browserLocale, lang, heading, field) => {
    const { context, page } = await newPage(browserLocale);
    await page.goto(`${base}/app/`);
    await page.getByRole('heading', { name: heading }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/login');
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    await page.getByLabel(field, { exact: true }).waitFor();
    await context.close();
  });

  it('keeps the language chosen with the switch after a reload and after logging out', async () => {
    const { context, page } = await newPage('zh-CN');
    await logInAt(page, `${base}/app/#/login`, 'demo-regulator', 'demo-pass-regulator');
    const switcher = page.locator('#lang-switch');
    expect(await switcher.textContent()).toBe('English');
    await switcher.click();
    await expect.poll(() => switcher.textContent()).toBe('中文');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await page.locator('[data-logout]').waitFor();
    expect(await page.locator('#lang-switch').textContent()).toBe('中文');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await shot(page, 'frame-english-after-reload');
    // The browser is Chinese, but the choice wins on the login page too.
    await page.locator('[data-logout]').click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    // And back: Chinese kept after a reload as well.
    await page.locator('#lang-switch').click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await context.close();
  });

  it('an old bookmark of the plain-JavaScript UI (/ui/#/trail) opens the app', async () => {
    const { context, page } = await newPage('en-US');
    await page.goto(`${base}/ui/#/trail`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/app/');
    await context.close();
  });

  it("the API's documentation (Swagger UI) works under the server's policy, inline styles allowed: nothing refused", async () => {
    const { context, page } = await newPage('en-US');
    const refused: string[] = [];
    // A CSP violation is reported in the page as an event; a refused load also shows as a console error.
    await page.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('csp: ' + e.violatedDirective + ' ' + e.blockedURI))");
    page.on('console', (m) => {
      if (/csp:|Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    const response = await page.goto(`${base}/docs/`);
    expect(response?.headers()['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    await expect.poll(() => page.locator('.swagger-ui .info .title').textContent(), { timeout: 60_000 }).toContain('wastetrail API');
    await page.locator('.opblock-tag-section').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    expect(refused).toEqual([]);
    await shot(page, 'frame-api-docs');
    await context.close();
  }, 120_000);

  it('logged no console errors and no page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
