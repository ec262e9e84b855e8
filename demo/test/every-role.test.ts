/**
 * Issue #18 (part 2, item 4): every demo user, in a browser, on the REAL demo, finds what they come for.
 * The demo runs as a child process, as `npm start` runs it (`node demo/bin/wastetrail-demo.js`), on a
 * temporary data folder and free ports; the test reads the address and the logins from what it prints.
 * The city runs until bags have been picked up and received (checked through the API as the regulator),
 * then in chromium, in English, in the typed app (/app/, where the printed address leads):
 * - regulator: its dashboard counts the open alerts; a bag's trail opens with its custody steps;
 * - hospital (institution admin): its home lists its own bags and open alerts only, and so does Bag trail's
 *   newest bags;
 * - transport: its transit page lists bags its vehicles carried, by plate; one's trail opens (no refusal)
 *   and the pickup step names the plate; the pickup's transit map draws the track the vehicle station signed;
 * - disposal: its home shows today's arrivals; its transit page lists bags it received; one's trail shows
 *   the receipt at the centre;
 * - public: the disclosure page, without login and as demo-public, shows figures and no badge id, tag or
 *   username.
 * Then Ctrl-C: exit 0. Screenshots: test-artifacts/web/every-role-*.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, logInAt, openPage, ROOT, shot as screenshot } from '../../server/test/web/browser.ts';
import { queueMove, queueTotal, walkQueue } from './alert-queue.ts';

interface Login {
  username: string;
  password: string;
  role: string;
}

interface BagRow {
  bag: string;
  institution: string | null;
  state: string;
  vehicle: string | null;
  sealedAt: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PLATE = /^浙A\d{5}$/;

let dataDir: string;
let browser: Browser;
let child: ChildProcess | undefined;
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let out = '';
let err = '';
let url: string;
let logins: Login[] = [];
let regulatorToken: string;
const consoleErrors: string[] = [];

/** A role's view through the API (with its bearer token), to know what the city holds: the app is what is tested. */
async function asUser<T>(token: string, path: string): Promise<T> {
  const r = await fetch(new URL(`/api/v1${path}`, url), { headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}
const asRegulator = <T>(path: string) => asUser<T>(regulatorToken, path);

/** A bearer token for the role's login from the banner. */
async function tokenOf(role: string): Promise<string> {
  const { username, password } = login(role);
  const s = await fetch(new URL('/api/v1/session', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (s.status !== 200) throw new Error(`login ${username}: ${s.status} ${await s.text()}`);
  return ((await s.json()) as { token: string }).token;
}

/** A page of the typed app, by its route (`/trail?q=...`). */
const appUrl = (route: string) => new URL(`/app/#${route}`, url).href;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wt-every-role-'));
  browser = await launchChromium();
  child = spawn(process.execPath, ['demo/bin/wastetrail-demo.js', '--data', dataDir, '--http-port', '0', '--mqtt-port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  let gone = false;
  exited = new Promise((resolve) => child!.once('exit', (code, signal) => ((gone = true), resolve({ code, signal }))));

  // The banner: the web address and one login per line.
  for (const deadline = Date.now() + 90_000; !out.includes('Ctrl-C stops everything cleanly.'); await sleep(100)) {
    if (gone || Date.now() > deadline) throw new Error(`the demo printed no banner${gone ? ' and exited' : ''}:\n${out}\n${err}`);
  }
  url = /^\s*web and API\s+(http:\/\/\S+)$/m.exec(out)?.[1] ?? '';
  logins = [...out.matchAll(/^\s+(?:logins\s+)?(\S+) \/ (\S+)\s+\((\w+)\)$/gm)].map((m) => ({ username: m[1]!, password: m[2]!, role: m[3]! }));
  expect(url, out).toMatch(/^http:\/\//);
  regulatorToken = await tokenOf('regulator');

  // Hang guard: the city reaches the transport leg (some bag picked up, one received) well within this.
  for (const deadline = Date.now() + 90_000; ; await sleep(1000)) {
    const carried = await asRegulator<{ bags: BagRow[] }>('/bags?state=picked-up&state=received&state=disposed&limit=5');
    const received = await asRegulator<{ bags: BagRow[] }>('/bags?state=received&state=disposed&limit=5');
    if (carried.bags.length > 0 && received.bags.length > 0) break;
    if (gone || Date.now() > deadline) throw new Error(`no bag picked up and received within 90 s:\n${out}\n${err}`);
  }
}, 200_000);

afterAll(async () => {
  await browser?.close();
  // Our own child, by its pid, if a failed test left it running.
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGINT');
    if (!(await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]))) child.kill('SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

function login(role: string): Login {
  const l = logins.find((x) => x.role === role);
  if (!l) throw new Error(`no ${role} login in the banner:\n${out}`);
  return l;
}

// The demo shares two cores with the city's agents: allow the pages some time.
const newPage = () => openPage(browser, consoleErrors, 'en-US', { timeout: 20_000 });
const shot = (page: Page, name: string) => screenshot(page, `every-role-${name}`);

/** The value next to a label in a facts list (dt/dd) inside `scope`. */
const fact = (page: Page, scope: string, label: string) => page.locator(`${scope} dt:text-is("${label}") + dd`);

/** "demo-hospital · Institution admin · <scope name>": the header names whose scope this is. */
async function scopeName(page: Page): Promise<string> {
  const who = (await page.locator('header [data-who]').textContent()) ?? '';
  const parts = who.split(' · ');
  expect(parts.length, who).toBe(3);
  return parts[2]!;
}

/** Opens a bag from a transit table by its link and waits for its trail (custody steps), with no refusal. */
async function openTrail(page: Page, table: string, bag: string): Promise<void> {
  await page.locator(`table[data-table="${table}"] tr[data-bag="${bag}"] a[href^="#/trail?"]`).click();
  await page.locator(`article[data-bag="${bag}"] li[data-step]`).first().waitFor();
  expect(await page.locator('[data-refusal]').count()).toBe(0);
}

/** The bags of a transit table (its rows' data-bag) with the text of column `column` (0-based). */
const transitColumn = (page: Page, table: string, column: number) =>
  page.locator(`table[data-table="${table}"] tr[data-bag]`).evaluateAll((trs, c) => trs.map((tr) => [tr.getAttribute('data-bag') ?? '', tr.querySelectorAll('td')[c]?.textContent ?? ''] as const), column);

interface AlertRow {
  id: number;
  institution: string | null;
  status: string;
  message: string;
}
const ACTIVE_ALERTS = '/alerts?status=open&status=acknowledged&limit=500';

describe('every demo user finds what they come for (issue #18), on the real demo', () => {
  it('the regulator: open alerts on its dashboard, and a bag trail with its steps', async () => {
    const { context, page } = await newPage();
    // The printed address leads to the typed app's login; the regulator lands on the city dashboard.
    await logInAt(page, url, login('regulator').username, login('regulator').password);
    await page.getByRole('heading', { name: 'City medical-waste dashboard' }).waitFor();
    const openCount = async () => {
      await page.locator('#alerts-open').waitFor();
      return Number(await page.locator('#alerts-open').textContent());
    };
    // The incidents raise alerts within seconds of the city's start; the page reads them on load.
    for (const deadline = Date.now() + 60_000; (await openCount()) === 0; ) {
      expect(Date.now(), 'an open alert on the regulator dashboard').toBeLessThan(deadline);
      await sleep(1000);
      await page.reload();
    }
    // The tile and the table by level count the same alerts.
    const byLevel = (await page.locator('#alerts-by-level td').allTextContents()).map(Number);
    expect(byLevel.reduce((a, b) => a + b, 0)).toBe(await openCount());
    await shot(page, 'regulator-dashboard');
    // Alerts, in the menu, shown open only: every page lists open alerts, each with its message, as many
    // as the API counts open (read just before and after: the city raises and resolves alerts meanwhile).
    await queueMove(page, () => page.getByRole('link', { name: 'Alerts', exact: true }).click());
    await page.getByRole('heading', { name: 'Alert queue' }).waitFor();
    const openBefore = (await asRegulator<{ total: number }>('/alerts?status=open&limit=1')).total;
    await queueMove(page, () => page.getByLabel('Show', { exact: true }).selectOption('open'));
    const openAfter = (await asRegulator<{ total: number }>('/alerts?status=open&limit=1')).total;
    const shownTotal = await queueTotal(page);
    expect(shownTotal).toBeGreaterThanOrEqual(Math.min(openBefore, openAfter));
    expect(shownTotal).toBeLessThanOrEqual(Math.max(openBefore, openAfter));
    await shot(page, 'regulator-alerts');
    const queue = await walkQueue(page);
    expect(queue.length).toBeGreaterThan(0);
    for (const a of queue) {
      expect(a.status, `alert #${a.id}`).toBe('open');
      expect(a.message.trim(), `alert #${a.id}`).not.toBe('');
    }
    // One of them on its own page: the same alert, the same message.
    const [first] = queue;
    await page.goto(appUrl(`/alert/${first!.id}`));
    await page.getByRole('heading', { name: `Alert #${first!.id}`, exact: true }).waitFor();
    expect(await page.locator(`article[data-alert-id="${first!.id}"] [data-message]`).textContent()).toBe(first!.message);

    // A bag that has reached disposal: its trail from sealing to receipt.
    const { bags } = await asRegulator<{ bags: BagRow[] }>('/bags?state=received&state=disposed&limit=1');
    await page.getByRole('link', { name: 'Bag trail', exact: true }).click();
    await page.getByLabel('Tag, QR label, bag id or manifest number').fill(bags[0]!.bag);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator(`article[data-bag="${bags[0]!.bag}"] li[data-step]`).first().waitFor();
    const steps = await page.locator('li[data-step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
    expect(steps[0]).toBe('sealed');
    expect(steps).toContain('picked-up');
    expect(steps).toContain('received');
    await expect.poll(() => page.locator('h3:text-is("Custody steps")').count()).toBe(1);
    await shot(page, 'regulator-trail');
    await context.close();
  }, 120_000);

  it("the hospital: its home and the newest bags are its own institution's, and so are its alerts", async () => {
    const { context, page } = await newPage();
    await logInAt(page, url, login('institution_admin').username, login('institution_admin').password);
    const mine = await scopeName(page);
    // The city has more than this hospital: "only its own" means something.
    const { institutions } = await asRegulator<{ institutions: { id: string; name: string; kind: string }[] }>('/institutions');
    const hospital = institutions.find((i) => i.name === mine);
    expect(hospital, `the header names a known institution: ${mine}`).toBeDefined();
    const all = await asRegulator<{ bags: BagRow[] }>('/bags?limit=500');
    expect(new Set(all.bags.map((b) => b.institution)).size).toBeGreaterThan(1);
    const own = new Set(all.bags.filter((b) => b.institution === hospital!.id).map((b) => b.bag));
    /** Bags newer than the regulator's list above may be shown; the older ones must be in it as its own. */
    const expectOwn = (bag: string) => (all.bags.some((b) => b.bag === bag) ? expect(own.has(bag), bag).toBe(true) : undefined);

    // It lands on its home: the day's handover register (the server's day, which on the demo's fast
    // clock may have no bag yet) holds its own bags only.
    await page.getByRole('heading', { name: `${mine}: today` }).waitFor();
    await page.locator('table[data-home-bags], p[data-home-bags="none"]').first().waitFor();
    const register = await page.locator('table[data-home-bags] tr[data-bag]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-bag') ?? ''));
    for (const bag of register) expectOwn(bag);
    await shot(page, 'hospital-home');

    // Bag trail offers its newest bags to follow; each trail names it as the sealing institution.
    await page.getByRole('link', { name: 'Bag trail', exact: true }).click();
    const links = page.locator('[data-recent-bags] [data-bag-link]');
    await links.first().waitFor();
    await shot(page, 'hospital-bags');
    const listed = await links.evaluateAll((els) => els.map((e) => e.getAttribute('data-bag-link') ?? ''));
    expect(listed.length).toBeGreaterThan(0);
    for (const bag of listed) {
      await page.goto(appUrl(`/trail?q=${encodeURIComponent(bag)}`));
      await page.locator(`article[data-bag="${bag}"] li[data-step]`).first().waitFor();
      expect(await fact(page, `article[data-bag="${bag}"] .card`, 'Institution').first().textContent()).toBe(`${mine} (${hospital!.id})`);
      expectOwn(bag);
    }
    await shot(page, 'hospital-trail');

    // Its alerts, on its home: what the regulator sees open at this hospital is listed, nothing from elsewhere.
    const before = await asRegulator<{ alerts: AlertRow[] }>(ACTIVE_ALERTS);
    await page.getByRole('link', { name: 'My hospital', exact: true }).click();
    await page.locator('ul[data-home-alerts], p[data-home-alerts="none"]').first().waitFor();
    const shown = await page.locator('[data-home-alerts] li[data-alert-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-alert-id'))));
    const atHospital = before.alerts.filter((a) => a.institution === hospital!.id).map((a) => a.id);
    const after = await asRegulator<{ alerts: AlertRow[] }>(ACTIVE_ALERTS);
    const stillActive = new Set(after.alerts.map((a) => a.id));
    for (const id of atHospital) if (stillActive.has(id)) expect(shown, `alert #${id} at ${hospital!.id}`).toContain(id);
    const elsewhere = before.alerts.filter((a) => a.institution !== hospital!.id).map((a) => a.id);
    for (const id of elsewhere) expect(shown).not.toContain(id);
    await shot(page, 'hospital-alerts');
    // Its alert queue, every page of it: each card names this hospital as its institution, and every
    // alert the regulator saw open or acknowledged at it and that is still so is among them; as many as the
    // API counts for the hospital (read just before and after: the city raises and resolves alerts meanwhile).
    const hospitalToken = await tokenOf('institution_admin');
    const activeTotal = async () => (await asUser<{ total: number }>(hospitalToken, '/alerts?status=open&status=acknowledged&limit=1')).total;
    const activeBefore = await activeTotal();
    await queueMove(page, () => page.getByRole('link', { name: 'Alerts', exact: true }).click());
    const activeAfter = await activeTotal();
    const queuedTotal = await queueTotal(page);
    expect(queuedTotal).toBeGreaterThanOrEqual(Math.min(activeBefore, activeAfter));
    expect(queuedTotal).toBeLessThanOrEqual(Math.max(activeBefore, activeAfter));
    await shot(page, 'hospital-queue');
    const queued = await walkQueue(page);
    for (const a of queued) {
      expect(a.institution, `alert #${a.id}`).toBe(`${mine} (${hospital!.id})`);
      expect(['open', 'acknowledged'], `alert #${a.id}`).toContain(a.status);
    }
    for (const id of elsewhere) expect(queued.map((a) => a.id)).not.toContain(id);
    const stillActiveNow = new Set((await asRegulator<{ alerts: AlertRow[] }>(ACTIVE_ALERTS)).alerts.map((a) => a.id));
    for (const id of atHospital) if (stillActive.has(id) && stillActiveNow.has(id)) expect(queued.map((a) => a.id), `alert #${id} at ${hospital!.id}`).toContain(id);
    console.log(`hospital ${hospital!.id}: ${register.length} bags on today's register, ${listed.length} newest bags, ${shown.length} alerts on its home, ${queued.length} in its queue (${atHospital.length} open at it, ${elsewhere.length} elsewhere)`);
    await context.close();
  }, 120_000);

  it('transport: the bags its vehicles carried, by plate, and a trail whose pickup names the plate', async () => {
    const { context, page } = await newPage();
    await logInAt(page, url, login('transport').username, login('transport').password);
    // Its home: today's collection.
    await page.getByRole('heading', { name: "Today's collection" }).waitFor();
    await page.getByRole('link', { name: 'Transit', exact: true }).click();
    await page.getByRole('heading', { name: 'Pickups and bags in transit' }).waitFor();
    await page.locator('table[data-table="recent"] tr[data-bag]').first().waitFor();
    const plates = (await transitColumn(page, 'recent', 2)).map(([, plate]) => plate);
    expect(plates.length).toBeGreaterThan(0);
    for (const p of plates) expect(p).toMatch(PLATE);
    // "Picked up" says how long ago on the server's clock (the demo's runs fast): never a bare "· ago".
    const pickedUp = (await transitColumn(page, 'recent', 4)).map(([, at]) => at);
    for (const p of pickedUp) expect(p).toMatch(/ · \d+ (min|h|d)\b.* ago$/);
    await shot(page, 'transport-transit');

    const [bag] = (await transitColumn(page, 'recent', 0))[0]!;
    await openTrail(page, 'recent', bag);
    const pickup = page.locator('li[data-step="picked-up"]');
    expect(await pickup.count()).toBe(1);
    expect(await pickup.locator('dt:text-is("Vehicle") + dd').textContent()).toBe(plates[0]);
    await shot(page, 'transport-trail');
    // The pickup's map: the track its vehicle station signed on that leg, drawn as a line.
    await pickup.locator('a[data-map-link]').click();
    await page.locator('svg.transit-map path[data-track]').waitFor();
    expect(await page.locator('svg.transit-map').getAttribute('aria-label')).toContain(plates[0]!);
    await shot(page, 'transport-transit-map');
    await context.close();
  }, 120_000);

  it('disposal: the bags it received are listed, and one shows its receipt at the centre', async () => {
    const { context, page } = await newPage();
    await logInAt(page, url, login('disposal').username, login('disposal').password);
    // Its home: today's arrivals (the server's day), a count for each.
    await page.getByRole('heading', { name: "Today's arrivals: what came, what is short" }).waitFor();
    expect(await page.locator('[data-count="received"]').textContent()).toMatch(/^\d[\d,]*$/);
    await shot(page, 'disposal-home');
    await page.getByRole('link', { name: 'Transit', exact: true }).click();
    await page.getByRole('heading', { name: 'Pickups and bags in transit' }).waitFor();
    await page.locator('table[data-table="recent"] tr[data-bag]').first().waitFor();
    const states = await transitColumn(page, 'recent', 6);
    const received = states.filter(([, s]) => s === 'Received' || s === 'Disposed');
    expect(received.length, JSON.stringify(states)).toBeGreaterThan(0);
    await shot(page, 'disposal-transit');

    await openTrail(page, 'recent', received[0]![0]);
    const receipt = page.locator('li[data-step="received"]');
    expect(await receipt.count()).toBe(1);
    expect(await receipt.locator('dt:text-is("Holder") + dd').textContent()).toMatch(/^Disposal centre · /);
    await shot(page, 'disposal-trail');

    // A disposed bag: the furnace batch names its bags without weighing the handover, and the page
    // says so plainly ("27 bags", not "27 bags," with nothing after the comma).
    let disposed: BagRow | undefined;
    await expect
      .poll(async () => (disposed = (await asRegulator<{ bags: BagRow[] }>('/bags?state=disposed&limit=1')).bags[0]), { timeout: 90_000, interval: 1000 })
      .toBeDefined();
    await page.goto(appUrl(`/trail?q=${encodeURIComponent(disposed!.bag)}`));
    await page.locator(`article[data-bag="${disposed!.bag}"] li[data-step="disposed"]`).waitFor();
    const handover = await page.locator('li[data-step="disposed"] dt:text-is("Handover") + dd').allTextContents();
    expect(handover.length).toBeGreaterThan(0);
    for (const text of handover) expect(text).toMatch(/^\d+ bags(, \S.*)?$/);
    await context.close();
  }, 120_000);

  it('the public: the disclosure shows figures and no badge id, tag or username, with or without logging in', async () => {
    // The month the received bags were sealed in (Asia/Shanghai), on the demo's fast clock.
    const { bags } = await asRegulator<{ bags: BagRow[] }>('/bags?state=received&state=disposed&limit=1');
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date(bags[0]!.sealedAt!));
    const usernames = logins.map((l) => l.username);
    const { context, page } = await newPage();

    const checkDisclosure = async (name: string) => {
      await page.getByRole('heading', { name: 'Public disclosure', exact: true }).waitFor();
      await page.locator('[data-disclosure-table] tr[data-institution]').first().waitFor();
      const sealed = Number((await page.locator('[data-total="sealed"]').textContent())?.replace(/,/g, ''));
      expect(sealed).toBeGreaterThan(0);
      const cells = await page.locator('[data-disclosure-table] td[data-kg-sealed]').allTextContents();
      expect(cells.length).toBeGreaterThan(0);
      for (const c of cells) expect(c).toMatch(/^\d[\d,]*\.\d$/);
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).not.toMatch(/giai:|epc:|qr:/i);
      for (const u of usernames) expect(text).not.toContain(u);
      await shot(page, name);
    };

    // Without logging in: from the login page's link, then the month the bags were sealed in.
    await page.goto(url);
    await page.getByRole('link', { name: 'monthly totals, violations and inspection draws' }).click();
    await page.getByRole('heading', { name: 'Public disclosure', exact: true }).waitFor();
    expect(await page.locator('[data-logout]').count()).toBe(0);
    await page.goto(appUrl(`/disclosure?month=${month}`));
    await checkDisclosure('public-anonymous');

    // As demo-public: it lands on the disclosure page.
    await logInAt(page, url, login('public').username, login('public').password);
    await page.getByRole('heading', { name: 'Public disclosure', exact: true }).waitFor();
    await page.goto(appUrl(`/disclosure?month=${month}`));
    await checkDisclosure('public-logged-in');
    await context.close();
  }, 120_000);

  it('Ctrl-C stops the demo cleanly, and no page logged an error', async () => {
    child!.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(out).toContain('SIGINT: stopping');
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
