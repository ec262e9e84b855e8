/**
 * A transfer manifest's records as the stations sign them, for the projection, store and rule tests:
 * hz-h001's storage room issues, the hz-t01 crew picks up (its `picked-up`), hz-d01 receives and closes.
 */
import { createHash } from 'node:crypto';
import type { CustodyEvent, WasteCategory } from '@wastetrail/firmware-protocol';
import type { TrailRecord } from '../../src/custody/index.ts';

export const PRODUCER = 'hz-h001';
export const TRANSPORTER = 'hz-t01';
export const RECEIVER = 'hz-d01';
export const PLATE = '浙A27819';
export const STORE_DEVICE = 'hz-h001-store-01';
export const INTAKE_DEVICE = 'hz-d01-intake-01';

export const g = (value: number) => ({ value, unit: 'g' as const });
export const bagTag = (n: number) => `epc:3074257bf7194e40000${String(n).padStart(5, '0')}`;

let seqs = new Map<string, number>();
export function resetSeqs(): void {
  seqs = new Map();
}

export function signed(device: string, institution: string, time: string, event: CustodyEvent): TrailRecord {
  const seq = (seqs.get(device) ?? 0) + 1;
  seqs.set(device, seq);
  const hash = createHash('sha256').update(`${device}/${seq}/${JSON.stringify(event)}`).digest('hex');
  return { device, seq, hash, time, institution, stations: [device === INTAKE_DEVICE ? 'disposal' : 'storage'], event };
}

export interface DeclaredBag {
  tag: string;
  category?: WasteCategory;
  grams: number;
}

export function issued(manifest: string, time: string, bags: readonly DeclaredBag[], over: { version?: number; reason?: string; vehicle?: string } = {}): TrailRecord {
  return signed(STORE_DEVICE, PRODUCER, time, {
    type: 'manifest-issued',
    body: {
      manifest,
      version: over.version ?? 1,
      producer: PRODUCER,
      transporter: TRANSPORTER,
      receiver: RECEIVER,
      vehicle: over.vehicle ?? PLATE,
      bags: bags.map((b) => ({ tag: b.tag, category: b.category ?? 'infectious', weight: g(b.grams) })),
      weight: g(bags.reduce((s, b) => s + b.grams, 0)),
      issuer: 'badge-0207',
      ...(over.reason !== undefined ? { reason: over.reason } : {}),
    },
  });
}

export function pickedUp(manifest: string, time: string, tags: readonly string[], grams: number): TrailRecord {
  return signed(STORE_DEVICE, PRODUCER, time, {
    type: 'picked-up',
    body: { bags: tags.map((tag) => ({ tag })), weight: g(grams), giver: 'badge-0207', crew: 'crew-5501', vehicle: PLATE, manifest },
  });
}

export function received(manifest: string, time: string, accepted: ReadonlyArray<[string, number]>, refused: ReadonlyArray<[string, number, string]> = []): TrailRecord {
  return signed(INTAKE_DEVICE, RECEIVER, time, {
    type: 'manifest-received',
    body: {
      manifest,
      vehicle: PLATE,
      accepted: accepted.map(([tag, grams]) => ({ tag, weight: g(grams) })),
      refused: refused.map(([tag, grams, reason]) => ({ tag, weight: g(grams), reason })),
      operator: 'op-7001',
    },
  });
}

export function closed(manifest: string, time: string, outcome: 'processed' | 'refused' = 'processed'): TrailRecord {
  return signed(INTAKE_DEVICE, RECEIVER, time, { type: 'manifest-closed', body: { manifest, outcome, operator: 'op-7001' } });
}

/** Three bags, 1000 + 800 + 1200 g, issued, picked up, received (the third refused), closed. */
export function partialRefusal(manifest = 'HZ2026030200017'): TrailRecord[] {
  const bags = [1, 2, 3].map((n, i) => ({ tag: bagTag(n), grams: [1000, 800, 1200][i]! }));
  return [
    issued(manifest, '2026-03-02T02:00:00.000Z', bags),
    pickedUp(manifest, '2026-03-02T02:30:00.000Z', bags.map((b) => b.tag), 3000),
    received(manifest, '2026-03-02T04:00:00.000Z', [[bagTag(1), 1004], [bagTag(2), 797]], [[bagTag(3), 1190, 'container leaking']]),
    closed(manifest, '2026-03-02T06:00:00.000Z'),
  ];
}
