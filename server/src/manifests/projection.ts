/**
 * The manifest projection: keeps the `manifests` table up to date. After a commit, every manifest a new
 * record names is rebuilt (buildManifest) from the records it was built from before plus the new ones,
 * so it ends the same whatever order the records arrived in.
 */
import type { Keyring } from '@wastetrail/firmware-protocol';
import { toTrailRecord, type TrailRecord } from '../custody/index.ts';
import { trailRecordOf } from '../bags/projection.ts';
import type { AcceptedRecord } from '../ingest/index.ts';
import type { CustodyStore, StoredRecord } from '../store/index.ts';
import { buildManifest, DEFAULT_MANIFEST_THRESHOLDS, manifestDiscrepancies, manifestOfEvent, type Manifest, type ManifestThresholds } from './manifest.ts';

/** Records per step of a full rebuild. */
const REBUILD_CHUNK = 2000;

const refKey = (r: { device: string; seq: number }) => `${r.device}\n${r.seq}`;

export interface ManifestProjectionOptions {
  store: CustodyStore;
  /** The thresholds in force at the producer (rule config); default e-Manifest's 10 % and 2 %. */
  thresholdsOf?: (institution: string) => ManifestThresholds;
}

export class ManifestProjection {
  private readonly store: CustodyStore;
  private thresholdsOf: (institution: string) => ManifestThresholds;
  private keyring: Keyring | undefined;

  constructor(options: ManifestProjectionOptions) {
    this.store = options.store;
    this.thresholdsOf = options.thresholdsOf ?? (() => DEFAULT_MANIFEST_THRESHOLDS);
  }

  setThresholds(thresholdsOf: (institution: string) => ManifestThresholds): void {
    this.thresholdsOf = thresholdsOf;
  }

  async reloadKeyring(): Promise<void> {
    this.keyring = await this.store.keyring();
  }

  /** The manifests a commit's records name, rebuilt and stored. */
  async projectAccepted(records: readonly AcceptedRecord[]): Promise<Manifest[]> {
    const fresh: TrailRecord[] = [];
    for (const r of records) {
      if (manifestOfEvent({ type: r.record.type, body: r.record.body } as TrailRecord['event']) === undefined) continue;
      const device = (await this.device(r.record.device));
      if (device) fresh.push(toTrailRecord(r, device));
    }
    return this.project(fresh);
  }

  /** Rebuilds every manifest from every stored record; returns the records read. */
  async rebuildAll(): Promise<number> {
    let after = 0;
    let read = 0;
    for (;;) {
      const rows = await this.store.recordsAfter(after, REBUILD_CHUNK);
      if (rows.length === 0) return read;
      read += rows.length;
      after = rows.at(-1)!.id;
      await this.project(await this.trailRecords(rows.filter((r) => manifestOfEvent({ type: r.type, body: r.body } as TrailRecord['event']) !== undefined)));
    }
  }

  private async project(fresh: readonly TrailRecord[]): Promise<Manifest[]> {
    const byManifest = new Map<string, TrailRecord[]>();
    for (const r of fresh) {
      const m = manifestOfEvent(r.event)!;
      byManifest.set(m, [...(byManifest.get(m) ?? []), r]);
    }
    const out: Manifest[] = [];
    for (const [code, added] of [...byManifest].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const known = new Map(added.map((r) => [refKey(r), r]));
      const before = (await this.store.manifest(code))?.records ?? [];
      const missing = before.filter((ref) => !known.has(refKey(ref)));
      const stored = (await Promise.all(missing.map((ref) => this.store.recordAt(ref.device, ref.seq)))).filter((r): r is StoredRecord => r !== undefined);
      const all = [...added, ...(await this.trailRecords(stored))];
      const built = buildManifest(code, all);
      if (!built) continue;
      // The producer's thresholds judge it (the rule uses the same ones).
      const m = built.producer === null ? built : { ...built, discrepancies: manifestDiscrepancies(built, this.thresholdsOf(built.producer)) };
      out.push(m);
    }
    await this.store.upsertManifests(out);
    return out;
  }

  private async device(id: string) {
    if (!this.keyring || !this.keyring.devices.has(id)) await this.reloadKeyring();
    return this.keyring!.devices.get(id);
  }

  private async trailRecords(rows: readonly StoredRecord[]): Promise<TrailRecord[]> {
    const out: TrailRecord[] = [];
    for (const r of rows) {
      const device = await this.device(r.device);
      if (device) out.push(trailRecordOf(r, device));
    }
    return out;
  }
}
