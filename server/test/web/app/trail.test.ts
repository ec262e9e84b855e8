/**
 * The bag trail of the typed app (/app/#/trail) in chromium, over the golden store with a signed and
 * cosigned log checkpoint and one more bag picked up on its own manifest. What a user checks: the newest
 * bags and the trail's figures equal the API's; the six custody steps in order with times in
 * Asia/Shanghai, weights, holders, the manifest and transit-map links; each record's log leaf and the
 * checkpoint's size with the witness quorum; the exports answer with the session; "Verify signatures in
 * this browser" proves every record, every inclusion proof and the cosignatures, and shows a tampered
 * record, a tampered proof and a missing cosignature as failed; the searches by bare EPC, manifest and
 * a mistyped label; Chinese; a phone screen with the keyboard only; the public role refused; no console
 * error. Screenshots: test-artifacts/web/app-trail*.png.
 */
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosignatureLine, cosigner, ed25519KeyPairFromSeed, ed25519Signer, type NoteSigner } from '@wastetrail/firmware-protocol';
import type { ApiInstance } from '../../../src/api/app.ts';
import { acceptCosignatures, loadLogKey, signCheckpoint } from '../../../src/log/index.ts';
import type { SqliteStore } from '../../../src/store/index.ts';
import { commit, TestDevice } from '../../api/support.ts';
import { BAG_A, BAG_B } from '../../bags/support.ts';
import { closeUi, launchChromium, logInAt, openGoldenStore, openPage, serveUi, shot } from '../browser.ts';

const ORIGIN = 'log.wastetrail.example/web';
const witnessOf = (seed: number, name: string) => cosigner(name, ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(seed)).privateKeyPem));
const W1 = witnessOf(41, 'witness.regulator.example/hz');
const W2 = witnessOf(42, 'witness.hospitals.example/zj');
const W3 = witnessOf(43, 'witness.public.example');
/** A bag picked up on its own manifest, after the checkpoint: its records are not yet in the log. */
const BAG_T = 'epc:3074257bf7194e400000ff01';
const MANIFEST_T = 'HZ2026112000001';
/** A bag whose pickup was voided later, and one sealed twice. */
const BAG_VOIDED = 'epc:3074257bf7194e400000ff02';
const BAG_TWICE = 'epc:3074257bf7194e400000ff03';
/** The golden chain's manifest: bags A and B. */
const MANIFEST_AB = 'HZ2026030200017';

