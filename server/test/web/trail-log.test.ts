/**
 * The verifiable log on a bag's trail, in chromium: each record's leaf index and the checkpoint the
 * bag's bundle proves it in (size, cosigned by the witness quorum or not), in both languages; the
 * in-browser verifier checking every inclusion proof, the checkpoint's signature and the cosignatures,
 * and showing a tampered proof or a missing cosignature as failed.
 */
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosignatureLine, cosigner, ed25519KeyPairFromSeed, ed25519Signer, type NoteSigner } from '@wastetrail/firmware-protocol';
import type { ApiInstance } from '../../src/api/app.ts';
import { acceptCosignatures, loadLogKey, signCheckpoint, type LogKey } from '../../src/log/index.ts';
import type { SqliteStore } from '../../src/store/index.ts';
import { BAG_A } from '../bags/support.ts';
import { closeUi, launchChromium, logInAt, openGoldenStore, openPage, serveUi, shot } from './browser.ts';

const ORIGIN = 'log.wastetrail.example/web';
const witnessOf = (seed: number, name: string) => cosigner(name, ed25519Signer(ed25519KeyPairFromSeed(new Uint8Array(32).fill(seed)).privateKeyPem));
const W1 = witnessOf(41, 'witness.regulator.example/hz');
const W2 = witnessOf(42, 'witness.hospitals.example/zj');
const W3 = witnessOf(43, 'witness.public.example');

let dir: string, store: SqliteStore;
let key: LogKey;
let size: number;
let leaves: number[];
// The same store served twice: witnesses W1 and W2 with a quorum of 2 (met), and W1..W3 with a quorum of 3 (not met).
let met: { app: ApiInstance; base: string };
let unmet: { app: ApiInstance; base: string };
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  ({ dir, store } = await openGoldenStore('wt-web-log-'));
  key = loadLogKey(dir, ORIGIN);
  const { checkpoint } = await signCheckpoint(store, key, Date.now);
  size = checkpoint.size;
  const text = checkpoint.note.slice(0, checkpoint.note.indexOf('\n\n') + 1);
  const cosigned = checkpoint.note + [W1, W2].map((w: NoteSigner) => cosignatureLine(text, w, 1_772_000_000)).join('');
  expect(await acceptCosignatures(store, [W1, W2], cosigned, Date.now)).toMatchObject({ ok: true });
  const loaded = await store.recordsForTags([BAG_A]);
  leaves = (await store.logIndexes(loaded)).map((i) => i!);
  met = await serveUi(store, { log: { origin: ORIGIN, verifierKey: key.verifierKey, witnesses: [W1, W2], quorum: 2 } });
  unmet = await serveUi(store, { log: { origin: ORIGIN, verifierKey: key.verifierKey, witnesses: [W1, W2, W3], quorum: 3 } });
  browser = await launchChromium();
});

afterAll(async () => {
  await closeUi({ app: unmet?.app });
  await closeUi({ browser, app: met?.app, store, dir });
});

async function trailOf(base: string, locale = 'en-US'): Promise<{ page: Page; close: () => Promise<void> }> {
  const { context, page } = await openPage(browser, consoleErrors, locale, { timeout: 10_000 });
  await logInAt(page, `${base}/ui/`, 'demo-regulator', 'demo-pass-regulator');
  await page.goto(`${base}/ui/#/trail?q=${encodeURIComponent(BAG_A)}`);
  await page.locator('li[data-step]').first().waitFor();
  return { page, close: () => context.close() };
}

const verifyInBrowser = async (page: Page) => {
  await page.locator('[data-verify-browser]').click();
  await page.locator('[data-browser-log-count]').waitFor();
};

/** Serves the bag's bundle with `edit` applied to it, as a tampering server (or proxy) would. */
const tamperBundle = (page: Page, edit: (bundle: { log: { proofs: Array<string | null> } }) => void) =>
  page.route('**/api/v1/bags/*/bundle', async (route: Route) => {
    const response = await route.fetch();
    const bundle = (await response.json()) as { log: { proofs: Array<string | null> } };
    edit(bundle);
    await route.fulfill({ response, json: bundle });
  });

