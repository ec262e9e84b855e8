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

  it('chain-valid.jsonl: one device, every event type, at least 12 records, all accepted', () => {
    const records = vectorRecords('chain-valid.jsonl');
    expect(records.length).toBeGreaterThanOrEqual(12);
    const report = verifyChain(records, vectorContext());
    expect(report.failures).toEqual([]);
    expect(report.accepted).toBe(records.length);
    const types = new Set(records.map((r) => JSON.parse(new TextDecoder().decode(r.bytes)).type));
    expect([...types].sort()).toEqual(EVENT_TYPES.filter((t) => !t.startsWith('manifest-')).sort());
    expect([...report.heads.keys()]).toEqual(['hz-h001-ref-01']);
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