let dir: string, store: SqliteStore;
let size: number;
let leaves: number[];
// The same store served twice: witnesses W1 and W2 with a quorum of 2 (met), and W1..W3 with a quorum of 3 (not met).
let met: { app: ApiInstance; base: string };
let unmet: { app: ApiInstance; base: string };
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-app-trail-'));
  const key = loadLogKey(dir, ORIGIN);
  const { checkpoint } = await signCheckpoint(store, key, Date.now);
  size = checkpoint.size;
  const text = checkpoint.note.slice(0, checkpoint.note.indexOf('\n\n') + 1);
  const cosigned = checkpoint.note + [W1, W2].map((w: NoteSigner) => cosignatureLine(text, w, 1_772_000_000)).join('');
  expect(await acceptCosignatures(store, [W1, W2], cosigned, Date.now)).toMatchObject({ ok: true });
  leaves = (await store.logIndexes(await store.recordsForTags([BAG_A]))).map((i) => i!);
  const kiosk = new TestDevice('hz-h001-kiosk-09', 'hz-h001', ['department', 'pickup'], 21);
  await store.registerDevice({ id: kiosk.id, institution: kiosk.institution, stations: kiosk.stations, keys: [{ publicKey: kiosk.publicKey }] });
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  await commit(store, [
    kiosk.sign({ type: 'sealed', body: { tags: [BAG_T], category: 'sharps', weight: { value: 600, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } }, hoursAgo(32)),
    kiosk.sign({ type: 'picked-up', body: { bags: [{ tag: BAG_T, weight: { value: 598, unit: 'g' } }], weight: { value: 598, unit: 'g' }, giver: 'badge-0303', crew: 'crew-5501', vehicle: 'ZA-A1234', manifest: MANIFEST_T } }, hoursAgo(30)),
    kiosk.sign({ type: 'sealed', body: { tags: [BAG_VOIDED], category: 'infectious', weight: { value: 2400, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } }, hoursAgo(10)),
  ]);
  const wrongPickup = kiosk.sign({ type: 'picked-up', body: { bags: [{ tag: BAG_VOIDED }], weight: { value: 2400, unit: 'g' }, giver: 'badge-0303', crew: 'crew-5501', vehicle: 'ZA-A1234', manifest: 'HZ2026112000002' } }, hoursAgo(9));
  await commit(store, [
    wrongPickup,
    kiosk.sign({ type: 'correction', body: { target: { device: kiosk.id, seq: wrongPickup.record.seq, hash: wrongPickup.hash }, action: 'void', reason: 'scanned onto the wrong vehicle', authorisedBy: 'badge-0001' } }, hoursAgo(8)),
    kiosk.sign({ type: 'sealed', body: { tags: [BAG_TWICE], category: 'sharps', weight: { value: 700, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } }, hoursAgo(7)),
    kiosk.sign({ type: 'sealed', body: { tags: [BAG_TWICE], category: 'sharps', weight: { value: 710, unit: 'g' }, department: 'ICU', staff: 'badge-0101' } }, hoursAgo(6)),
  ]);
  met = await serveUi(store, { log: { origin: ORIGIN, verifierKey: key.verifierKey, witnesses: [W1, W2], quorum: 2 } });
  unmet = await serveUi(store, { log: { origin: ORIGIN, verifierKey: key.verifierKey, witnesses: [W1, W2, W3], quorum: 3 } });
  browser = await launchChromium();
});

afterAll(async () => {
  await closeUi({ app: unmet?.app });
  await closeUi({ browser, app: met?.app, store, dir });
});

async function loggedIn(base: string, locale = 'en-US', user = 'regulator', viewport?: { width: number; height: number }) {
  const { context, page } = await openPage(browser, consoleErrors, locale, { timeout: 15_000, ...(viewport ? { viewport } : {}) });
  await logInAt(page, `${base}/app/#/login`, `demo-${user}`, `demo-pass-${user}`);
  return { context, page, close: () => context.close() };
}

async function trailOf(base: string, q: string, locale = 'en-US') {
  const opened = await loggedIn(base, locale);
  await opened.page.goto(`${base}/app/#/trail?q=${encodeURIComponent(q)}`);
  await opened.page.locator('li[data-step]').first().waitFor();
  return opened;
}

const verifyInBrowser = async (page: Page) => {
  await page.locator('[data-verify-browser]').click();
  await page.locator('[data-browser-count]').waitFor();
};
const attr = (page: Page, selector: string, name: string) => page.locator(selector).getAttribute(name);
const all = (page: Page, selector: string, name: string) => page.locator(selector).evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);

type Bundle = { records: string[]; log: { proofs: Array<string | null> } };
/** Serves the bag's bundle with `edit` applied to it, as a tampering server (or proxy) would. */
const tamperBundle = (page: Page, edit: (bundle: Bundle) => void) =>
  page.route('**/api/v1/bags/*/bundle', async (route: Route) => {
    const response = await route.fetch();
    const bundle = (await response.json()) as Bundle;
    edit(bundle);
    await route.fulfill({ response, json: bundle });
  });

