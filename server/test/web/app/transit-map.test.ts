/**
 * The typed app's transit map (/app/#/transit-map) in chromium, on the API app with the web routes over
 * the seeded test world (api/support.ts) and V1's vehicle track (api/transport-support.ts): the hospital
 * maps the leg that carried its bag A, in both languages, with no tile server (the page loads nothing but
 * this server's files). The map shows the shipped city's districts and roads, the registered route, both
 * yards, the track, the stop, the door opened outside every geofence and the alert there, each where the
 * API puts it; the table below says the same in words. The transport company opens the same leg by its
 * manifest; another hospital is refused the bag. Screenshots: test-artifacts/web/app-transit-map-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiInstance } from '../../../src/api/app.ts';
import { registerWebUi } from '../../../src/web/index.ts';
import { BAG_A, openTestWorld, PASSWORD, seedBags, type TestWorld } from '../../api/support.ts';
import { seedVehicleTrack } from '../../api/transport-support.ts';
import { launchChromium, logInAt, openPage, shot } from '../browser.ts';

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

interface TransitAnswer {
  vehicle: string;
  manifest: string | null;
  points: { lat: number; lon: number }[];
  stops: unknown[];
  doors: { action: string; lat?: number; lon?: number }[];
  alerts: { rule: string; lat: number; lon: number }[];
  geofences: unknown[];
}

/** The centre of an SVG element's box on the screen. */
async function centre(page: Page, selector: string): Promise<[number, number]> {
  const b = (await page.locator(selector).boundingBox())!;
  return [b.x + b.width / 2, b.y + b.height / 2];
}

describe('the transit map', () => {
  it.each([
    ['en', 'Transit map', 'Cargo door opened', 'outside every geofence'],
    ['zh-CN', '转运轨迹图', '货厢门打开', '不在任何电子围栏内'],
  ])('shows the hospital (%s) the leg that carried its bag, drawn from this server alone', async (locale, title, doorOpened, outside) => {
    const { context, page } = await openPage(browser, errors, locale, { timeout: 30_000 });
    const elsewhere: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) elsewhere.push(r.url());
    });
    await logInAt(page, `${base}/app/#/login`, 'admin-h1', PASSWORD);
    await page.goto(`${base}/app/#/transit-map?bag=${encodeURIComponent(BAG_A)}`);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    const map = page.locator('svg.transit-map');
    await map.waitFor();
    const view = (await (await context.request.get(`${base}/api/v1/transit?bag=${encodeURIComponent(BAG_A)}`)).json()) as TransitAnswer;
    // Districts and roads of the shipped base map, the route, both yards, the track, the stop, the door and the alert, as many as the API gives.
    expect(await page.locator('svg .map-road').count()).toBeGreaterThan(10);
    expect(await page.locator('svg .map-district').count()).toBe(2);
    expect(await page.locator('svg [data-route]').count()).toBe(1);
    expect(await page.locator('svg [data-geofence]').count()).toBe(view.geofences.length);
    expect(view.geofences).toHaveLength(2);
    expect(await page.locator('svg [data-track]').count()).toBe(1);
    expect(await page.locator('svg [data-stop]').count()).toBe(view.stops.length);
    expect(view.stops).toHaveLength(1);
    expect(await page.locator('svg [data-door="open"]').count()).toBe(1);
    expect(await page.locator('svg [data-alert="door-opened"]').count()).toBe(1);
    await expect(page.locator('[data-summary]').textContent()).resolves.toContain(view.vehicle);
    // The track lies within the picture; the door mark and the alert mark stand where the API put both (the same place).
    const box = (await map.boundingBox())!;
    const track = (await page.locator('svg [data-track]').boundingBox())!;
    expect(track.y).toBeGreaterThanOrEqual(box.y);
    expect(track.y + track.height).toBeLessThanOrEqual(box.y + box.height);
    const door = view.doors.find((d) => d.action === 'open')!;
    expect([door.lat, door.lon]).toEqual([view.alerts[0]!.lat, view.alerts[0]!.lon]);
    const [dx, dy] = await centre(page, 'svg [data-door="open"]');
    const [ax, ay] = await centre(page, 'svg [data-alert="door-opened"]');
    expect(Math.abs(dx - ax)).toBeLessThan(2);
    expect(Math.abs(dy - ay)).toBeLessThan(6); // the triangle's centre sits a little below its point
    // The track runs north from the first fix: its start is below its end on the picture.
    const [, startY] = await centre(page, 'svg [data-start]');
    const [, endY] = await centre(page, 'svg [data-end]');
    expect(view.points.at(-1)!.lat).toBeGreaterThan(view.points[0]!.lat);
    expect(startY).toBeGreaterThan(endY);

    const rows = page.locator('[data-table="transit-events"] tbody tr');
    expect(await rows.count()).toBe(view.stops.length + view.doors.length + view.alerts.length);
    const opened = rows.filter({ hasText: doorOpened });
    expect(await opened.count()).toBe(1);
    expect(await opened.textContent()).toContain(outside);
    expect(await opened.textContent()).toContain('30.29500, 120.16000');
    expect(await opened.getAttribute('class')).toBe('anomaly');
    await shot(page, `app-transit-map-${locale}`);
    expect(elsewhere).toEqual([]);
    await context.close();
  });

  it('takes the transport company from the manifest to the same leg', async () => {
    const { context, page } = await openPage(browser, errors, 'en', { timeout: 30_000, viewport: { width: 390, height: 844 } });
    await logInAt(page, `${base}/app/#/login`, 'crew-t1', PASSWORD);
    await page.goto(`${base}/app/#/transit-map?manifest=HZ2026030300017`);
    // A straight track north has no width: attached, not "visible".
    await page.locator('svg.transit-map [data-track]').waitFor({ state: 'attached' });
    await expect(page.locator('[data-summary]').textContent()).resolves.toContain('HZ2026030300017');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(page, 'app-transit-map-phone');
    await context.close();
  });

  it("asks for a bag or a manifest, and refuses another hospital's bag with no map", async () => {
    const { context, page } = await openPage(browser, errors, 'en', { timeout: 30_000 });
    await logInAt(page, `${base}/app/#/login`, 'admin-h2', PASSWORD);
    await page.goto(`${base}/app/#/transit-map`);
    // (The role's home, the page the login lands on, may still be going away: wait for the map page's words.)
    await page.getByRole('alert').filter({ hasText: 'Open the map from a bag or a manifest.' }).waitFor();
    await expect(page.locator('[data-refusal]').count()).resolves.toBe(0);
    await page.goto(`${base}/app/#/transit-map?bag=${encodeURIComponent(BAG_A)}`);
    await page.locator('[data-refusal]').waitFor();
    expect(await page.locator('svg.transit-map').count()).toBe(0);
    await context.close();
  });

  afterAll(() => expect(errors).toEqual([]));
});
