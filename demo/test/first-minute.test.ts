/**
 * Issue #7's "done when": a newcomer following the README finds a bag's trail and an open alert within a
 * minute of starting the system. The REAL demo runs as a child process, as `npm start` runs it
 * (`node demo/bin/wastetrail-demo.js`), on a temporary data folder and free ports; the test reads the
 * web address and the regulator's login from what it prints, as a newcomer reads them, then in chromium,
 * in the typed app (/app/, where the printed address leads): log in, the dashboard's open alerts, an open
 * alert with a bag, the bag's trail (custody steps, weights, verified signatures). The wall time from
 * spawning the demo to seeing both must be under 60 s. Then Ctrl-C: exit 0, and a restart on the same
 * folder still finds the bag and the alert. Screenshots: test-artifacts/web/first-minute-*.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, logInAt, openPage, ROOT, shot as screenshot } from '../../server/test/web/browser.ts';
import { queueMove, walkQueue } from './alert-queue.ts';

/** Issue #7's acceptance criterion. */
const FIRST_MINUTE_MS = 60_000;

interface Demo {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Banner {
  url: string;
  logins: { username: string; password: string; role: string }[];
  text: string;
}

let dataDir: string;
let browser: Browser;
const running = new Set<Demo>();
const consoleErrors: string[] = [];
/** What the first run showed, for the restart to find again. */
let seenBag: string | undefined;
let seenAlertId: number | undefined;

interface AlertRow {
  id: number;
  status: string;
  bag: string | null;
  openedAt: string;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wt-first-minute-'));
  // The newcomer's browser is open before the system starts: its start-up is not the system's.
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  // A demo left running by a failed test: stop it (our own child, by its pid).
  for (const d of running) {
    d.child.kill('SIGINT');
    const stopped = await Promise.race([d.exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!stopped) d.child.kill('SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Minutes in an English "open for" ("1 d 3 h", "2 h 5 min", "7 min"). */
function minutesOf(duration: string): number {
  const unit = { d: 1440, h: 60, min: 1 } as const;
  return [...duration.matchAll(/(\d+) (d|h|min)\b/g)].reduce((sum, m) => sum + Number(m[1]) * unit[m[2] as keyof typeof unit], 0);
}

/**
 * The README's `npm start` builds, then runs `wastetrail-demo`, i.e. `node demo/bin/wastetrail-demo.js`. Free ports
 * (port 0) instead of 8080 and 1883: other tests and a local Mosquitto use those.
 */
function startDemo(): Demo {
  const child = spawn(process.execPath, ['demo/bin/wastetrail-demo.js', '--data', dataDir, '--http-port', '0', '--mqtt-port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const demo: Demo = { child, stdout: () => out, stderr: () => err, exited };
  running.add(demo);
  void exited.then(() => running.delete(demo));
  return demo;
}

/** Waits for the banner and reads it as a person would: the web address and the logins. */
async function readBanner(demo: Demo, timeoutMs = 90_000): Promise<Banner> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void demo.exited.then(() => (exited = true));
  while (!demo.stdout().includes('Ctrl-C stops everything cleanly.')) {
    if (exited || Date.now() > deadline) throw new Error(`the demo printed no banner${exited ? ' and exited' : ''}:\n${demo.stdout()}\n${demo.stderr()}`);
    await sleep(100);
  }
  const text = demo.stdout();
  const url = /^\s*web and API\s+(http:\/\/\S+)$/m.exec(text)?.[1];
  // "  logins      demo-regulator / demo-pass-regulator  (regulator)", then one login per line.
  const logins = [...text.matchAll(/^\s+(?:logins\s+)?(\S+) \/ (\S+)\s+\((\w+)\)$/gm)].map((m) => ({ username: m[1]!, password: m[2]!, role: m[3]! }));
  if (!url) throw new Error(`no web address in the banner:\n${text}`);
  return { url, logins, text };
}

async function stopDemo(demo: Demo): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  demo.child.kill('SIGINT');
  return demo.exited;
}

// The demo shares two cores with the city's thirteen agents: allow the pages some time.
const newPage = (locale: string) => openPage(browser, consoleErrors, locale, { timeout: 15_000 });

async function logIn(page: Page, banner: Banner, role: string): Promise<void> {
  const login = banner.logins.find((l) => l.role === role);
  if (!login) throw new Error(`no ${role} login in the banner:\n${banner.text}`);
  // The printed address, as typed into the browser: it leads to the app's login page.
  await logInAt(page, banner.url, login.username, login.password);
}

const shot = (page: Page, name: string) => screenshot(page, `first-minute-${name}`);

/** The trail on screen: custody steps with weights, every signature verified. */
async function expectVerifiedTrail(page: Page): Promise<string[]> {
  const steps = page.locator('li[data-step]');
  await steps.first().waitFor();
  const names = await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-step') ?? ''));
  expect(names[0]).toBe('sealed');
  // Weights: the sealed weight in the summary and on the sealing step (g or kg).
  expect(await page.locator('li[data-step="sealed"]').textContent()).toMatch(/\d (g|kg)/);
  const signed = await page.locator('li[data-step] [data-verified]').evaluateAll((els) => els.map((e) => e.getAttribute('data-verified')));
  expect(signed.length).toBe(names.length);
  expect(signed.every((v) => v === 'true')).toBe(true);
  const summary = await page.locator('[data-verification]').getAttribute('data-verification');
  const [verified, records] = (summary ?? '').split('/').map(Number);
  expect(records).toBeGreaterThanOrEqual(names.length);
  expect(verified).toBe(records);
  return names;
}

describe('the first minute (issue #7), on the real demo', () => {
  it('from `wastetrail-demo` to an open alert and a verified bag trail in under a minute', async () => {
    const t0 = performance.now();
    const demo = startDemo();
    const banner = await readBanner(demo);
    const bannerMs = performance.now() - t0;
    expect(banner.logins.map((l) => l.role)).toContain('regulator');
    // The published demo password is read from the banner, not known to this test.
    const { context, page } = await newPage('en-US');
    await logIn(page, banner, 'regulator');
    const loggedInMs = performance.now() - t0;

    // The dashboard counts the open alerts; the incidents raise them within seconds. Until then, look again.
    await page.getByRole('heading', { name: 'City medical-waste dashboard' }).waitFor();
    const openCount = async () => {
      await page.locator('#alerts-open').waitFor();
      return Number(await page.locator('#alerts-open').textContent());
    };
    while ((await openCount()) === 0) {
      expect(performance.now() - t0, `no open alert on the dashboard:\n${demo.stdout()}`).toBeLessThan(FIRST_MINUTE_MS);
      await sleep(1000);
      await page.reload();
    }
    await shot(page, 'dashboard');

    // Alerts, in the menu: the queue, shown open only, is searched page by page for an open alert that
    // names a bag; until the incidents have raised one, the newcomer looks again.
    await queueMove(page, () => page.getByRole('link', { name: 'Alerts', exact: true }).click());
    await page.getByRole('heading', { name: 'Alert queue' }).waitFor();
    await queueMove(page, () => page.getByLabel('Show', { exact: true }).selectOption('open'));
    let looks = 0;
    let alertId: number | undefined;
    for (;;) {
      const read = await walkQueue(page, (cards) => cards.some((c) => c.bag !== null));
      expect(read.filter((c) => c.status !== 'open'), 'the Open view shows open alerts only').toEqual([]);
      alertId = read.find((c) => c.bag !== null)?.id;
      if (alertId !== undefined) break;
      expect(performance.now() - t0, `no open alert with a bag in the queue yet:\n${demo.stdout()}`).toBeLessThan(FIRST_MINUTE_MS);
      await sleep(1000);
      looks += 1;
      // Back to its first page, read afresh.
      await page.goto(new URL('/app/#/alerts?status=open', banner.url).href);
      await page.reload();
      await page.locator('[data-page-range]').waitFor();
    }
    seenAlertId = alertId;
    await shot(page, 'alerts');

    // Its own page, by its number: "#<id>" in the title, open, open for a while on the server's (the
    // demo's accelerated) clock, and its bag.
    await page.locator(`#alert-list article[data-alert-id="${seenAlertId}"] [data-alert-link]`).click();
    await page.getByRole('heading', { name: `Alert #${seenAlertId}`, exact: true }).waitFor();
    const card = page.locator(`article[data-alert-id="${seenAlertId}"]`);
    expect(await card.getAttribute('data-status')).toBe('open');
    expect(await card.locator('h2 .badge').last().textContent()).toBe('open');
    expect(await card.locator('dt:text-is("Open for") + dd').textContent()).toMatch(/^\S/);
    const openFor = ((await card.locator('[data-age]').textContent()) ?? '').split(' · ')[0]!;
    expect(openFor).toMatch(/^(\d+ d)?( ?\d+ h)?( ?\d+ min)?$/);
    expect(openFor, 'open for at least a minute').not.toMatch(/^0 min$/);
    const openAlertMs = performance.now() - t0;
    // The page's count agrees with the server's clock: no longer than since it was opened, by the API.
    const api = async <T>(path: string): Promise<T> => {
      const r = await context.request.get(new URL(path, banner.url).href);
      expect(r.status(), path).toBe(200);
      return (await r.json()) as T;
    };
    const opened = Date.parse((await api<AlertRow>(`/api/v1/alerts/${seenAlertId}`)).openedAt);
    const now = Date.parse((await api<{ time: string }>('/healthz')).time);
    expect(minutesOf(openFor) * 60_000).toBeLessThanOrEqual(now - opened);
    seenBag = (await card.locator('[data-bag-link]').textContent()) ?? '';
    expect(seenBag).toMatch(/^epc:[0-9a-f]{24}$/);
    await shot(page, 'alert');

    // Its bag's trail, one click away.
    await card.locator('[data-bag-link]').click();
    await page.locator(`article[data-bag="${seenBag}"] [data-verification]`).waitFor();
    const steps = await expectVerifiedTrail(page);
    expect(await page.locator('article[data-bag]').textContent()).toContain(seenBag);
    const trailMs = performance.now() - t0;
    // And again in this browser, from the audit bundle, without trusting the server's flag.
    await page.locator('[data-verify-browser]').click();
    await page.locator('[data-browser-count]').waitFor();
    const [ok, n] = ((await page.locator('[data-browser-count]').getAttribute('data-browser-count')) ?? '').split('/').map(Number);
    expect(n).toBeGreaterThanOrEqual(steps.length);
    expect(ok).toBe(n);
    await shot(page, 'trail');
    // The demo's clock runs 1440 times fast, but sessions run on the wall clock: 40 s after logging in
    // (16 simulated hours, beyond a 12-hour session) the newcomer is still logged in.
    await sleep(Math.max(0, t0 + loggedInMs + 40_000 - performance.now()));
    expect(await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status))).toBe(200);
    await context.close();

    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `first minute: banner after ${s(bannerMs)}, logged in after ${s(loggedInMs)}, open alert #${seenAlertId} after ${s(openAlertMs)} (${looks} looks again), ` +
        `trail of ${seenBag} (${steps.join(' > ')}) after ${s(trailMs)}`,
    );
    expect(trailMs).toBeLessThan(FIRST_MINUTE_MS);

    // Ctrl-C: a clean stop, exit 0.
    const { code, signal } = await stopDemo(demo);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(demo.stdout()).toContain('SIGINT: stopping');
    expect(demo.stdout()).toContain(`stopped; run the same command again to continue from ${dataDir}`);
  }, 180_000);

  it('a restart on the same data folder continues: the bag is still there', async () => {
    expect(seenBag, 'the first test found a bag').toBeDefined();
    const demo = startDemo();
    const banner = await readBanner(demo);
    expect(banner.text).toContain('(continuing the city found there)');
    // In Chinese this time (the machine has a CJK font: the screenshot shows the characters).
    const { context, page } = await newPage('zh-CN');
    await logIn(page, banner, 'regulator');
    // It lands on the dashboard; Bag trail offers the newest bags to follow.
    await page.getByRole('heading', { name: '城市医废监管看板' }).waitFor();
    await page.getByRole('link', { name: '医废袋追溯', exact: true }).click();
    await page.locator('[data-recent-bags] [data-bag-link^="epc:"]').first().waitFor();
    await shot(page, 'restart-trail-landing-zh');
    await page.getByLabel('标签、二维码标签、袋号或转移联单号').fill(seenBag!);
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator(`article[data-bag] [data-verification]`).waitFor();
    await expectVerifiedTrail(page);
    expect(await page.locator('article[data-bag]').textContent()).toContain(seenBag);
    await shot(page, 'restart-trail-zh');
    // The alert seen before is still in the book: its page shows its card, with the same bag.
    await page.goto(new URL(`/app/#/alert/${seenAlertId}`, banner.url).href);
    await page.getByRole('heading', { name: `预警 #${seenAlertId}`, exact: true }).waitFor();
    const card = page.locator(`article[data-alert-id="${seenAlertId}"]`);
    await card.waitFor();
    expect(await card.locator('[data-bag-link]').textContent()).toBe(seenBag);
    expect(await card.locator('[data-message]').textContent()).not.toBe('');
    await shot(page, 'restart-alert-zh');
    await context.close();

    const { code, signal } = await stopDemo(demo);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('logged no console errors and no page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