describe("the log on a bag's trail", () => {
  it("shows each record's leaf and the checkpoint cosigned by the quorum; the browser proves every record and the cosignatures", async () => {
    const { page, close } = await trailOf(met.base);
    const checkpoint = page.locator('[data-checkpoint]');
    expect(await checkpoint.getAttribute('data-checkpoint')).toBe(String(size));
    expect(await checkpoint.getAttribute('data-quorum-met')).toBe('true');
    expect(await checkpoint.textContent()).toBe(`tree size ${size} · cosigned by 2 of 2 witnesses (quorum 2)`);
    const shown = await page.locator('li[data-step] [data-leaf]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-leaf'))));
    expect(shown).toHaveLength(6);
    expect(shown.every((leaf) => leaves.includes(leaf))).toBe(true);
    expect(await page.locator('li[data-step="sealed"] [data-leaf]').textContent()).toMatch(/^log leaf #\d+$/);

    await verifyInBrowser(page);
    expect(await page.locator('[data-browser-log-count]').getAttribute('data-browser-log-count')).toBe('8/8');
    expect(await page.locator('li[data-step] [data-browser-log="true"]').count()).toBe(6);
    // The browser's leaf is the one the server showed.
    const proven = await page.locator('li[data-step] [data-browser-leaf]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-browser-leaf'))));
    expect(proven).toEqual(shown);
    const browserCheckpoint = page.locator('[data-browser-checkpoint]');
    expect(await browserCheckpoint.getAttribute('data-browser-checkpoint')).toBe(String(size));
    expect(await browserCheckpoint.getAttribute('data-browser-quorum-met')).toBe('true');
    expect(await browserCheckpoint.textContent()).toContain(`cosignatures of ${W2.name}, ${W1.name} verified (quorum 2)`);
    await shot(page, 'trail-log');
    await close();
  });

  it('a tampered inclusion proof shows as failed with its code; the other records still pass', async () => {
    const { page, close } = await trailOf(met.base);
    await tamperBundle(page, (bundle) => {
      const lines = bundle.log.proofs[0]!.split('\n');
      lines[2] = `${lines[2]![0] === 'A' ? 'B' : 'A'}${lines[2]!.slice(1)}`;
      bundle.log.proofs[0] = lines.join('\n');
    });
    await verifyInBrowser(page);
    expect(await page.locator('[data-browser-log-count]').getAttribute('data-browser-log-count')).toBe('7/8');
    expect(await page.locator('[data-browser-log-count]').getAttribute('class')).toBe('badge failed');
    const failed = page.locator('[data-browser-log="false"]');
    expect(await failed.count()).toBe(1);
    expect(await failed.textContent()).toMatch(/log proof NOT verified in this browser \((ROOT_MISMATCH|INCLUSION_PROOF_INVALID)\)/);
    await close();
  });

  it('a checkpoint missing a cosignature the quorum needs: the browser shows the quorum NOT met', async () => {
    const { page, close } = await trailOf(met.base);
    // Every proof's checkpoint loses its last cosignature line.
    await tamperBundle(page, (bundle) => {
      bundle.log.proofs = bundle.log.proofs.map((p) => (p === null ? null : p.replace(/\u2014 [^\n]+\n$/, '')));
    });
    await verifyInBrowser(page);
    expect(await page.locator('[data-browser-log-count]').getAttribute('data-browser-log-count')).toBe('8/8');
    const browserCheckpoint = page.locator('[data-browser-checkpoint]');
    expect(await browserCheckpoint.getAttribute('data-browser-quorum-met')).toBe('false');
    expect(await browserCheckpoint.textContent()).toContain('witness quorum NOT met (QUORUM_NOT_MET)');
    await close();
  });

  it('a server whose quorum no checkpoint meets says so on the trail, in Chinese too', async () => {
    const { page, close } = await trailOf(unmet.base, 'zh-CN');
    const checkpoint = page.locator('[data-checkpoint]');
    expect(await checkpoint.getAttribute('data-quorum-met')).toBe('false');
    expect(await checkpoint.getAttribute('class')).toBe('badge failed');
    expect(await checkpoint.textContent()).toBe(`树大小 ${size} · 未达到见证联署法定数：3 个见证方中 2 个联署，法定数 3`);
    expect(await page.locator('li[data-step="sealed"] [data-leaf]').textContent()).toMatch(/^日志叶 #\d+$/);
    expect(await page.getByText('日志检查点').count()).toBe(1);
    await verifyInBrowser(page);
    expect(await page.locator('[data-browser-checkpoint]').textContent()).toContain('未达到见证法定数（QUORUM_NOT_MET）');
    await shot(page, 'trail-log-zh');
    await close();
  });

  it('logged no console or page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
