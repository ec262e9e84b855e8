/**
 * The browser tests' transport world: the golden store continued by the reference device (hz-h001) with
 * two transfer manifests signed today on Hangzhou's clock, both on Clean Transport's vehicle to the
 * disposal centre. HZ-UI-0001: issued, picked up, received with one of its two bags refused (leaking),
 * closed. HZ-UI-0002: issued and picked up, not received yet (its bag is on the way). The manifest
 * rule's alert for the refusal is open at hz-h001.
 */
import { ed25519KeyPairFromSeed, ed25519Signer, GENESIS_PREV, signRecord, type CustodyEvent, type DecodedRecord } from '@wastetrail/firmware-protocol';
import { BagProjection } from '../../../src/bags/index.ts';
import { ManifestProjection } from '../../../src/manifests/index.ts';
import { renderAlertMessage } from '../../../src/rules/index.ts';
import type { SqliteStore } from '../../../src/store/index.ts';
import { VECTOR_DEVICE, VECTOR_SEEDS } from '../../../../firmware-protocol/test/vectors/build.ts';
import { accepted, goldenChain, newRecord } from '../../bags/support.ts';
import { openAlertAtH001, openGoldenStore } from '../browser.ts';

export const M = 'HZ-UI-0001';
export const M2 = 'HZ-UI-0002';
export const PLATE = '浙A00001';
export const X = 'epc:3074257bf7194e4000005001';
export const Y = 'epc:3074257bf7194e4000005002';
export const Z = 'epc:3074257bf7194e4000005003';
/** The golden keyring's disposal-centre device (hz-d001). */
const FURNACE = 'hz-d001-furnace-01';
const g = (value: number) => ({ value, unit: 'g' as const });

/** Six moments a minute apart, today on Hangzhou's clock, a few minutes ago (never before its midnight). */
function signingTimes(): string[] {
  const now = Date.now();
  const midnight = Date.parse(`${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(now))}T00:00:00+08:00`);
  const start = Math.max(midnight + 60_000, now - 40 * 60_000);
  return [0, 1, 2, 3, 4, 5].map((i) => new Date(Math.min(now, start + i * 60_000)).toISOString());
}

export async function openTransportWorld(prefix: string): Promise<{ dir: string; store: SqliteStore }> {
  const { dir, store } = await openGoldenStore(prefix);
  await store.upsertTransportCompany({ id: 'hz-t001', licence: 'ZJ-WT-0001' });
  await store.upsertVehicle({ id: 'hz-t001-v1', company: 'hz-t001', plate: PLATE });
  const [issued, picked, issued2, picked2, received, closed] = signingTimes();
  const events: Array<[string, CustodyEvent]> = [
    [issued!, { type: 'manifest-issued', body: { manifest: M, version: 1, producer: 'hz-h001', transporter: 'hz-t001', receiver: 'hz-d001', vehicle: PLATE, bags: [{ tag: X, category: 'infectious', weight: g(2400) }, { tag: Y, category: 'sharps', weight: g(900) }], weight: g(3300), issuer: 'badge-0207' } }],
    [picked!, { type: 'picked-up', body: { bags: [{ tag: X }, { tag: Y }], weight: g(3300), giver: 'badge-0207', crew: 'crew-5501', vehicle: PLATE, manifest: M } }],
    [issued2!, { type: 'manifest-issued', body: { manifest: M2, version: 1, producer: 'hz-h001', transporter: 'hz-t001', receiver: 'hz-d001', vehicle: PLATE, bags: [{ tag: Z, category: 'infectious', weight: g(1500) }], weight: g(1500), issuer: 'badge-0207' } }],
    [picked2!, { type: 'picked-up', body: { bags: [{ tag: Z }], weight: g(1500), giver: 'badge-0207', crew: 'crew-5501', vehicle: PLATE, manifest: M2 } }],
    [received!, { type: 'manifest-received', body: { manifest: M, vehicle: PLATE, accepted: [{ tag: X, weight: g(2390) }], refused: [{ tag: Y, weight: g(905), reason: '包装破损 leaking' }], operator: 'op-7001' } }],
    [closed!, { type: 'manifest-closed', body: { manifest: M, outcome: 'processed', operator: 'op-7001' } }],
  ];
  // The producer's steps on the reference device; the receiver's on the disposal centre's furnace line.
  const signer = ed25519Signer(ed25519KeyPairFromSeed(VECTOR_SEEDS[VECTOR_DEVICE]).privateKeyPem);
  const furnace = ed25519Signer(ed25519KeyPairFromSeed(VECTOR_SEEDS[FURNACE]).privateKeyPem);
  let prev = goldenChain().at(-1)!;
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
  await new BagProjection({ store }).rebuildAll();
  // The alert the manifest rule raises for the refusal (the rule itself: test/rules/manifest.test.ts).
  const params = { manifest: M, institution: 'hz-h001', receiver: 'hz-d001', missing: 0, undeclared: 0, refused: 1, refusedKg: 0.9, weightPercent: 0, signatories: 0 };
  await store.insertAlert(
    openAlertAtH001(new Date(Date.now() - 600_000).toISOString(), { rule: 'manifest-discrepancy', dedupeKey: `manifest-discrepancy:manifest:${M}`, subject: `manifest:${M}`, messageKey: 'manifest-discrepancy', params, title: renderAlertMessage('manifest-discrepancy', params), severity: 'warning', currentSeverity: 'warning' }),
  );
  return { dir, store };
}
