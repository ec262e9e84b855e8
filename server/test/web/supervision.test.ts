/**
 * Supervision (#9) and the public disclosure page (#7) in a real browser (Debian's chromium through
 * playwright-core), on the API app with the UI's routes and a real SQLite store: the golden chain
 * (firmware-protocol/test/vectors), two open alerts at hz-h001 and the demo users. A regulator confirms
 * the alerts as violations and watches the institution's credit and class change, keeps the inspector
 * pool, announces and runs a draw with a fixed seed (repeated with `wastetrail draw` from the files the
 * page offers), and records an inspection; the institution admin sees its own credit only; anyone sees
 * the disclosure page without logging in, in both languages, with no personal data on it.
 * Screenshots: test-artifacts/web/supervision-*.png, disclosure-*.png.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../src/api/app.ts';
import { runDrawCommand } from '../../src/cli/draw.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { runDraw } from '../../src/supervision/index.ts';
import { BAG_A, goldenChain } from '../bags/support.ts';
import { BAG_A_STORAGE_OVERDUE, closeUi, launchChromium, logInAt, openAlertAtH001, openGoldenStore, openPage, serveUi, shot } from './browser.ts';
const SEED = 'wt-2026-12-published-seed';
const INSPECTORS = [
  { id: 'insp-01', name: 'Zhang Wei', conflicts: ['hz-h002'] },
  { id: 'insp-02', name: 'Li Na', conflicts: [] },
  { id: 'insp-03', name: 'Chen Jing', conflicts: [] },
];
const CSV_HEADER = 'month,institution,name,kind,jurisdiction,bags_sealed,kg_sealed,bags_disposed,kg_disposed,handed_over_within_48h_share,confirmed_violations,risk_class';

// Set by beforeAll: openGoldenStore, serveUi, launchChromium.
let dir: string, store: SqliteStore;
let app: ApiInstance, base: string;
let browser: Browser;
let storageAlert: number, weightAlert: number;
let drawId: number;
const consoleErrors: string[] = [];

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-web-sup-'));
  const opened = new Date(Date.now() - 3 * 3_600_000).toISOString();
  const a1 = await store.insertAlert(openAlertAtH001(opened, { ...BAG_A_STORAGE_OVERDUE, evidence: [{ device: 'hz-h001-ref-01', seq: 2 }] }));
  const a2 = await store.insertAlert(
    openAlertAtH001(opened, {
      severity: 'warning',
      currentSeverity: 'warning',
      rule: 'weight-discrepancy',
      dedupeKey: `weight-discrepancy:bag:${BAG_A}`,
      subject: `bag:${BAG_A}`,
      messageKey: 'weight-discrepancy.bag',
      title: `Bag ${BAG_A} weighed 1000 g at storage against 1250 g at sealing.`,
      params: { bag: BAG_A, institution: 'hz-h001', step: 'stored', grams: 1000, referenceStep: 'sealed', referenceGrams: 1250, diffGrams: 250, diffPercent: 20, toleranceGrams: 125 },
      bag: BAG_A,
    }),
  );
  if (!a1 || !a2) throw new Error('alerts not inserted');
  storageAlert = a1.id;
  weightAlert = a2.id;
  ({ app, base } = await serveUi(store));
  browser = await launchChromium();
});

afterAll(() => closeUi({ browser, app, store, dir }));

// Two cores shared with other suites: a slow answer is not a failure, a missing one is.
const newPage = (locale: string, viewport?: { width: number; height: number }) => openPage(browser, consoleErrors, locale, { timeout: 10_000, viewport, acceptDownloads: true });
const logIn = (page: Page, username: string, password: string) => logInAt(page, `${base}/ui/`, username, password);

/** The credit panel of an institution as the page shows it. */
async function creditShown(page: Page, institution: string): Promise<{ points: string | null; riskClass: string | null }> {
  await page.goto(`${base}/ui/#/institution/${institution}`);
  const panel = page.locator(`[data-credit="${institution}"]`);
  await panel.waitFor();
  return { points: await panel.getAttribute('data-points'), riskClass: await panel.getAttribute('data-class') };
}

