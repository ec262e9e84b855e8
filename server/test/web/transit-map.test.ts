/**
 * The transit map in a real browser (Debian's chromium through playwright-core), on the API app with the
 * UI's routes: the hospital follows its bag A from the trail to the map of the leg that carried it, in
 * both languages, with no tile server (the page may load nothing but this server's files). The map shows
 * the track, the registered route, the geofences, the stop, the door opened outside every geofence and
 * the alert there; the table below says the same in words. Screenshots: test-artifacts/web/transit-map-*.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import { registerWebUi } from '../../src/web/index.ts';
import { BAG_A, openTestWorld, PASSWORD, seedBags, type TestWorld } from '../api/support.ts';
import { seedVehicleTrack } from '../api/transport-support.ts';
import { launchChromium, logInAt, openPage, shot } from './browser.ts';

let w: TestWorld;
let app: ApiInstance;
let base: string;
let browser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  w = await openTestWorld();
  await seedBags(w);
  await seedVehicleTrack(w);
  // The browser's session runs on real time.
  app = await buildApp({ ...w.deps, clock: () => Date.now(), webRoutes: registerWebUi });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  app?.server.closeAllConnections();
  await app?.close();
  await w?.cleanup();
});

describe('the transit map', () => {
  it.each([
    ['en', 'Transit map', 'Cargo door opened', 'outside every geofence'],
    ['zh-CN', '转运轨迹图', '货厢门打开', '不在任何电子围栏内'],
  ])('takes the hospital (%s) from its bag to the leg that carried it, drawn from this server alone', async (locale, title, doorOpened, outside) => {
    const { context, page } = await openPage(browser, errors, locale, { timeout: 30_000 });
    const elsewhere: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) elsewhere.push(r.url());
    });
    await logInAt(page, `${base}/ui/#/login`, 'admin-h1', PASSWORD);
    await page.goto(`${base}/ui/#/trail?q=${encodeURIComponent(BAG_A)}`);
    await page.locator('[data-map-link]').click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    const map = page.locator('svg.transit-map');
    await map.waitFor();
    // Districts and roads of the shipped base map, the route, both yards, the track, the stop, the door and the alert.
    expect(await page.locator('svg .map-road').count()).toBeGreaterThan(10);
    expect(await page.locator('svg .map-district').count()).toBe(2);
    expect(await page.locator('svg [data-route]').count()).toBe(1);
    expect(await page.locator('svg [data-geofence]').count()).toBe(2);
    expect(await page.locator('svg [data-track]').count()).toBe(1);
    expect(await page.locator('svg [data-stop]').count()).toBe(1);
    expect(await page.locator('svg [data-door="open"]').count()).toBe(1);
    expect(await page.locator('svg [data-alert="door-opened"]').count()).toBe(1);
    // The track lies within the picture.
    const box = await map.boundingBox();
    const track = await page.locator('svg [data-track]').boundingBox();
    expect(track!.y).toBeGreaterThanOrEqual(box!.y);
    expect(track!.y + track!.height).toBeLessThanOrEqual(box!.y + box!.height);
    const rows = page.locator('[data-table="transit-events"] tbody tr');
    expect(await rows.count()).toBe(3);
    const door = rows.filter({ hasText: doorOpened });
    expect(await door.count()).toBe(1);
    expect(await door.textContent()).toContain(outside);
    expect(await door.textContent()).toContain('30.29500, 120.16000');
    expect(await door.getAttribute('class')).toBe('anomaly');
    await shot(page, `transit-map-${locale}`);
    expect(elsewhere).toEqual([]);
    await context.close();
  });

  it('tells a bag never picked up from a refusal, and a user may not map another hospital\'s bag', async () => {
    const { context, page } = await openPage(browser, errors, 'en', { timeout: 30_000 });
    await logInAt(page, `${base}/ui/#/login`, 'admin-h2', PASSWORD);
    await page.goto(`${base}/ui/#/transit-map?bag=${encodeURIComponent(BAG_A)}`);
    await page.locator('.refusal, [role="alert"]').first().waitFor();
    expect(await page.locator('svg.transit-map').count()).toBe(0);
    await context.close();
  });

  afterAll(() => expect(errors).toEqual([]));
});
