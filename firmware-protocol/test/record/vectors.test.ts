import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, EVENT_TYPES, RECORD_ERROR_CODES, verifyChain, type SignedRecord } from '../../src/index.ts';
import { buildVectors } from '../vectors/build.ts';
import { invalidVectorNames, vectorContext, vectorLines, vectorRecords, VECTORS_DIR } from '../support.ts';

describe('golden vectors', () => {
  it('are exactly what build.ts produces (the format has not drifted)', () => {
    for (const [name, text] of buildVectors().files) {
      expect(readFileSync(join(VECTORS_DIR, name), 'utf8'), name).toBe(text);
    }
  });

  it('chain-valid.jsonl, chain-manifest.jsonl and chain-vehicle.jsonl: every event type between them, all accepted', () => {
    const typesOf = (file: string, device: string, atLeast: number) => {
      const records = vectorRecords(file);
      expect(records.length).toBeGreaterThanOrEqual(atLeast);
      const report = verifyChain(records, vectorContext());
      expect(report.failures).toEqual([]);
      expect(report.accepted).toBe(records.length);
      expect([...report.heads.keys()]).toEqual([device]);
      return records.map((r) => JSON.parse(new TextDecoder().decode(r.bytes)).type as string);
    };
    const custody = typesOf('chain-valid.jsonl', 'hz-h001-ref-01', 12);
    const vehicle = typesOf('chain-vehicle.jsonl', 'hz-t001-veh-01', 3);
    const manifest = vectorRecords('chain-manifest.jsonl').map((r) => JSON.parse(new TextDecoder().decode(r.bytes)).type as string);
    expect([...new Set([...custody, ...manifest, ...vehicle])].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('chain-manifest.jsonl continues the golden chain with every manifest record type, all accepted', () => {
    const records = [...vectorRecords('chain-valid.jsonl'), ...vectorRecords('chain-manifest.jsonl')];
    const report = verifyChain(records, vectorContext());
    expect(report.failures).toEqual([]);
    expect(report.accepted).toBe(records.length);
    const types = vectorRecords('chain-manifest.jsonl').map((r) => JSON.parse(new TextDecoder().decode(r.bytes)).type);
    expect(types).toEqual(EVENT_TYPES.filter((t) => t.startsWith('manifest-')));
    // On its own it does not start a chain: it is the continuation, not a second device.
    expect(verifyChain(vectorRecords('chain-manifest.jsonl'), vectorContext()).failures[0]?.code).toBe('SEQUENCE_GAP');
  });

  it('there is one invalid vector for every error code', () => {
    expect(invalidVectorNames().map((f) => f.replace('.jsonl', '')).sort()).toEqual([...RECORD_ERROR_CODES].sort());
  });

  for (const file of invalidVectorNames()) {
    const code = file.replace('.jsonl', '');
    it(`invalid/${file} fails first with ${code}`, () => {
      const records: SignedRecord[] = [];
      let envelopeError: string | undefined;
      for (const line of vectorLines(`invalid/${file}`)) {
        const r = decodeEnvelope(line);
        if (r.ok) records.push(r.value);
        else {
          envelopeError = r.error.code;
          break;
        }
      }
      const first = envelopeError ?? verifyChain(records, vectorContext()).failures[0]?.code;
      expect(first).toBe(code);
    });
  }
});