/** Badge and crew ids of the people in the golden chain's records: none may appear on a public page. */
function personalIds(): string[] {
  const ids = new Set<string>();
  for (const a of goldenChain()) for (const m of JSON.stringify(a.record.body).matchAll(/"((?:badge|crew)-[^"]+)"/g)) ids.add(m[1]!);
  return [...ids];
}

async function download(page: Page, selector: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

function sink(): { stream: Writable; text: () => string } {
  let out = '';
  return {
    stream: new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    }),
    text: () => out,
  };
}

describe('supervision and public disclosure in chromium', () => {
  it('serves the new modules itself', async () => {
    for (const asset of ['supervision.js', 'disclosure.js']) {
      const res = await fetch(`${base}/ui/assets/${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/javascript');
      expect(await res.text()).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    }
  });

  it('a regulator confirms alerts as violations: the credit panel shows the points and the class changes', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    const before = await creditShown(page, 'hz-h001');
    expect(before.points).toBe('0');
    // Two alerts in 90 days and no bag sealed in them: the capped alert term alone makes class B.
    expect(before.riskClass).toBe('B');
    expect(await page.locator('[data-credit="hz-h001"] [data-formula]').textContent()).toContain('score = points of violations confirmed in the last 365 days');

    await page.getByRole('link', { name: 'Alerts' }).click();
    const card = page.locator(`[data-alert-id="${storageAlert}"]`);
    await card.locator('[data-action="confirm"]').click();
    // The violation type defaults to the code of the alert's rule.
    expect(await card.locator(`#viol-type-${storageAlert}`).inputValue()).toBe('storage-overdue');
    await card.getByRole('button', { name: 'Confirm violation' }).click();
    await expect.poll(() => card.locator('[role="alert"]').textContent()).toBe('Write a note saying why this is a violation.');
    await card.getByLabel('Why this is a violation (required)').fill('bag stored 68 h, seen on site');
    await card.getByRole('button', { name: 'Confirm violation' }).click();
    await page.locator(`[data-alert-id="${storageAlert}"] [data-confirmed-violation="storage-overdue"]`).waitFor();
    expect(await page.locator(`[data-alert-id="${storageAlert}"] [data-confirmed-violation]`).textContent()).toContain('+2 points');
    expect(await page.locator(`[data-alert-id="${storageAlert}"] [data-action="confirm"]`).count()).toBe(0);
    // "Open for" runs on the server's clock: the alert was opened 3 h ago.
    expect(await page.locator(`[data-alert-id="${storageAlert}"] [data-age]`).textContent()).toMatch(/^3 h /);
    // Institution names, not only ids.
    expect(await page.locator(`[data-alert-id="${storageAlert}"]`).textContent()).toContain('City Hospital No. 1 (hz-h001)');
    await shot(page, 'supervision-alert-confirmed');

    const afterOne = await creditShown(page, 'hz-h001');
    expect(afterOne).toEqual({ points: '2', riskClass: 'C' });

    // The second alert, confirmed as a graver violation than its rule: 12 points.
    await page.goto(`${base}/ui/#/alert/${weightAlert}`);
    const detail = page.locator(`[data-alert-id="${weightAlert}"]`);
    await detail.locator('[data-action="confirm"]').click();
    expect(await detail.locator(`#viol-type-${weightAlert}`).inputValue()).toBe('weight-discrepancy');
    await detail.locator(`#viol-type-${weightAlert}`).selectOption('illegal-dumping');
    await detail.getByLabel('Why this is a violation (required)').fill('the missing 250 g were found dumped');
    await detail.getByRole('button', { name: 'Confirm violation' }).click();
    await page.locator(`[data-alert-id="${weightAlert}"] [data-confirmed-violation="illegal-dumping"]`).waitFor();

    const afterTwo = await creditShown(page, 'hz-h001');
    expect(afterTwo).toEqual({ points: '14', riskClass: 'D' });
    const panel = page.locator('[data-credit="hz-h001"]');
    expect(await panel.locator('[data-violations] tbody tr').count()).toBe(2);
    expect(await panel.locator(`a[data-violation-alert="${storageAlert}"]`).getAttribute('href')).toBe(`#/alert/${storageAlert}`);
    expect(await panel.locator(`[data-violations] a[href="#/trail?q=${encodeURIComponent(BAG_A)}"]`).count()).toBe(2);
    expect(await panel.locator('[data-risk-class]').first().textContent()).toBe('Class D');
    // What the panel shows is what the API says.
    const credit = await (await context.request.get(`${base}/api/v1/institutions/hz-h001/credit`)).json();
    expect({ points: credit.points, riskClass: credit.riskClass }).toEqual({ points: 14, riskClass: 'D' });
    await shot(page, 'supervision-credit');

    // The evidence link leads to the alert, which shows its confirmed violation.
    await panel.locator(`a[data-violation-alert="${storageAlert}"]`).click();
    await page.locator(`[data-alert-id="${storageAlert}"] [data-confirmed-violation="storage-overdue"]`).waitFor();
    expect(await page.locator('h1').textContent()).toBe(`Alert #${storageAlert}`);
    await context.close();
  });

  it('a regulator keeps the inspector pool, announces a draw with a fixed seed, runs it, and the draw repeats from the files', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.getByRole('link', { name: 'Supervision' }).click();
    const row = page.locator('tr[data-class-row="hz-h001"]');
    await row.waitFor();
    expect(await row.getAttribute('data-class')).toBe('D');
    expect(await row.textContent()).toContain('City Hospital No. 1');
    expect(await page.locator('tr[data-class-row="hz-h002"]').getAttribute('data-class')).toBe('A');
    // Only hospitals and clinics are classed.
    expect(await page.locator('tr[data-class-row]').count()).toBe(2);
    await shot(page, 'supervision-classes');

    // The pool: one inspector through the form (with a conflict), two through the API.
    await page.getByRole('link', { name: 'Inspectors', exact: true }).click();
    await page.getByLabel('Inspector id').fill(INSPECTORS[0]!.id);
    await page.getByLabel('Name', { exact: true }).fill(INSPECTORS[0]!.name);
    await page.getByLabel('City Hospital No. 2 (hz-h002)').check();
    await page.getByRole('button', { name: 'Add inspector' }).click();
    await page.locator(`tr[data-inspector="${INSPECTORS[0]!.id}"]`).waitFor();
    expect(await page.locator(`tr[data-inspector="${INSPECTORS[0]!.id}"]`).textContent()).toContain('City Hospital No. 2 (hz-h002)');
    for (const i of INSPECTORS.slice(1)) {
      expect((await context.request.post(`${base}/api/v1/supervision/inspectors`, { data: i })).status()).toBe(201);
    }
    await page.reload();
    await page.locator('tr[data-inspector]').nth(2).waitFor();
    await shot(page, 'supervision-inspectors');

    // Announce: the seed generator works from the keyboard; then the fixed seed.
    await page.getByRole('link', { name: 'Inspection draws' }).click();
    await page.locator('[data-announce-form]').waitFor();
    expect(await page.locator('[data-announce-form]').textContent()).toContain('The seed is published when the draw is announced, before it is run');
    await page.locator('[data-generate-seed]').focus();
    await page.keyboard.press('Enter');
    expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toMatch(/^[0-9a-f]{32}$/);
    await page.getByLabel('Seed', { exact: true }).fill(SEED);
    await page.getByLabel('Period').fill('2026-12');
    await page.getByLabel('Share of institutions to draw').fill('1');
    await page.getByLabel('Inspectors per institution').fill('1');
    await page.getByRole('button', { name: 'Announce the draw' }).click();
    await page.locator('[data-draw-status="announced"]').waitFor();
    drawId = Number(await page.locator('[data-draw]').getAttribute('data-draw'));
    expect(await page.locator('[data-seed]').textContent()).toBe(SEED);
    expect(await page.locator('[data-picks]').getAttribute('data-picks')).toBe('none');
    await shot(page, 'supervision-draw-announced');

    await page.getByRole('button', { name: 'Run the draw' }).click();
    await page.locator('[data-draw-status="drawn"]').waitFor();
    const picks = page.locator('table[data-picks] tr[data-pick]');
    await expect.poll(() => picks.count()).toBe(2);
    expect(await page.locator('table[data-picks]').textContent()).toContain('City Hospital No. 1 (hz-h001)');
    // hz-h002 is never given the inspector who declared a conflict with it.
    expect(await page.locator('tr[data-pick="hz-h002"] [data-pick-inspectors]').getAttribute('data-pick-inspectors')).not.toContain('insp-01');
    expect(await page.locator('[data-cli]').textContent()).toBe('npx wastetrail draw --draw draw.json --verify result.json');
    await shot(page, 'supervision-draw');

    // The files the page offers, and the same draw repeated from them by the CLI and the library.
    const drawFile = await download(page, '[data-download="draw"]');
    const resultFile = await download(page, '[data-download="result"]');
    expect([drawFile.name, resultFile.name]).toEqual(['draw.json', 'result.json']);
    const { draw } = JSON.parse(drawFile.text);
    const result = JSON.parse(resultFile.text);
    expect(draw.seed).toBe(SEED);
    expect(result.picks.map((p: { institution: string }) => p.institution)).toEqual(await picks.evaluateAll((els) => els.map((e) => e.getAttribute('data-pick'))));
    expect(runDraw(draw.frame, SEED)).toEqual(result);
    writeFileSync(join(dir, 'draw.json'), drawFile.text);
    writeFileSync(join(dir, 'result.json'), resultFile.text);
    const out = sink();
    const err = sink();
    expect(await runDrawCommand(['--draw', join(dir, 'draw.json'), '--verify', join(dir, 'result.json')], { stdout: out.stream, stderr: err.stream } as never), err.text()).toBe(0);
    expect(out.text() + err.text()).toContain('result reproduced');
    // A result that was tampered with is not reproduced.
    const forged = { ...result, picks: [...result.picks].reverse() };
    writeFileSync(join(dir, 'forged.json'), JSON.stringify(forged));
    expect(await runDrawCommand(['--draw', join(dir, 'draw.json'), '--verify', join(dir, 'forged.json')], { stdout: sink().stream, stderr: sink().stream } as never)).toBe(1);

    // Running it again is refused.
    expect((await context.request.post(`${base}/api/v1/supervision/draws/${drawId}/run`, { data: {} })).status()).toBe(409);
    await context.close();
  });

  it('a regulator records an inspection result from the draw; the credit panel lists it', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.goto(`${base}/ui/#/supervision/inspections`);
    await page.locator('[data-inspection-form]').waitFor();
    await page.getByLabel('Institution', { exact: true }).selectOption('hz-h001');
    await page.getByLabel('Draw', { exact: true }).selectOption(String(drawId));
    // The inspectors the draw gave hz-h001 are ticked.
    const drawn = (await (await context.request.get(`${base}/api/v1/supervision/draws/${drawId}`)).json()).draw.result.picks.find((p: { institution: string }) => p.institution === 'hz-h001').inspectors as string[];
    for (const id of drawn) expect(await page.locator(`#rec-insp-${id}`).isChecked()).toBe(true);
    await page.getByLabel('Date').fill('2026-11-20');
    await page.getByLabel('violations found').check();
    await page.locator('#find-type-1').selectOption('inspection-finding');
    await page.locator('#find-note-1').fill('sharps container overfilled');
    await page.getByRole('button', { name: 'Record the result' }).click();
    await expect.poll(() => page.locator('[data-flash]').textContent()).toMatch(/^Inspection #\d+ of City Hospital No\. 1 \(hz-h001\) recorded\.$/);
    expect(await page.locator('table[data-inspections] tr[data-inspection-id]').count()).toBe(1);
    expect(await page.locator('table[data-inspections]').textContent()).toContain('Other finding of an inspection (inspection-finding) +3: sharps container overfilled');
    await shot(page, 'supervision-inspection');

    const c = await creditShown(page, 'hz-h001');
    expect(c.points).toBe('17');
    const panel = page.locator('[data-credit="hz-h001"]');
    expect(await panel.locator('table[data-inspections] tr[data-inspection-id]').count()).toBe(1);
    expect(await panel.locator('[data-violations]').textContent()).toContain('inspection #');

    // In Chinese too.
    await page.goto(`${base}/ui/#/supervision`);
    await page.locator('tr[data-class-row]').first().waitFor();
    await page.locator('[data-lang-switch]').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('监督管理');
    expect(await page.locator('tr[data-class-row="hz-h001"] [data-risk-class]').textContent()).toBe('D类');
    await page.locator('[data-lang-switch]').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Supervision');
    await context.close();

    // On a phone: the draw's page does not scroll sideways (its tables scroll inside their box).
    const phone = await newPage('en-US', { width: 390, height: 844 });
    await logIn(phone.page, 'demo-regulator', 'demo-pass-regulator');
    for (const hash of [`#/supervision/draws/${drawId}`, '#/supervision/inspections', `#/institution/hz-h001`]) {
      await phone.page.goto(`${base}/ui/${hash}`);
      await phone.page.locator('[data-draw], [data-inspection-form], [data-credit]').first().waitFor();
      expect(await phone.page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth'), hash).toBeLessThanOrEqual(0);
    }
    await phone.page.goto(`${base}/ui/#/supervision/draws/${drawId}`);
    await phone.page.locator('table[data-picks]').waitFor();
    await shot(phone.page, 'supervision-draw-phone');
    await phone.context.close();
  });

  it('an institution admin sees its own credit, and is refused the supervision page and another institution', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-hospital', 'demo-pass-hospital');
    expect(await page.locator('header nav').textContent()).not.toContain('Supervision');
    const own = await creditShown(page, 'hz-h001');
    expect(own).toEqual({ points: '17', riskClass: 'D' });
    expect(await page.locator('[data-credit="hz-h001"] [data-violations] tbody tr').count()).toBe(3);
    await shot(page, 'supervision-admin-credit');

    await page.goto(`${base}/ui/#/supervision`);
    await page.locator('[data-refusal]').waitFor();
    expect(await page.locator('[data-refusal]').textContent()).toContain('Access refused: your role or scope does not allow this.');
    expect(await page.locator('tr[data-class-row]').count()).toBe(0);
    await shot(page, 'supervision-refusal');

    await page.goto(`${base}/ui/#/institution/hz-h002`);
    await page.locator('[data-refusal]').waitFor();
    expect(await page.locator('[data-credit]').count()).toBe(0);
    expect((await context.request.get(`${base}/api/v1/institutions/hz-h002/credit`)).status()).toBe(403);
    await context.close();
  });

  it('the public disclosure page works without login, in both languages, and shows no personal data', async () => {
    const { context, page } = await newPage('zh-CN');
    await page.goto(`${base}/ui/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('登录');
    await page.locator('[data-disclosure-link]').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('信息公开');
    await page.locator('table[data-disclosure-table]').waitFor();
    // Hospitals and clinics only.
    expect(await page.locator('table[data-disclosure-table] tr[data-institution]').evaluateAll((els) => els.map((e) => e.getAttribute('data-institution')))).toEqual(['hz-h001', 'hz-h002']);
    expect(await page.locator('tr[data-institution="hz-h001"] [data-violations]').textContent()).toBe('3');
    expect(await page.locator('tr[data-institution="hz-h001"] [data-risk-class]').textContent()).toBe('D类');

    // The golden chain's month.
    await page.getByLabel('月份').fill('2026-03');
    await page.getByRole('button', { name: '查看该月' }).click();
    await expect.poll(() => page.locator('h2').first().textContent()).toBe('2026-03 各机构情况');
    type Row = { institution: string; kgSealed: number; kgDisposed: number; handedOverWithin48hShare: number | null };
    const api = (await (await fetch(`${base}/api/v1/public/disclosure?month=2026-03`)).json()) as { institutions: Row[] };
    const h001 = api.institutions.find((r) => r.institution === 'hz-h001')!;
    expect(h001.kgSealed).toBeGreaterThan(0);
    const cells = page.locator('tr[data-institution="hz-h001"]');
    await cells.waitFor();
    expect(Number(await cells.locator('[data-kg-sealed]').getAttribute('data-kg-sealed'))).toBe(h001.kgSealed);
    expect(Number(await cells.locator('[data-kg-disposed]').getAttribute('data-kg-disposed'))).toBe(h001.kgDisposed);
    expect(await cells.locator('[data-share]').textContent()).toBe(h001.handedOverWithin48hShare === null ? '–' : `${Math.round(h001.handedOverWithin48hShare * 1000) / 10} %`);
    await page.locator('[data-chart] canvas').waitFor();
    await shot(page, 'disclosure-zh');

    // The downloads need no session.
    const jsonHref = await page.locator('[data-export="json"]').getAttribute('href');
    const csvHref = await page.locator('[data-export="csv"]').getAttribute('href');
    expect([jsonHref, csvHref]).toEqual(['/api/v1/public/disclosure?month=2026-03', '/api/v1/public/disclosure.csv?month=2026-03']);
    const csv = await fetch(`${base}${csvHref}`);
    expect(csv.status).toBe(200);
    expect((await csv.text()).split(/\r?\n/)[0]).toBe(CSV_HEADER);
    expect((await fetch(`${base}${jsonHref}`)).status).toBe(200);

    // The published draw, with its seed and picks.
    const published = page.locator(`[data-public-draw="${drawId}"]`);
    await published.waitFor();
    expect(await published.locator('[data-seed]').textContent()).toBe(SEED);
    expect(await published.locator('tr[data-pick]').count()).toBe(2);

    // No personal data: no badge or crew ids, no usernames, no inspector names.
    const forbidden = [...personalIds(), 'badge-', 'demo-regulator', 'demo-hospital', 'demo-', ...INSPECTORS.map((i) => i.name)];
    const text = (await page.locator('body').textContent()) ?? '';
    for (const f of forbidden) expect(text, f).not.toContain(f);
    const draws = await (await fetch(`${base}/api/v1/public/draws`)).text();
    for (const f of ['demo-regulator', ...INSPECTORS.map((i) => i.name)]) expect(draws, f).not.toContain(f);

    // English.
    await page.locator('[data-lang-switch]').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Public disclosure');
    await page.locator('[data-chart] canvas').waitFor();
    expect(await page.locator('table[data-disclosure-table] thead').textContent()).toContain('Handed over within 48 h');
    // March 2026: the class as it stood at the end of that month, before any violation was confirmed.
    expect(await page.locator('tr[data-institution="hz-h001"] [data-risk-class]').textContent()).toBe('Class A');
    const textEn = (await page.locator('body').textContent()) ?? '';
    for (const f of forbidden) expect(textEn, f).not.toContain(f);
    await shot(page, 'disclosure-en');
    await context.close();

    // A phone screen: no sideways scrolling, the month form reachable by keyboard.
    const phone = await newPage('en-US', { width: 390, height: 844 });
    await phone.page.goto(`${base}/ui/#/disclosure?month=2026-03`);
    await phone.page.locator('[data-chart] canvas').waitFor();
    const overflow = await phone.page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.page.getByRole('button', { name: 'Show month' }).focus();
    await phone.page.keyboard.press('Enter');
    await phone.page.locator('[data-chart] canvas').waitFor();
    expect(await phone.page.evaluate<string>('location.hash')).toBe('#/disclosure?month=2026-03');
    await shot(phone.page, 'disclosure-phone');
    await phone.context.close();
  });

  it('logged no console errors and no page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
