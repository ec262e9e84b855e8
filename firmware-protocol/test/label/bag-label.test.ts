import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBagLabel, encodeBagLabel, tagIdFromBagLabel, type BagLabel } from '../../src/label/bag-label.ts';
import { hasValidLabelCheck, labelCheckCharacter } from '../../src/label/check-character.ts';
import { TAG_ID_PATTERN, WASTE_CATEGORIES } from '../../src/record/events.ts';

/** The worked examples of docs/protocol/label.md. */
const EXAMPLES: { label: BagLabel; payload: string }[] = [
  { label: { institution: 'H330106', department: 'ONC', category: 'infectious', date: '2025-03-14', serial: '42' }, payload: 'WT1.H330106.ONC.I250314.42R' },
  { label: { institution: 'H330106', department: 'LAB', category: 'chemical', date: '2024-02-29', serial: '7' }, payload: 'WT1.H330106.LAB.C240229.7U' },
  { label: { institution: 'H330106', department: 'PHA', category: 'pharmaceutical', date: '2025-01-02', serial: '1' }, payload: 'WT1.H330106.PHA.D250102.1X' },
  { label: { institution: 'H330106', department: 'PAT', category: 'pathological', date: '2025-01-02', serial: '1' }, payload: 'WT1.H330106.PAT.P250102.13' },
  {
    label: { institution: '12330100470116614X', department: 'ICU2', category: 'sharps', date: '2025-12-31', serial: '00000123' },
    payload: 'WT1.12330100470116614X.ICU2.S251231.00000123O',
  },
];

describe('ISO 7064 MOD 37-2 check character', () => {
  it('agrees with the standard on data without the separator', () => {
    // The MOD 37-2 example published with python-stdnum's iso7064 module.
    expect(labelCheckCharacter('G123498654321')).toBe('H');
    expect(hasValidLabelCheck('G123498654321H')).toBe(true);
  });

  it('writes the value 36 as "*", and a label ending in "*" decodes', () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.';
    const checks = new Set([...alphabet].map((c) => labelCheckCharacter(`WT1.${c}`)));
    expect(checks.size).toBe(37);
    expect(checks.has('*') && !checks.has('.')).toBe(true);
    const starred = Array.from({ length: 100 }, (_, n) => encodeBagLabel({ institution: 'H1', department: 'D', category: 'sharps', date: '2025-01-01', serial: String(n) }))
      .map((r) => (r.ok ? r.value : ''))
      .find((p) => p.endsWith('*'));
    expect(starred && decodeBagLabel(starred).ok).toBe(true);
  });

  it('refuses characters outside the label alphabet', () => {
    expect(labelCheckCharacter('wt1')).toBeUndefined();
    expect(labelCheckCharacter('WT1-')).toBeUndefined();
  });
});

