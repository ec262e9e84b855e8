/**
 * Transfer manifests in a real browser (Debian's chromium through playwright-core), on the API app with
 * the UI's routes and a real SQLite store: the golden chain continued by the reference device with one
 * manifest of hz-h001 carried on Clean Transport's vehicle to the disposal centre, one bag refused. The
 * regulator finds it in the list and reads its signatures in order, per-bag weights and the refusal, in
 * both languages; the transport crew's phone view shows today's manifest at phone width; the public has
 * no manifests. Screenshots: test-artifacts/web/manifest-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519KeyPairFromSeed, ed25519Signer, GENESIS_PREV, signRecord, type CustodyEvent, type DecodedRecord } from '@wastetrail/firmware-protocol';
import type { ApiInstance } from '../../src/api/app.ts';
import { ManifestProjection } from '../../src/manifests/index.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { VECTOR_DEVICE, VECTOR_SEEDS } from '../../../firmware-protocol/test/vectors/build.ts';
import { accepted, goldenChain, newRecord } from '../bags/support.ts';
import { renderAlertMessage } from '../../src/rules/index.ts';
import { closeUi, launchChromium, logInAt, openAlertAtH001, openGoldenStore, openPage, serveUi, shot } from './browser.ts';

const M = 'HZ-UI-0001';
/** The golden keyring's disposal-centre device (hz-d001). */
const FURNACE = 'hz-d001-furnace-01';
const PLATE = '浙A00001';
const X = 'epc:3074257bf7194e4000005001';
const Y = 'epc:3074257bf7194e4000005002';
const g = (value: number) => ({ value, unit: 'g' as const });

let dir: string, store: SqliteStore;
let app: ApiInstance, base: string;
let browser: Browser;
const consoleErrors: string[] = [];

/** Today on Hangzhou's clock, a few minutes ago (never before its midnight): the crew view's "today". */
function signingTimes(): string[] {
  const now = Date.now();
  const midnight = Date.parse(`${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(now))}T00:00:00+08:00`);
  const start = Math.max(midnight + 60_000, now - 40 * 60_000);
  return [0, 1, 2, 3].map((i) => new Date(Math.min(now, start + i * 60_000)).toISOString());
}

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-web-manifest-'));
  await store.upsertTransportCompany({ id: 'hz-t001', licence: 'ZJ-WT-0001' });
  await store.upsertVehicle({ id: 'hz-t001-v1', company: 'hz-t001', plate: PLATE });
  // The reference device (all stations, hz-h001) continues the golden chain with the manifest's steps.
  const signer = ed25519Signer(ed25519KeyPairFromSeed(VECTOR_SEEDS[VECTOR_DEVICE]).privateKeyPem);
  const chain = goldenChain();
  const [issued, picked, received, closed] = signingTimes();
  const events: Array<[string, CustodyEvent]> = [
    [issued!, { type: 'manifest-issued', body: { manifest: M, version: 1, producer: 'hz-h001', transporter: 'hz-t001', receiver: 'hz-d001', vehicle: PLATE, bags: [{ tag: X, category: 'infectious', weight: g(2400) }, { tag: Y, category: 'sharps', weight: g(900) }], weight: g(3300), issuer: 'badge-0207' } }],
    [picked!, { type: 'picked-up', body: { bags: [{ tag: X }, { tag: Y }], weight: g(3300), giver: 'badge-0207', crew: 'crew-5501', vehicle: PLATE, manifest: M } }],
    [received!, { type: 'manifest-received', body: { manifest: M, vehicle: PLATE, accepted: [{ tag: X, weight: g(2390) }], refused: [{ tag: Y, weight: g(905), reason: '包装破损 leaking' }], operator: 'op-7001' } }],
    [closed!, { type: 'manifest-closed', body: { manifest: M, outcome: 'processed', operator: 'op-7001' } }],
  ];
  // The producer's steps on the reference device; the receiver's on the disposal centre's furnace line.
  const furnace = ed25519Signer(ed25519KeyPairFromSeed(VECTOR_SEEDS[FURNACE]).privateKeyPem);
  let prev = chain.at(-1)!;
  let furnacePrev: DecodedRecord | undefined;
  const more: DecodedRecord[] = [];
  for (const [time, event] of events) {
    if (event.type === 'manifest-received' || event.type === 'manifest-closed') {
      const r = signRecord({ device: FURNACE, seq: (furnacePrev?.record.seq ?? 0) + 1, prev: furnacePrev?.hash ?? GENESIS_PREV, time, event }, furnace);
      more.push((furnacePrev = r));
      continue;
    }
    const r = signRecord({ device: VECTOR_DEVICE, seq: prev.record.seq + 1, prev: prev.hash, time, event }, signer);
    more.push(r);
    prev = accepted(r);
  }
  await store.appendRecords({ records: more.map((r) => newRecord(accepted(r))), quarantine: [], acks: [] });
  await new ManifestProjection({ store }).rebuildAll();
  // The alert the manifest rule raises for the refusal (the rule itself: test/rules/manifest.test.ts).
  const params = { manifest: M, institution: 'hz-h001', receiver: 'hz-d001', missing: 0, undeclared: 0, refused: 1, refusedKg: 0.9, weightPercent: 0, signatories: 0 };
  await store.insertAlert(
    openAlertAtH001(new Date(Date.now() - 600_000).toISOString(), { rule: 'manifest-discrepancy', dedupeKey: `manifest-discrepancy:manifest:${M}`, subject: `manifest:${M}`, messageKey: 'manifest-discrepancy', params, title: renderAlertMessage('manifest-discrepancy', params), severity: 'warning', currentSeverity: 'warning' }),
  );
  ({ app, base } = await serveUi(store));
  browser = await launchChromium();
});

