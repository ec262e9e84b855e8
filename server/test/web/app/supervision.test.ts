/**
 * Supervision (#9) and the public disclosure page (#7) in the typed app (/app/), in chromium over the
 * golden store with two open alerts at hz-h001 and the demo users. A regulator watches the credit panel
 * follow confirmed violations (confirmed through the API: the alert pages are ported elsewhere), keeps
 * the inspector pool, announces and runs a draw with a fixed seed (repeated with `wastetrail draw` from
 * the files the page offers) and records an inspection from it; the institution admin sees its own
 * credit only; anyone sees the disclosure page without logging in, in both languages, with no personal
 * data, and it reads only /api/v1/public/*. Screenshots: test-artifacts/web/app-supervision-*.png,
 * app-disclosure-*.png.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInstance } from '../../../src/api/app.ts';
import { runDrawCommand } from '../../../src/cli/draw.ts';
import type { SqliteStore } from '../../../src/store/index.ts';
import { runDraw } from '../../../src/supervision/index.ts';
import { BAG_A, goldenChain } from '../../bags/support.ts';
import { BAG_A_STORAGE_OVERDUE, BAG_A_WEIGHT_DISCREPANCY, closeUi, launchChromium, logInAt, openAlertAtH001, openGoldenStore, openPage, serveUi, shot } from '../browser.ts';

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
  ({ dir, store } = await openGoldenStore('wt-app-sup-'));
  const opened = new Date(Date.now() - 3 * 3_600_000).toISOString();
  const a1 = await store.insertAlert(openAlertAtH001(opened, { ...BAG_A_STORAGE_OVERDUE, evidence: [{ device: 'hz-h001-ref-01', seq: 2 }] }));
  const a2 = await store.insertAlert(openAlertAtH001(opened, BAG_A_WEIGHT_DISCREPANCY));
  if (!a1 || !a2) throw new Error('alerts not inserted');
  storageAlert = a1.id;
  weightAlert = a2.id;
  ({ app, base } = await serveUi(store));
  browser = await launchChromium();
});

afterAll(() => closeUi({ browser, app, store, dir }));

// Two cores shared with other suites: a slow answer is not a failure, a missing one is.
const newPage = (locale: string, viewport?: { width: number; height: number }) => openPage(browser, consoleErrors, locale, { timeout: 10_000, viewport, acceptDownloads: true });
const logIn = (page: Page, username: string, password: string) => logInAt(page, `${base}/app/#/login`, username, password);
const sidewaysScroll = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

/** The credit panel of an institution as the app shows it. */
async function creditShown(page: Page, institution: string): Promise<{ points: string | null; riskClass: string | null }> {
  // A fresh load: going to the same hash again would not read the credit again.
  await page.goto('about:blank');
  await page.goto(`${base}/app/#/institution/${institution}`);
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
  return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') };
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

describe('supervision in the typed app', () => {
  it('the credit panel follows the violations confirmed against an institution: points, class, evidence links, the formula', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    const before = await creditShown(page, 'hz-h001');
    // Two alerts in 90 days and no bag sealed in them: the capped alert term alone makes class B.
    expect(before).toEqual({ points: '0', riskClass: 'B' });
    expect(await page.locator('[data-credit="hz-h001"] [data-formula]').textContent()).toContain('score = points of violations confirmed in the last 365 days');
    expect(await page.locator('[data-violations="none"]').textContent()).toBe('No confirmed violation in the window.');

    const confirm = (id: number, violation: string, note: string) => context.request.post(`${base}/api/v1/alerts/${id}/confirm`, { data: { violation, note } });
    expect((await confirm(storageAlert, 'storage-overdue', 'bag stored 68 h, seen on site')).status()).toBe(201);
    expect(await creditShown(page, 'hz-h001')).toEqual({ points: '2', riskClass: 'C' });
    // Graver than its rule: illegal dumping, 12 points.
    expect((await confirm(weightAlert, 'illegal-dumping', 'the missing 250 g were found dumped')).status()).toBe(201);
    expect(await creditShown(page, 'hz-h001')).toEqual({ points: '14', riskClass: 'D' });

    const panel = page.locator('[data-credit="hz-h001"]');
    expect(await panel.locator('[data-violations] tbody tr').count()).toBe(2);
    expect(await panel.locator(`a[data-violation-alert="${storageAlert}"]`).getAttribute('href')).toBe(`#/alert/${storageAlert}`);
    const evidence = await panel.locator('[data-violations] a[data-evidence-bag]').evaluateAll((els) => els.map((e) => new URLSearchParams((e.getAttribute('href') ?? '').split('?')[1]).get('q')));
    expect(evidence).toEqual([BAG_A, BAG_A]);
    expect(await panel.locator('[data-violations]').textContent()).toContain('Illegal dumping');
    expect(await panel.locator('[data-risk-class]').first().textContent()).toBe('Class D');
    // What the panel shows is what the API says.
    const credit = await (await context.request.get(`${base}/api/v1/institutions/hz-h001/credit`)).json();
    expect({ points: credit.points, riskClass: credit.riskClass }).toEqual({ points: 14, riskClass: 'D' });
    expect(await panel.locator('[data-credit-points]').textContent()).toBe(`${credit.points} points`);
    await shot(page, 'app-supervision-credit');
    await context.close();
  });

  it('a regulator keeps the inspector pool, announces a draw with a fixed seed, runs it, and the draw repeats from the files', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.locator('header nav').getByRole('link', { name: 'Supervision' }).click();
    const row = page.locator('tr[data-class-row="hz-h001"]');
    await row.waitFor();
    const classes = (await (await context.request.get(`${base}/api/v1/supervision/classes`)).json()).items as { institution: string; riskClass: string; points: number }[];
    // Only hospitals and clinics are classed; each row as the API answers.
    expect(await page.locator('tr[data-class-row]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-class-row'), e.getAttribute('data-class'), e.querySelector('[data-points]')?.textContent]))).toEqual(
      classes.map((c) => [c.institution, c.riskClass, String(c.points)]),
    );
    expect(classes.map((c) => [c.institution, c.riskClass])).toEqual([['hz-h001', 'D'], ['hz-h002', 'A']]);
    expect(await row.textContent()).toContain('City Hospital No. 1');
    await shot(page, 'app-supervision-classes');

    // The pool: one inspector through the form (with a conflict), two through the API.
    await page.getByRole('link', { name: 'Inspectors', exact: true }).click();
    await page.getByRole('button', { name: 'Add inspector' }).click();
    expect(await page.locator('[data-inspector-form] [role="alert"]').textContent()).toBe('Some input is missing or invalid.');
    await page.getByLabel('Inspector id').fill(INSPECTORS[0]!.id);
    await page.getByLabel('Name', { exact: true }).fill(INSPECTORS[0]!.name);
    await page.getByLabel('City Hospital No. 2 (hz-h002)').check();
    await page.getByRole('button', { name: 'Add inspector' }).click();
    await page.locator(`tr[data-inspector="${INSPECTORS[0]!.id}"]`).waitFor();
    expect(await page.locator('[data-flash]').textContent()).toBe('Inspector insp-01 added.');
    expect(await page.locator(`tr[data-inspector="${INSPECTORS[0]!.id}"]`).textContent()).toContain('City Hospital No. 2 (hz-h002)');
    // The form is empty again for the next one.
    expect(await page.getByLabel('Inspector id').inputValue()).toBe('');
    expect(await page.getByLabel('City Hospital No. 2 (hz-h002)').isChecked()).toBe(false);
    for (const i of INSPECTORS.slice(1)) expect((await context.request.post(`${base}/api/v1/supervision/inspectors`, { data: i })).status()).toBe(201);
    await page.reload();
    await page.locator('tr[data-inspector]').nth(2).waitFor();
    await shot(page, 'app-supervision-inspectors');

    // Announce: the seed generator works from the keyboard; then the fixed seed.
    await page.getByRole('link', { name: 'Inspection draws' }).click();
    await page.locator('[data-announce-form]').waitFor();
    expect(await page.locator('[data-draws="none"]').count()).toBe(1);
    expect(await page.locator('[data-announce-form]').textContent()).toContain('The seed is published when the draw is announced, before it is run');
    await page.locator('[data-generate-seed]').focus();
    await page.keyboard.press('Enter');
    const generated = await page.getByLabel('Seed', { exact: true }).inputValue();
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    await page.locator('[data-generate-seed]').click();
    expect(await page.getByLabel('Seed', { exact: true }).inputValue()).not.toBe(generated);
    await page.getByLabel('Seed', { exact: true }).fill(SEED);
    await page.getByLabel('Period').fill('2026-13');
    await page.getByLabel('Share of institutions to draw').fill('1');
    await page.getByLabel('Inspectors per institution').fill('1');
    await page.getByRole('button', { name: 'Announce the draw' }).click();
    // A period that is none is refused before sending, and the field gets the focus.
    expect(await page.locator('[data-announce-form] [role="alert"]').textContent()).toBe('Some input is missing or invalid.');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('draw-period');
    await page.getByLabel('Period').fill('2026-12');
    await page.getByRole('button', { name: 'Announce the draw' }).click();
    await page.locator('[data-draw-status="announced"]').waitFor();
    drawId = Number(await page.locator('[data-draw]').getAttribute('data-draw'));
    expect(await page.evaluate<string>('location.hash')).toBe(`#/supervision/draws/${drawId}`);
    expect(await page.locator('[data-seed]').textContent()).toBe(SEED);
    expect(await page.locator('[data-picks]').getAttribute('data-picks')).toBe('none');
    // Announced: the frame and the draw can be downloaded already, the result not.
    expect(await page.locator('[data-download]').evaluateAll((els) => els.map((e) => e.getAttribute('data-download')))).toEqual(['draw', 'frame']);
    await shot(page, 'app-supervision-draw-announced');

    await page.getByRole('button', { name: 'Run the draw' }).click();
    await page.locator('[data-draw-status="drawn"]').waitFor();
    // The focus moves to the result.
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.id')).toBe('draw-result');
    const picks = page.locator('table[data-picks] tr[data-pick]');
    await expect.poll(() => picks.count()).toBe(2);
    expect(await page.locator('table[data-picks]').textContent()).toContain('City Hospital No. 1 (hz-h001)');
    // Inspectors by name and id to the regulator.
    expect(await page.locator('table[data-picks]').textContent()).toMatch(/(Zhang Wei|Li Na|Chen Jing) \(insp-0\d\)/);
    // hz-h002 is never given the inspector who declared a conflict with it.
    expect(await page.locator('tr[data-pick="hz-h002"] [data-pick-inspectors]').getAttribute('data-pick-inspectors')).not.toContain('insp-01');
    expect(await page.locator('[data-cli]').textContent()).toBe('npx wastetrail draw --draw draw.json --verify result.json');
    expect(await page.getByRole('button', { name: 'Run the draw' }).count()).toBe(0);
    await shot(page, 'app-supervision-draw');

    // The files the page offers, and the same draw repeated from them by the CLI and the library.
    const drawFile = await download(page, '[data-download="draw"]');
    const frameFile = await download(page, '[data-download="frame"]');
    const resultFile = await download(page, '[data-download="result"]');
    expect([drawFile.name, frameFile.name, resultFile.name]).toEqual(['draw.json', 'frame.json', 'result.json']);
    const { draw } = JSON.parse(drawFile.text);
    const result = JSON.parse(resultFile.text);
    expect(draw.seed).toBe(SEED);
    expect(JSON.parse(frameFile.text)).toEqual(draw.frame);
    expect(result.picks.map((p: { institution: string }) => p.institution)).toEqual(await picks.evaluateAll((els) => els.map((e) => e.getAttribute('data-pick'))));
    expect(runDraw(draw.frame, SEED)).toEqual(result);
    writeFileSync(join(dir, 'draw.json'), drawFile.text);
    writeFileSync(join(dir, 'result.json'), resultFile.text);
    const out = sink();
    const err = sink();
    expect(await runDrawCommand(['--draw', join(dir, 'draw.json'), '--verify', join(dir, 'result.json')], { stdout: out.stream, stderr: err.stream } as never), err.text()).toBe(0);
    expect(out.text() + err.text()).toContain('result reproduced');
    // A result that was tampered with is not reproduced.
    writeFileSync(join(dir, 'forged.json'), JSON.stringify({ ...result, picks: [...result.picks].reverse() }));
    expect(await runDrawCommand(['--draw', join(dir, 'draw.json'), '--verify', join(dir, 'forged.json')], { stdout: sink().stream, stderr: sink().stream } as never)).toBe(1);

    // Running it again is refused; the list shows it drawn.
    expect((await context.request.post(`${base}/api/v1/supervision/draws/${drawId}/run`, { data: {} })).status()).toBe(409);
    await page.getByRole('link', { name: '← Draws' }).click();
    await page.locator(`tr[data-draw-id="${drawId}"][data-status="drawn"]`).waitFor();
    await context.close();
  });

  it('a regulator records inspection results from the draw; the list pages from the server with its filters in the URL; the credit panel lists them', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.goto(`${base}/app/#/supervision/inspections`);
    await page.locator('[data-inspection-form]').waitFor();
    expect(await page.locator('[data-inspections="none"]').textContent()).toBe('No inspection recorded yet.');
    await page.locator('#rec-inst').selectOption('hz-h001');
    await page.locator('#rec-draw').selectOption(String(drawId));
    // The inspectors the draw gave hz-h001 are ticked, and only those.
    const drawn = (await (await context.request.get(`${base}/api/v1/supervision/draws/${drawId}`)).json()).draw.result.picks.find((p: { institution: string }) => p.institution === 'hz-h001').inspectors as string[];
    for (const i of INSPECTORS) expect(await page.locator(`#rec-insp-${i.id}`).isChecked(), i.id).toBe(drawn.includes(i.id));
    await page.getByLabel('Date').fill('2026-11-20');
    await page.getByLabel('violations found').check();
    await page.locator('[data-finding] select').first().selectOption('inspection-finding');
    await page.locator('[data-finding] input').first().fill('sharps container overfilled');
    await page.getByRole('button', { name: 'Record the result' }).click();
    await expect.poll(() => page.locator('[data-flash]').textContent()).toMatch(/^Inspection #\d+ of City Hospital No\. 1 \(hz-h001\) recorded\.$/);
    await expect.poll(() => page.locator('table[data-inspections] tr[data-inspection-id]').count()).toBe(1);
    expect(await page.locator('table[data-inspections]').textContent()).toContain('Other finding of an inspection (inspection-finding) +3: sharps container overfilled');
    await shot(page, 'app-supervision-inspection');

    // "violations found" with no finding left is refused before sending.
    await page.locator('#rec-inst').selectOption('hz-h002');
    await page.locator(`#rec-insp-insp-02`).check();
    await page.getByLabel('violations found').check();
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('button', { name: 'Record the result' }).click();
    expect(await page.locator('[data-inspection-form] [role="alert"]').textContent()).toBe('Some input is missing or invalid.');

    // 24 more passes through the API: 25 in all, two pages of 20.
    for (let d = 1; d <= 24; d += 1) {
      const res = await context.request.post(`${base}/api/v1/supervision/inspections`, { data: { institution: 'hz-h002', inspectors: ['insp-02'], date: `2026-10-${String(d).padStart(2, '0')}`, outcome: 'pass' } });
      expect(res.status()).toBe(201);
    }
    await page.reload();
    const rows = page.locator('table[data-inspections] tr[data-inspection-id]');
    await expect.poll(() => rows.count()).toBe(20);
    expect(await page.locator('[data-page-range]').textContent()).toBe('1–20 of 25');
    // Newest first: the inspection of 2026-11-20, then October from the 24th down.
    expect(await rows.first().locator('td').first().textContent()).toBe('2026-11-20');
    await page.locator('[data-page-next]').click();
    await expect.poll(() => rows.count()).toBe(5);
    expect(await page.evaluate<string>('location.hash')).toBe('#/supervision/inspections?offset=20');
    const api = (await (await context.request.get(`${base}/api/v1/supervision/inspections?limit=20&offset=20`)).json()) as { items: { id: number }[]; total: number };
    expect(await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-inspection-id'))))).toEqual(api.items.map((i) => i.id));
    // A filter goes back to the first page and stays in the URL.
    await page.getByLabel('Outcome', { exact: true }).last().selectOption('violations');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.evaluate<string>('location.hash')).toBe('#/supervision/inspections?outcome=violations');
    expect(await page.locator('[data-page-range]').textContent()).toBe('1–1 of 1');
    await page.reload();
    await expect.poll(() => rows.count()).toBe(1);
    await page.goto(`${base}/app/#/supervision/inspections?institution=hz-h002&offset=20`);
    await expect.poll(() => page.locator('[data-page-range]').textContent()).toBe('21–24 of 24');

    expect((await creditShown(page, 'hz-h001')).points).toBe('17');
    const panel = page.locator('[data-credit="hz-h001"]');
    expect(await panel.locator('table[data-inspections] tr[data-inspection-id]').count()).toBe(1);
    expect(await panel.locator('[data-violations]').textContent()).toContain('inspection #');

    // In Chinese too.
    await page.goto(`${base}/app/#/supervision`);
    await page.locator('tr[data-class-row]').first().waitFor();
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('监督管理');
    expect(await page.locator('tr[data-class-row="hz-h001"] [data-risk-class]').textContent()).toBe('D类');
    await shot(page, 'app-supervision-classes-zh');
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Supervision');
    await context.close();

    // On a phone: the draw, inspection and institution pages do not scroll sideways (tables scroll inside their box).
    const phone = await newPage('en-US', { width: 390, height: 844 });
    await logIn(phone.page, 'demo-regulator', 'demo-pass-regulator');
    for (const hash of [`#/supervision/draws/${drawId}`, '#/supervision/inspections', '#/institution/hz-h001']) {
      await phone.page.goto(`${base}/app/${hash}`);
      await phone.page.locator('[data-draw], [data-inspection-form], [data-credit]').first().waitFor();
      expect(await sidewaysScroll(phone.page), hash).toBeLessThanOrEqual(0);
    }
    await phone.page.goto(`${base}/app/#/supervision/draws/${drawId}`);
    await phone.page.locator('table[data-picks]').waitFor();
    await shot(phone.page, 'app-supervision-draw-phone');
    await phone.context.close();
  });

  it('an institution admin sees its own credit, and is refused the supervision pages and another institution', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-hospital', 'demo-pass-hospital');
    expect(await page.locator('header nav').textContent()).not.toContain('Supervision');
    expect(await creditShown(page, 'hz-h001')).toEqual({ points: '17', riskClass: 'D' });
    expect(await page.locator('[data-credit="hz-h001"] [data-violations] tbody tr').count()).toBe(3);
    await shot(page, 'app-supervision-admin-credit');

    for (const hash of ['#/supervision', `#/supervision/draws/${drawId}`, '#/supervision/inspections']) {
      await page.goto(`${base}/app/${hash}`);
      await page.locator('[data-refusal]').waitFor();
      expect(await page.locator('[data-refusal]').textContent(), hash).toContain('A Institution admin account may not see this page.');
      expect(await page.locator('tr[data-class-row], [data-draw], [data-inspection-form]').count()).toBe(0);
    }
    await shot(page, 'app-supervision-refusal');

    await page.goto(`${base}/app/#/institution/hz-h002`);
    await page.locator('[data-refusal]').waitFor();
    expect(await page.locator('[data-refusal]').textContent()).toContain('Access refused: your role or scope does not allow this.');
    expect(await page.locator('[data-credit]').count()).toBe(0);
    expect((await context.request.get(`${base}/api/v1/institutions/hz-h002/credit`)).status()).toBe(403);
    await context.close();
  });
});