describe('bag label payload', () => {
  it.each(EXAMPLES)('$payload', ({ label, payload }) => {
    expect(encodeBagLabel(label)).toEqual({ ok: true, value: payload });
    expect(decodeBagLabel(payload)).toEqual({ ok: true, value: label });
    expect(tagIdFromBagLabel(payload)).toEqual({ ok: true, value: `qr:${payload}` });
  });

  it('has one category letter per waste category', () => {
    for (const category of WASTE_CATEGORIES) {
      const encoded = encodeBagLabel({ institution: 'H1', department: 'D', category, date: '2025-01-01', serial: '1' });
      expect(encoded.ok && decodeBagLabel(encoded.value)).toMatchObject({ ok: true, value: { category } });
    }
  });

  it('stays within QR alphanumeric mode and a version 3 symbol', () => {
    const longest = encodeBagLabel({ institution: 'Z'.repeat(18), department: '9'.repeat(10), category: 'sharps', date: '2099-12-31', serial: '99999999' });
    expect(longest.ok && longest.value.length).toBe(51);
    expect(longest.ok && /^[0-9A-Z $%*+\-./:]+$/.test(longest.value)).toBe(true);
  });

  it('refuses bad fields on encoding, naming the field', () => {
    const good: BagLabel = { institution: 'H330106', department: 'ONC', category: 'infectious', date: '2025-03-14', serial: '42' };
    const fieldOf = (change: Partial<BagLabel>) => {
      const r = encodeBagLabel({ ...good, ...change } as BagLabel);
      return r.ok ? 'ok' : `${r.error.code} ${r.error.field}`;
    };
    expect(fieldOf({ institution: 'h330106' })).toBe('BAD_FIELD institution');
    expect(fieldOf({ institution: 'H-33' })).toBe('BAD_FIELD institution');
    expect(fieldOf({ institution: 'A'.repeat(19) })).toBe('BAD_FIELD institution');
    expect(fieldOf({ department: '' })).toBe('BAD_FIELD department');
    expect(fieldOf({ department: 'ONC.2' })).toBe('BAD_FIELD department');
    expect(fieldOf({ category: 'radioactive' as BagLabel['category'] })).toBe('BAD_FIELD category');
    expect(fieldOf({ category: 'toString' as BagLabel['category'] })).toBe('BAD_FIELD category');
    expect(fieldOf({ date: '2025-02-29' })).toBe('BAD_FIELD date');
    expect(fieldOf({ date: '1999-12-31' })).toBe('BAD_FIELD date');
    expect(fieldOf({ date: '2025-3-14' })).toBe('BAD_FIELD date');
    expect(fieldOf({ serial: '123456789' })).toBe('BAD_FIELD serial');
    expect(fieldOf({ serial: 'A1' })).toBe('BAD_FIELD serial');
  });

  it('refuses payloads with a typed error', () => {
    const codeOf = (payload: string) => {
      const r = decodeBagLabel(payload);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(codeOf('https://example.org/bag/1')).toBe('NOT_A_LABEL');
    expect(codeOf('')).toBe('NOT_A_LABEL');
    expect(codeOf('WT')).toBe('NOT_A_LABEL');
    expect(codeOf('WT2.H330106.ONC.I250314.42R')).toBe('UNKNOWN_VERSION');
    expect(codeOf('WT1.H330106.ONC.I250314.42S')).toBe('BAD_CHECK');
    expect(codeOf('WT1.H330106.onc.I250314.42R')).toBe('BAD_CHARACTER');
    expect(codeOf('WT1.H330106.ONC.I250314.42.')).toBe('BAD_CHARACTER');
    expect(codeOf(`WT1.${'A'.repeat(60)}`)).toBe('NOT_A_LABEL');
    // Well-formed and correctly checked, but not a calendar day or not five parts.
    const withCheck = (data: string) => data + labelCheckCharacter(data)!;
    expect(codeOf(withCheck('WT1.H330106.ONC.I250230.42'))).toBe('BAD_FIELD');
    expect(codeOf(withCheck('WT1.H330106.ONC.X250314.42'))).toBe('BAD_FIELD');
    expect(codeOf(withCheck('WT1.H330106.ONC.I250314'))).toBe('BAD_FIELD');
    expect(codeOf(withCheck('WT1.H330106.ONC.I250314.42.1'))).toBe('BAD_FIELD');
    expect(codeOf(withCheck('WT1.H330106..I250314.42'))).toBe('BAD_FIELD');
  });

  it('gives tag ids that fit custody records', () => {
    for (const { payload } of EXAMPLES) expect(TAG_ID_PATTERN.test(`qr:${payload}`)).toBe(true);
    expect(tagIdFromBagLabel('WT1.H330106.ONC.I250314.42S')).toMatchObject({ ok: false, error: { code: 'BAD_CHECK' } });
  });
});

describe('bag label: mistyped and swapped characters', () => {
  const alnum = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9A-Z]{${min},${max}}$`));
  const labels = fc.record({
    institution: alnum(1, 18),
    department: alnum(1, 10),
    category: fc.constantFrom(...WASTE_CATEGORIES),
    date: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    serial: fc.stringMatching(/^[0-9]{1,8}$/),
  });
  const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));

  it('round-trips every valid label', () => {
    fc.assert(
      fc.property(labels, (label) => {
        const payload = encodeBagLabel(label);
        expect(payload.ok && decodeBagLabel(payload.value)).toEqual({ ok: true, value: label });
      }),
    );
  });

  it('refuses every single-character substitution and every adjacent transposition', () => {
    fc.assert(
      fc.property(labels, (label) => {
        const encoded = encodeBagLabel(label);
        if (!encoded.ok) throw new Error(encoded.error.message);
        const payload = encoded.value;
        for (let i = 0; i < payload.length; i++) {
          for (const c of PRINTABLE) {
            if (c === payload[i]) continue;
            const typo = payload.slice(0, i) + c + payload.slice(i + 1);
            if (decodeBagLabel(typo).ok) throw new Error(`accepted ${typo} for ${payload}`);
          }
          if (i + 1 < payload.length && payload[i] !== payload[i + 1]) {
            const swapped = payload.slice(0, i) + payload[i + 1] + payload[i] + payload.slice(i + 2);
            if (decodeBagLabel(swapped).ok) throw new Error(`accepted ${swapped} for ${payload}`);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