afterAll(() => closeUi({ browser, app, store, dir }));

const newPage = (locale: string, viewport?: { width: number; height: number }) => openPage(browser, consoleErrors, locale, { timeout: 10_000, viewport });
const logIn = (page: Page, username: string, password: string) => logInAt(page, `${base}/ui/`, username, password);

describe('transfer manifests in the browser', () => {
  it('the regulator finds the manifest in the list, filtered, and reads it: parties, signatures in order, weights, the refusal', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.getByRole('link', { name: 'Manifests' }).click();
    const row = page.locator(`tr[data-manifest="${M}"]`);
    await row.waitFor();
    await expect(row.locator('[data-status]').textContent()).resolves.toBe('Processed');
    await expect(row.textContent()).resolves.toContain('1 bag(s) refused (0.905 kg)');
    // Filters: without a discrepancy it is gone; with one it is back.
    await page.selectOption('#m-discrepant', 'false');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('[data-manifests="0"]').waitFor();
    await page.selectOption('#m-discrepant', 'true');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator(`tr[data-manifest="${M}"] a`).click();

    const card = page.locator(`[data-manifest="${M}"][data-status="processed"]`);
    await card.waitFor();
    const text = (await card.textContent())!;
    expect(text).toContain('City Hospital No. 1 (hz-h001)');
    expect(text).toContain('Clean Transport (hz-t001)');
    expect(text).toContain('Disposal Centre (hz-d001)');
    expect(text).toContain(PLATE);
    expect(text).toContain('partial');
    // The receipt and the closing were signed at the disposal centre: the only discrepancy is the refusal.
    await expect(page.locator('[data-discrepancies]').getAttribute('data-discrepancies')).resolves.toBe('1');
    expect(await page.locator('[data-signatures] > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['issued', 'picked-up', 'received', 'closed']);
    await expect(page.locator('[data-signatures] > li').nth(1).textContent()).resolves.toContain('crew-5501');
    await expect(page.locator(`tr[data-bag="${Y}"]`).getAttribute('data-outcome')).resolves.toBe('refused');
    await expect(page.locator(`tr[data-bag="${Y}"]`).textContent()).resolves.toContain('包装破损 leaking');
    await expect(page.locator(`tr[data-bag="${X}"]`).textContent()).resolves.toContain('2.39 kg');
    await expect(page.locator('[data-discrepancy="refusal"]').textContent()).resolves.toContain('1 bag(s) refused');
    await expect(page.locator('[data-export="manifest"]').getAttribute('href')).resolves.toBe(`/api/v1/manifests/${M}/export.csv`);
    await shot(page, 'manifest-en');

    // The same page in Chinese.
    await page.locator('[data-lang-switch]').click();
    await page.getByRole('heading', { name: /转移联单/ }).first().waitFor();
    await expect(page.locator(`[data-manifest="${M}"] [data-status]`).first().textContent()).resolves.toBe('已处置');
    await expect(page.locator('[data-discrepancy="refusal"]').textContent()).resolves.toContain('拒收 1 袋');
    await expect(page.locator('[data-signatures] > li h3').first().textContent()).resolves.toContain('签发');
    await shot(page, 'manifest-zh');
    await context.close();
  });

  it("an alert about the manifest links to the manifest's page", async () => {
    const { context, page } = await newPage('zh-CN');
    await logIn(page, 'demo-regulator', 'demo-pass-regulator');
    await page.goto(`${base}/ui/#/alerts`);
    const link = page.locator('[data-manifest-link]');
    await link.waitFor();
    await expect(page.locator('article.alert-card').first().textContent()).resolves.toContain(`转移联单 ${M}（hz-h001 至 hz-d001）存在差异`);
    await link.click();
    await page.locator(`[data-manifest="${M}"][data-status="processed"]`).waitFor();
    await context.close();
  });

  it("the transport crew's phone view: today's manifest as a card at phone width, nothing cut off", async () => {
    const { context, page } = await newPage('zh-CN', { width: 390, height: 844 });
    await logIn(page, 'demo-transport', 'demo-pass-transport');
    await page.getByRole('link', { name: '今日联单' }).click();
    const card = page.locator(`li[data-manifest="${M}"]`);
    await card.waitFor();
    const text = (await card.textContent())!;
    expect(text).toContain('已处置');
    expect(text).toContain(PLATE);
    expect(text).toContain('申报 2 袋，接收 1 袋，拒收 1 袋');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(page, 'manifest-crew-phone');
    await card.getByRole('link', { name: M }).click();
    await page.locator('[data-signatures]').waitFor();
    await context.close();
  });

  it('the public has no manifests: no link, and the page is refused', async () => {
    const { context, page } = await newPage('en-US');
    await logIn(page, 'demo-public', 'demo-pass-public');
    await expect(page.getByRole('link', { name: 'Manifests' }).count()).resolves.toBe(0);
    await page.goto(`${base}/ui/#/manifests`);
    await page.locator('[data-refusal]').waitFor();
    await context.close();
  });

  it('no page logged an error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