describe('the public disclosure in the typed app', () => {
  it('works without login, in both languages, reads only the public API, and shows no personal data', async () => {
    const { context, page } = await newPage('zh-CN');
    const apiCalls: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/api/')) apiCalls.push(path);
    });
    await page.goto(`${base}/app/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('登录');
    await page.locator('main a[href="#/disclosure"]').click();
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
    expect(await page.evaluate<string>('location.hash')).toBe('#/disclosure?month=2026-03');
    type Row = { institution: string; kgSealed: number; kgDisposed: number; handedOverWithin48hShare: number | null; confirmedViolations: number };
    const api = (await (await fetch(`${base}/api/v1/public/disclosure?month=2026-03`)).json()) as { institutions: Row[] };
    const h001 = api.institutions.find((r) => r.institution === 'hz-h001')!;
    expect(h001.kgSealed).toBeGreaterThan(0);
    for (const r of api.institutions) {
      const cells = page.locator(`tr[data-institution="${r.institution}"]`);
      expect(Number(await cells.locator('[data-kg-sealed]').getAttribute('data-kg-sealed')), r.institution).toBe(r.kgSealed);
      expect(Number(await cells.locator('[data-kg-disposed]').getAttribute('data-kg-disposed')), r.institution).toBe(r.kgDisposed);
      expect(await cells.locator('[data-share]').textContent()).toBe(r.handedOverWithin48hShare === null ? '–' : `${Math.round(r.handedOverWithin48hShare * 1000) / 10} %`);
      expect(await cells.locator('[data-violations]').textContent()).toBe(String(r.confirmedViolations));
    }
    const sealedTotal = api.institutions.reduce((s, r) => s + r.kgSealed, 0);
    expect(await page.locator('[data-total="sealed"]').textContent()).toBe(sealedTotal.toLocaleString('zh-CN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
    await page.locator('[data-chart] canvas').waitFor();
    await shot(page, 'app-disclosure-zh');

    // The downloads need no session.
    const jsonHref = await page.locator('[data-export="json"]').getAttribute('href');
    const csvHref = await page.locator('[data-export="csv"]').getAttribute('href');
    expect([jsonHref, csvHref]).toEqual(['/api/v1/public/disclosure?month=2026-03', '/api/v1/public/disclosure.csv?month=2026-03']);
    const csv = await fetch(`${base}${csvHref}`);
    expect(csv.status).toBe(200);
    expect((await csv.text()).split(/\r?\n/)[0]).toBe(CSV_HEADER);
    expect((await fetch(`${base}${jsonHref}`)).status).toBe(200);

    // The published draw, with its seed, its picks (inspector ids only) and its files.
    const published = page.locator(`[data-public-draw="${drawId}"]`);
    await published.waitFor();
    expect(await published.locator('[data-seed]').textContent()).toBe(SEED);
    expect(await published.locator('tr[data-pick]').count()).toBe(2);
    const publicDraw = await download(page, `[data-public-draw="${drawId}"] [data-download="draw"]`);
    expect(JSON.parse(publicDraw.text).draw.seed).toBe(SEED);
    for (const i of INSPECTORS) expect(publicDraw.text, i.name).not.toContain(i.name);

    // No personal data: no badge or crew ids, no usernames, no inspector names.
    const forbidden = [...personalIds(), 'badge-', 'demo-regulator', 'demo-hospital', 'demo-', ...INSPECTORS.map((i) => i.name)];
    const text = (await page.locator('body').textContent()) ?? '';
    for (const f of forbidden) expect(text, f).not.toContain(f);
    const draws = await (await fetch(`${base}/api/v1/public/draws`)).text();
    for (const f of ['demo-regulator', ...INSPECTORS.map((i) => i.name)]) expect(draws, f).not.toContain(f);

    // English.
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Public disclosure');
    await page.locator('[data-chart] canvas').waitFor();
    expect(await page.locator('table[data-disclosure-table] thead').textContent()).toContain('Handed over within 48 h');
    // March 2026: the class as it stood at the end of that month, before any violation was confirmed.
    expect(await page.locator('tr[data-institution="hz-h001"] [data-risk-class]').textContent()).toBe('Class A');
    const textEn = (await page.locator('body').textContent()) ?? '';
    for (const f of forbidden) expect(textEn, f).not.toContain(f);
    await shot(page, 'app-disclosure-en');
    // Only the public API (and the frame's "who is logged in", refused) was asked.
    expect(apiCalls.filter((p) => !p.startsWith('/api/v1/public/') && p !== '/api/v1/me')).toEqual([]);
    expect(apiCalls.filter((p) => p.startsWith('/api/v1/public/')).length).toBeGreaterThan(0);
    await context.close();

    // A phone screen: no sideways scrolling, the month form works from the keyboard.
    const phone = await newPage('en-US', { width: 390, height: 844 });
    await phone.page.goto(`${base}/app/#/disclosure?month=2026-03`);
    await phone.page.locator('[data-chart] canvas').waitFor();
    expect(await sidewaysScroll(phone.page)).toBeLessThanOrEqual(0);
    await phone.page.getByRole('button', { name: 'Show month' }).focus();
    await phone.page.keyboard.press('Enter');
    await phone.page.locator('[data-chart] canvas').waitFor();
    expect(await phone.page.evaluate<string>('location.hash')).toBe('#/disclosure?month=2026-03');
    await shot(phone.page, 'app-disclosure-phone');
    await phone.context.close();
  });

  it('logged no console errors and no page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
