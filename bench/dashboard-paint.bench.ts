/**
 * The city dashboard's time to first meaningful paint on the demo (issue #19): a demo city (startDemo,
 * its default 3 institutions at a day a minute, free ports) runs for a simulated day so the figures are
 * real, then Debian's chromium (playwright-core) opens /app/#/dashboard as demo-regulator, each load in
 * a fresh browser context (a cold cache, as a regulator's first visit of the day) and then reloaded in
 * the same context (a warm cache). The time is the page's own `wt-dashboard-drawn` mark
 * (web/src/pages/DashboardPage.vue): from navigation start until the figures are in and ECharts has
 * finished drawing the map, the tiles rendered with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { startDemo } from '@wastetrail/demo';
import { percentile, progress, type Row } from './harness.ts';

const DAY_MS = 86_400_000;
const DRAWN_MARK = 'wt-dashboard-drawn';

export interface DashboardPaintOptions {
  /** Loads timed, each in a fresh context (then once more warm). */
  loads: number;
}

export const DEFAULT_DASHBOARD_PAINT: DashboardPaintOptions = { loads: 9 };

async function waitFor(pred: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Logs the context in through the API (the session cookie is the context's), then times one load and one reload. */
async function timedLoads(context: BrowserContext, base: string, login: { username: string; password: string }): Promise<{ cold: number; warm: number }> {
  const res = await context.request.post(`${base}/api/v1/session`, { data: { username: login.username, password: login.password } });
  if (!res.ok()) throw new Error(`log in as ${login.username}: HTTP ${res.status()}`);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const drawnAt = async () => {
    await page.locator('#city-map[data-drawn]').waitFor();
    await page.locator('#kg-sealed').waitFor();
    return page.evaluate((mark) => performance.getEntriesByName(mark)[0]?.startTime ?? Number.NaN, DRAWN_MARK);
  };
  await page.goto(`${base}/app/#/dashboard`);
  const cold = await drawnAt();
  await page.reload();
  const warm = await drawnAt();
  await page.close();
  return { cold, warm };
}

export async function benchDashboardPaint(o: DashboardPaintOptions = DEFAULT_DASHBOARD_PAINT): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-bench-dashboard-'));
  let browser: Browser | undefined;
  const demo = await startDemo({ dataDir: dir, institutions: 3, speed: 1440, seed: 1, incidents: [], mqttPort: 0, httpPort: 0, log: () => {} });
  try {
    const start = demo.progress().simTime;
    progress('dashboard: the demo city runs a simulated day first (about a minute)');
    await waitFor(() => demo.progress().simTime >= start + DAY_MS, 'a simulated day of the demo', 240_000);
    const login = demo.credentials.find((c) => c.username === 'demo-regulator');
    if (!login) throw new Error('the demo has no demo-regulator login');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < o.loads; i++) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1400, height: 1000 } });
      try {
        const t = await timedLoads(context, new URL(demo.httpUrl).origin, login);
        cold.push(t.cold);
        warm.push(t.warm);
      } finally {
        await context.close();
      }
    }
    const alerts = (await demo.server.store.alerts({ status: ['open', 'acknowledged'] })).length;
    const vehicles = (await demo.server.store.vehicles()).length;
    const institutions = (await demo.server.store.institutions()).length;
    cold.sort((a, b) => a - b);
    warm.sort((a, b) => a - b);
    const what = `${institutions} institutions, ${vehicles} vehicles, ${alerts} open alerts`;
    progress(`dashboard: cold p50 ${percentile(cold, 50).toFixed(0)} ms, warm p50 ${percentile(warm, 50).toFixed(0)} ms (${what})`);
    return [
      { name: `dashboard first meaningful paint on the demo, cold cache (p50 of ${o.loads} loads; ${what})`, value: percentile(cold, 50), unit: 'ms', note: `max ${cold.at(-1)!.toFixed(0)} ms` },
      { name: `dashboard first meaningful paint on the demo, warm cache (p50 of ${o.loads} reloads)`, value: percentile(warm, 50), unit: 'ms', note: `max ${warm.at(-1)!.toFixed(0)} ms` },
    ];
  } finally {
    await browser?.close();
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