describe('the bag trail in the typed app', () => {
  it('offers the newest bags, then shows the searched trail as the API gives it, with its log leaves, the quorum met and the exports', async () => {
    const { context, page, close } = await loggedIn(met.base);
    await page.getByRole('link', { name: 'Bag trail' }).click();
    await page.locator('[data-recent-bags]').waitFor();
    // Nothing searched: the search box has the focus, and the five newest bags in scope are offered.
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('trail-q');
    const newest = (await (await context.request.get(`${met.base}/api/v1/bags?limit=5&offset=0`)).json()) as { bags: { bag: string }[] };
    // Newest sealed first.
    expect(newest.bags.map((b) => b.bag)).toEqual([BAG_TWICE, BAG_VOIDED, BAG_T, expect.any(String), expect.any(String)]);
    expect(await all(page, '[data-recent-bags] [data-bag-link]', 'data-bag-link')).toEqual(newest.bags.map((b) => b.bag));

    await page.getByLabel('Tag, QR label, bag id or manifest number').fill(BAG_A);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('li[data-step]').first().waitFor();
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/trail?q=${BAG_A}`);
    const api = (await (await context.request.get(`${met.base}/api/v1/bags/${encodeURIComponent(BAG_A)}`)).json()) as {
      steps: { step: string; time: string; holder: { id: string } }[];
      verification: { records: number; verified: number };
    };
    expect(await all(page, 'li[data-step]', 'data-step')).toEqual(['sealed', 'collected', 'stored', 'picked-up', 'received', 'disposed']);
    expect(await all(page, 'li[data-step]', 'data-step')).toEqual(api.steps.map((s) => s.step));
    expect(await attr(page, '[data-verification]', 'data-verification')).toBe(`${api.verification.verified}/${api.verification.records}`);
    expect(await page.locator('[data-verification]').textContent()).toBe(`${api.verification.records} of ${api.verification.records} records verified`);
    expect(await page.locator('li[data-step] [data-verified="true"]').count()).toBe(6);
    expect(await page.locator('[data-sealed-weight]').textContent()).toBe('1.25 kg');
    expect(await page.locator('li[data-step="sealed"] [data-weight]').textContent()).toBe('1.25 kg');
    // Times in Asia/Shanghai, whatever the browser's zone (UTC here).
    const sealedAt = new Date(api.steps[0]!.time);
    const inShanghai = sealedAt.toLocaleString('en', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    expect(await page.locator('li[data-step="sealed"] time').textContent()).toBe(inShanghai);
    expect(inShanghai).not.toBe(sealedAt.toLocaleString('en', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }));
    // Holders and badges go through the one component the staff names will fill.
    expect(await page.locator('li[data-step="stored"] [data-holder] [data-badge-holder]').textContent()).toBe(api.steps[2]!.holder.id);
    expect(await page.locator('li[data-step="sealed"] [data-badges]').textContent()).toBe('badge-0101');
    expect(await page.locator('li[data-step="stored"] [data-dwell]').textContent()).toMatch(/^\d+ (d|h|min)/);
    // The pickup links its manifest and the transit map.
    expect(await attr(page, 'li[data-step="picked-up"] [data-manifest-link]', 'href')).toBe(`#/manifest/${MANIFEST_AB}`);
    expect(await attr(page, 'li[data-step="picked-up"] [data-map-link]', 'href')).toBe(`#/transit-map?bag=${BAG_A}`);
    expect(await page.locator('li[data-step="sealed"] [data-map-link]').count()).toBe(0);
    // The log: each record's leaf, and the checkpoint the bundle proves them in, cosigned by the quorum.
    expect(await attr(page, '[data-checkpoint]', 'data-checkpoint')).toBe(String(size));
    expect(await attr(page, '[data-checkpoint]', 'data-quorum-met')).toBe('true');
    expect(await page.locator('[data-checkpoint]').textContent()).toBe(`tree size ${size} · cosigned by 2 of 2 witnesses (quorum 2)`);
    const shown = (await all(page, 'li[data-step] [data-leaf]', 'data-leaf')).map(Number);
    expect(shown).toHaveLength(6);
    expect(shown.every((leaf) => leaves.includes(leaf))).toBe(true);
    expect(await page.locator('li[data-step="sealed"] [data-leaf]').textContent()).toMatch(/^log leaf #\d+$/);

    // The exports download with the session cookie: the bundle, and the register of the sealing day.
    const bundle = await context.request.get(`${met.base}${await attr(page, '[data-export="bundle"]', 'href')}`);
    expect([bundle.status(), ((await bundle.json()) as { format: string }).format]).toEqual([200, 'wastetrail.bundle.v1']);
    const registerHref = (await attr(page, '[data-export="register"]', 'href'))!;
    const sealingDay = sealedAt.toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
    expect(registerHref).toBe(`/api/v1/register.csv?institution=hz-h001&from=${sealingDay}&to=${sealingDay}`);
    const csv = await context.request.get(`${met.base}${registerHref}`);
    expect([csv.status(), csv.headers()['content-type']]).toEqual([200, expect.stringContaining('text/csv')]);
    expect(await csv.text()).toContain(BAG_A);

    // Verified again here: every signature, every inclusion proof, the checkpoint and its cosignatures.
    await verifyInBrowser(page);
    const n = api.verification.records;
    expect(await attr(page, '[data-browser-count]', 'data-browser-count')).toBe(`${n}/${n}`);
    expect(await page.locator('[data-browser-count]').textContent()).toBe(`${n} of ${n} records verified in this browser`);
    expect(await page.locator('li[data-step] [data-browser-verified="true"]').count()).toBe(6);
    expect(await attr(page, '[data-browser-log-count]', 'data-browser-log-count')).toBe(`${n}/${n}`);
    expect(await page.locator('li[data-step] [data-browser-log="true"]').count()).toBe(6);
    expect((await all(page, 'li[data-step] [data-browser-leaf]', 'data-browser-leaf')).map(Number)).toEqual(shown);
    expect(await attr(page, '[data-browser-checkpoint]', 'data-browser-checkpoint')).toBe(String(size));
    expect(await attr(page, '[data-browser-checkpoint]', 'data-browser-quorum-met')).toBe('true');
    expect(await page.locator('[data-browser-checkpoint]').textContent()).toContain(`cosignatures of ${W2.name}, ${W1.name} verified (quorum 2)`);
    await shot(page, 'app-trail');
    await close();
  });

  it('a tampered record fails its signature in the browser, a tampered inclusion proof its log proof; the others still pass', async () => {
    const { page, close } = await trailOf(met.base, BAG_A);
    const n = Number((await attr(page, '[data-verification]', 'data-verification'))!.split('/')[1]);
    await tamperBundle(page, (bundle) => {
      // The sealing record (seq 2) gets one bit of its signature flipped.
      const i = bundle.records.findIndex((line) => JSON.parse(Buffer.from((JSON.parse(line) as { record: string }).record, 'base64').toString('utf8')).seq === 2);
      const env = JSON.parse(bundle.records[i]!) as { record: string; sig: string };
      const sig = Buffer.from(env.sig, 'base64');
      sig[7]! ^= 1;
      bundle.records[i] = `{"record":"${env.record}","sig":"${sig.toString('base64')}"}`;
      // The stored step's record (seq 6): one hash of its inclusion proof changed.
      const j = bundle.records.findIndex((line) => JSON.parse(Buffer.from((JSON.parse(line) as { record: string }).record, 'base64').toString('utf8')).seq === 6);
      const lines = bundle.log.proofs[j]!.split('\n');
      lines[2] = `${lines[2]![0] === 'A' ? 'B' : 'A'}${lines[2]!.slice(1)}`;
      bundle.log.proofs[j] = lines.join('\n');
    });
    await verifyInBrowser(page);
    expect(await attr(page, '[data-browser-count]', 'data-browser-count')).toBe(`${n - 1}/${n}`);
    expect(await attr(page, '[data-browser-count]', 'class')).toBe('badge failed');
    expect(await page.locator('li[data-step="sealed"] [data-browser-verified]').textContent()).toBe('✗ NOT verified in this browser (BAD_SIGNATURE)');
    expect(await page.locator('li[data-step] [data-browser-verified="true"]').count()).toBe(5);
    // The record's own signature was not touched: only its log proof fails.
    expect(await attr(page, 'li[data-step="stored"] [data-browser-verified]', 'data-browser-verified')).toBe('true');
    expect(await page.locator('li[data-step="stored"] [data-browser-log]').textContent()).toMatch(/^✗ log proof NOT verified in this browser \((ROOT_MISMATCH|INCLUSION_PROOF_INVALID)\)$/);
    expect(await attr(page, '[data-browser-log-count]', 'class')).toBe('badge failed');
    // The server's own verdict is unchanged: it never saw the tampered bundle.
    expect(await page.locator('li[data-step] [data-verified="true"]').count()).toBe(6);
    await shot(page, 'app-trail-tampered');
    await close();
  });

  it('a checkpoint missing a cosignature the quorum needs: the browser shows the quorum NOT met, the proofs still hold', async () => {
    const { page, close } = await trailOf(met.base, BAG_A);
    await tamperBundle(page, (bundle) => {
      bundle.log.proofs = bundle.log.proofs.map((p) => (p === null ? null : p.replace(/\u2014 [^\n]+\n$/, '')));
    });
    await verifyInBrowser(page);
    const n = Number((await attr(page, '[data-verification]', 'data-verification'))!.split('/')[1]);
    expect(await attr(page, '[data-browser-log-count]', 'data-browser-log-count')).toBe(`${n}/${n}`);
    expect(await attr(page, '[data-browser-checkpoint]', 'data-browser-quorum-met')).toBe('false');
    expect(await page.locator('[data-browser-checkpoint]').textContent()).toContain('witness quorum NOT met (QUORUM_NOT_MET)');
    await close();
  });

  it('finds a bag by its bare EPC, a manifest of one bag as that trail, a manifest of two as a list, and says when a label is mistyped', async () => {
    const { page, close } = await loggedIn(met.base);
    const search = async (q: string) => {
      await page.goto(`${met.base}/app/#/trail`);
      await page.getByLabel('Tag, QR label, bag id or manifest number').fill(q);
      await page.getByRole('button', { name: 'Search' }).click();
    };
    await search(BAG_A.slice(4).toUpperCase());
    await page.locator(`article[data-bag="${BAG_A}"]`).waitFor();

    await search(MANIFEST_T);
    await page.locator(`article[data-bag="${BAG_T}"]`).waitFor();
    expect(await all(page, 'li[data-step]', 'data-step')).toEqual(['sealed', 'picked-up']);
    expect(await page.locator('li[data-step="picked-up"] [data-weight]').textContent()).toBe('598 g');
    // Committed after the checkpoint: leaves of the log beyond the checkpoint's tree, so not yet provable.
    expect((await all(page, 'li[data-step] [data-leaf]', 'data-leaf')).every((leaf) => Number(leaf) >= size)).toBe(true);
    await verifyInBrowser(page);
    expect(await page.locator('li[data-step] [data-browser-log="pending"]').count()).toBe(2);
    expect(await page.locator('li[data-step] [data-browser-verified="true"]').count()).toBe(2);

    await search(MANIFEST_AB);
    await page.locator('[data-manifest-bags]').waitFor();
    expect(await page.locator('[data-manifest-bags] h2').textContent()).toBe(`Bags on manifest ${MANIFEST_AB}`);
    expect((await all(page, '[data-manifest-bags] [data-bag-link]', 'data-bag-link')).sort()).toEqual([BAG_A, BAG_B].sort());
    await page.locator(`[data-bag-link="${BAG_B}"] a`).click();
    await page.locator(`article[data-bag="${BAG_B}"]`).waitFor();
    // Its seal was amended later (the category): the step says by which record and why.
    expect(await page.locator('li[data-step="sealed"] [data-amended]').textContent()).toBe('Amended by hz-h001-ref-01 #7: category chosen wrongly at sealing: bag holds sharps only');

    await search('WT1.H330106.ONC.I250314.42X');
    await page.locator('[data-failure]').waitFor();
    expect(await page.locator('[data-failure] p').textContent()).toBe('This label does not decode: a character is mistyped or two are swapped.');
    // Chromium logs the API's 400 (LABEL_INVALID) as a console error: provoked on purpose, and the only one.
    const refusal = consoleErrors.findIndex((e) => /status of 400 \(Bad Request\)$/.test(e));
    expect(refusal).toBeGreaterThanOrEqual(0);
    consoleErrors.splice(refusal, 1);
    await close();
  });

  it('lists a voided step with what voided it, and an anomaly in red (a second seal: about a record that is no step, so under Anomalies)', async () => {
    const { context, page, close } = await trailOf(met.base, BAG_VOIDED);
    const voided = (await (await context.request.get(`${met.base}/api/v1/bags/${encodeURIComponent(BAG_VOIDED)}`)).json()) as { steps: { step: string }[]; voided: { by: { seq: number } }[] };
    expect(await all(page, 'li[data-step]', 'data-step')).toEqual(voided.steps.map((s) => s.step));
    expect(await page.locator('[data-state]').textContent()).toBe('Sealed');
    expect(voided.voided).toHaveLength(1);
    expect(await page.locator('[data-voided] li').textContent()).toMatch(new RegExp(`^Picked up · .+ · voided by hz-h001-kiosk-09 #${voided.voided[0]!.by.seq}: scanned onto the wrong vehicle$`));

    await page.goto(`${met.base}/app/#/trail?q=${encodeURIComponent(BAG_TWICE)}`);
    await page.locator(`article[data-bag="${BAG_TWICE}"]`).waitFor();
    const twice = (await (await context.request.get(`${met.base}/api/v1/bags/${encodeURIComponent(BAG_TWICE)}`)).json()) as { anomalies: { kind: string; message: string }[] };
    expect(twice.anomalies.map((a) => a.kind)).toEqual(['DUPLICATE_SEAL']);
    const anomaly = page.locator('[data-anomalies] [data-anomaly="DUPLICATE_SEAL"]');
    expect(await anomaly.textContent()).toContain(`Sealed twice: ${twice.anomalies[0]!.message}`);
    // Run in the page: the browser's getComputedStyle (this file compiles without the DOM's types).
    expect(await anomaly.evaluate((e) => (globalThis as unknown as { getComputedStyle(el: unknown): { color: string } }).getComputedStyle(e).color)).toBe('rgb(198, 40, 40)');
    expect(await all(page, 'li[data-step]', 'data-step')).toEqual(['sealed']);
    await shot(page, 'app-trail-anomaly');
    await close();
  });

  it('in Chinese, on a server whose quorum no checkpoint meets: the trail and the browser say so', async () => {
    const { page, close } = await trailOf(unmet.base, BAG_A, 'zh-CN');
    expect(await page.locator('h1').textContent()).toBe('医废袋追溯');
    expect(await page.locator('li[data-step="sealed"] h3').textContent()).toBe('1. 封袋');
    expect(await page.locator('li[data-step="sealed"]').textContent()).toContain('签名已验证');
    expect(await attr(page, '[data-checkpoint]', 'data-quorum-met')).toBe('false');
    expect(await attr(page, '[data-checkpoint]', 'class')).toBe('badge failed');
    expect(await page.locator('[data-checkpoint]').textContent()).toBe(`树大小 ${size} · 未达到见证联署法定数：3 个见证方中 2 个联署，法定数 3`);
    expect(await page.locator('li[data-step="sealed"] [data-leaf]').textContent()).toMatch(/^日志叶 #\d+$/);
    await verifyInBrowser(page);
    expect(await page.locator('li[data-step="sealed"] [data-browser-verified]').textContent()).toBe('✓ 本浏览器已验证');
    expect(await page.locator('[data-browser-checkpoint]').textContent()).toContain('未达到见证法定数（QUORUM_NOT_MET）');
    await shot(page, 'app-trail-zh');
    // Back to English from the header, without a reload.
    await page.locator('#lang-switch').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bag trail');
    expect(await page.locator('li[data-step="sealed"] h3').textContent()).toBe('1. Sealed');
    await close();
  });

  it('works on a phone screen with the keyboard only, and never scrolls sideways', async () => {
    const { context, page } = await openPage(browser, consoleErrors, 'en-US', { timeout: 15_000, viewport: { width: 390, height: 844 } });
    await page.goto(`${met.base}/app/#/login`);
    await page.locator('#login-username').focus();
    await page.keyboard.type('demo-hospital');
    await page.keyboard.press('Tab');
    await page.keyboard.type('demo-pass-hospital');
    await page.keyboard.press('Enter');
    await page.locator('[data-logout]').waitFor();
    // The trail from a bookmark: its search box has the focus.
    await page.goto(`${met.base}/app/#/trail`);
    await page.locator('#trail-q:focus').waitFor();
    await page.keyboard.type(BAG_A);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Search');
    await page.keyboard.press('Enter');
    await page.locator('li[data-step="disposed"]').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    await page.locator('[data-verify-browser]').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-browser-count]').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    await shot(page, 'app-trail-phone');
    await context.close();
  });

  it('refuses the trail to the public role, which has no menu entry for it', async () => {
    const { page, close } = await loggedIn(met.base, 'en-US', 'public');
    await page.goto(`${met.base}/app/#/trail?q=${encodeURIComponent(BAG_A)}`);
    await page.locator('[data-refusal]').waitFor();
    expect(await page.locator('[data-refusal]').textContent()).toContain('A Public account may not see this page.');
    expect(await page.locator('li[data-step]').count()).toBe(0);
    expect(await page.locator('header nav').textContent()).not.toContain('Bag trail');
    await shot(page, 'app-trail-refusal-public');
    await close();
  });

  it('logged no console or page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
