/**
 * What the browser tests share: the API app with the UI's routes on a real SQLite store holding the
 * golden chain (firmware-protocol/test/vectors) and the demo users, listening on 127.0.0.1; Debian's
 * chromium through playwright-core; pages that collect console and page errors; logging in through the
 * UI's form; screenshots in test-artifacts/web/ (gitignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, type ApiInstance } from '../../src/api/app.ts';
import type { AppDeps } from '../../src/api/context.ts';
import { ensureDemoUsers } from '../../src/auth/index.ts';
import { BagProjection } from '../../src/bags/index.ts';
import { openSqliteStore, type NewAlert, type SqliteStore } from '../../src/store/index.ts';
import { registerWebUi } from '../../src/web/index.ts';
import { alertRow } from '../api/support.ts';
import { BAG_A, goldenChain, newRecord, registerVectorDevices, seedWorld } from '../bags/support.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const ARTIFACTS = join(ROOT, 'test-artifacts/web');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/**
 * Chromium logs every 4xx answer to fetch() as a console error ("Failed to load resource"): the refusals
 * and wrong passwords the tests provoke on purpose, and GET /me before login. Only those are allowed.
 */
const EXPECTED_NETWORK_ERROR = /^Failed to load resource: the server responded with a status of (401|403|404) /;

/** A SQLite store in a fresh temporary folder (named after `prefix`): the world, the golden chain, its bags projected, and the demo users. */
export async function openGoldenStore(prefix: string): Promise<{ dir: string; store: SqliteStore }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = openSqliteStore(join(dir, 'wastetrail.db'));
  await seedWorld(store);
  await registerVectorDevices(store);
  await store.appendRecords({ records: goldenChain().map(newRecord), quarantine: [], acks: [] });
  await new BagProjection({ store }).rebuildAll();
  await ensureDemoUsers(store, { demo: true });
  return { dir, store };
}

/** An open alert at hz-h001 (grid hz-xh-g01), critical unless said otherwise, escalated twice, opened at `opened`. */
export function openAlertAtH001(opened: string, alert: Partial<NewAlert> & Pick<NewAlert, 'rule' | 'dedupeKey' | 'subject'>): NewAlert {
  return alertRow({ severity: 'critical', currentSeverity: 'critical', institution: 'hz-h001', jurisdiction: 'hz-xh-g01', escalationLevel: 2, openedAt: opened, awaitingAckSince: opened, since: opened, lastSeenAt: opened, ...alert });
}

/** What the storage-overdue rule says of the golden chain's bag A: 68 h in storage room STORE-1 at hz-h001, against 48 h. */
export const BAG_A_STORAGE_OVERDUE: Pick<NewAlert, 'rule' | 'dedupeKey' | 'subject' | 'messageKey' | 'title' | 'params' | 'bag'> = {
  rule: 'storage-overdue',
  dedupeKey: `storage-overdue:bag:${BAG_A}`,
  subject: `bag:${BAG_A}`,
  messageKey: 'storage-overdue',
  title: `Bag ${BAG_A} has been in storage room STORE-1 at hz-h001 for 68 h (limit 48 h).`,
  params: { bag: BAG_A, room: 'STORE-1', institution: 'hz-h001', hours: 68, limitHours: 48 },
  bag: BAG_A,
};

/** What the weight-discrepancy rule says of bag A, a warning: 1000 g at storage against 1250 g at sealing. */
export const BAG_A_WEIGHT_DISCREPANCY: Partial<NewAlert> & Pick<NewAlert, 'rule' | 'dedupeKey' | 'subject'> = {
  severity: 'warning',
  currentSeverity: 'warning',
  rule: 'weight-discrepancy',
  dedupeKey: `weight-discrepancy:bag:${BAG_A}`,
  subject: `bag:${BAG_A}`,
  messageKey: 'weight-discrepancy.bag',
  title: `Bag ${BAG_A} weighed 1000 g at storage against 1250 g at sealing.`,
  params: { bag: BAG_A, institution: 'hz-h001', step: 'stored', grams: 1000, referenceStep: 'sealed', referenceGrams: 1250, diffGrams: 250, diffPercent: 20, toleranceGrams: 125 },
  bag: BAG_A,
};

/**
 * The API app with the UI's routes over `store`, listening on a free port of 127.0.0.1: the app and its
 * address. Real time unless `deps.clock` says otherwise; then give `sessionClock` the real time too: the session
 * cookie's expiry is the session clock's (default `clock`), and the browser drops expired cookies.
 */
export async function serveUi(store: SqliteStore, deps: Partial<Pick<AppDeps, 'log' | 'clock' | 'sessionClock'>> = {}): Promise<{ app: ApiInstance; base: string }> {
  const app = await buildApp({ store, demo: true, webRoutes: registerWebUi, ...deps, clock: deps.clock ?? (() => Date.now()) });
  return { app, base: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

/** Closes whatever of these a test opened (its beforeAll may have failed half way), the temporary folder last. */
export async function closeUi(opened: { browser?: Browser; app?: ApiInstance; store?: SqliteStore; dir?: string }): Promise<void> {
  await opened.browser?.close();
  // Keep-alive sockets of the test's own fetch() calls must not hold the server open.
  opened.app?.server.closeAllConnections();
  await opened.app?.close();
  await opened.store?.close();
  if (opened.dir) rmSync(opened.dir, { recursive: true, force: true });
}

/** Chromium, headless, and the folder the screenshots go to. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface PageOptions {
  /** How long an action or a wait may take, in ms (the machine's two cores are shared). */
  timeout: number;
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
}

/**
 * A page in a fresh context speaking `locale`; its console errors (but the expected network errors) and
 * page errors are pushed to `errors`, which a test checks is empty at the end.
 */
export async function openPage(browser: Browser, errors: string[], locale: string, options: PageOptions): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, viewport: options.viewport ?? { width: 1100, height: 900 }, ...(options.acceptDownloads ? { acceptDownloads: true } : {}) });
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeout);
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_NETWORK_ERROR.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { context, page };
}

/** Logs in through the form of the login page at `url`, in either language, and waits for the logged-in page. */
export async function logInAt(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel(/^(Username|用户名)$/).fill(username);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Log in|登录)$/ }).click();
  await page.locator('[data-logout]').waitFor();
}

/** A full-page screenshot, test-artifacts/web/<name>.png. */
export const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
