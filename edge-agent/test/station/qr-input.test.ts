import { encodeBagLabel } from '@wastetrail/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { qrInput } from '../../src/station/qr-input.ts';

describe('a QR scan as a station input', () => {
  it('our label becomes a tag with its category; anything else a refusal with the reason', () => {
    const label = encodeBagLabel({ institution: 'H330106', department: 'ONC', category: 'sharps', date: '2026-03-14', serial: '42' });
    if (!label.ok) throw new Error(label.error.message);
    const history = (tag: string) => (tag === `qr:${label.value}` ? (['sealed'] as const) : []);
    expect(qrInput(label.value, history)).toEqual({ kind: 'tag', tagId: `qr:${label.value}`, source: 'qr', history: ['sealed'], labelCategory: 'sharps' });
    const typo = label.value.slice(0, -1) + (label.value.endsWith('A') ? 'B' : 'A');
    expect(qrInput(typo, history)).toEqual({ kind: 'unreadable-label', reason: 'BAD_CHECK' });
    expect(qrInput('https://example.com', history)).toEqual({ kind: 'unreadable-label', reason: 'NOT_A_LABEL' });
  });
});
