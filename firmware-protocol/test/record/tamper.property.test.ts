/**
 * The promise of the format: change any byte of an exported chain (outside JSON whitespace), or drop,
 * duplicate or reorder a line, and verification fails.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, splitEnvelopeLines, verifyChain, type SignedRecord } from '../../src/index.ts';
import { vectorContext, vectorLines } from '../support.ts';

const ctx = vectorContext();
const lines = vectorLines('chain-valid.jsonl');
const exported = lines.join('\n') + '\n';

/** What `wastetrail verify` does with a file's text: any failure at all means the file is rejected. */
function verifies(text: string, expected = lines.length): boolean {
  const records: SignedRecord[] = [];
  for (const line of splitEnvelopeLines(text)) {
    const r = decodeEnvelope(line);
    if (!r.ok) return false;
    records.push(r.value);
  }
  const report = verifyChain(records, ctx);
  return report.failures.length === 0 && report.accepted === expected;
}

const isJsonWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const positions = [...exported].flatMap((c, i) => (isJsonWhitespace(c) ? [] : [i]));

describe('tamper evidence (property)', () => {
  it('the untouched export verifies', () => {
    expect(verifies(exported)).toBe(true);
  });

  it('any single changed byte outside whitespace is caught', () => {
    fc.assert(
      fc.property(fc.constantFrom(...positions), fc.integer({ min: 1, max: 255 }), (pos, delta) => {
        const bytes = Buffer.from(exported, 'latin1');
        bytes[pos] = (bytes[pos]! + delta) & 0xff;
        return !verifies(bytes.toString('latin1'));
      }),
      { numRuns: 3000 },
    );
  });

  it('every byte of a record, changed to every printable character, is caught (exhaustive, one-record export)', () => {
    const first = lines[0]!;
    expect(verifies(first, 1)).toBe(true);
    for (let pos = 0; pos < first.length; pos++) {
      for (let c = 0x21; c < 0x7f; c++) {
        if (first.charCodeAt(pos) === c) continue;
        const mutated = first.slice(0, pos) + String.fromCharCode(c) + first.slice(pos + 1);
        if (verifies(mutated, 1)) throw new Error(`changing byte ${pos} to ${String.fromCharCode(c)} went unnoticed`);
      }
    }
  }, 60_000);

  it('a dropped line (other than the last: see docs/protocol/record.md) is reported', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: lines.length - 2 }), (i) => !verifies(lines.filter((_, j) => j !== i).join('\n'))),
    );
  });

  it('a duplicated line is reported', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: lines.length - 1 }), (i) => !verifies([...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)].join('\n'))));
  });

  it('any reordering is reported', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }), (shuffled) => {
        fc.pre(shuffled.some((l, i) => l !== lines[i]));
        return !verifies(shuffled.join('\n'));
      }),
    );
  });
});
