import { describe, expect, it } from 'vitest';
import { parseScaleScript, parseScaleStep } from '../../src/scale/script.ts';

describe('scale script', () => {
  it('parses every step', () => {
    const r = parseScaleScript(
      ['# a bag', 'put 1234', 'put 1.5kg', 'PUT 250 g', '', 'wait 500', 'jitter 3', 'noise 20', 'zero', 'tare', 'overload', 'underload', 'remove  # done'].join('\n'),
    );
    expect(r).toEqual({
      ok: true,
      steps: [
        { op: 'put', grams: 1234 },
        { op: 'put', grams: 1500 },
        { op: 'put', grams: 250 },
        { op: 'wait', ms: 500 },
        { op: 'jitter', grams: 3 },
        { op: 'noise', bytes: 20 },
        { op: 'zero' },
        { op: 'tare' },
        { op: 'overload' },
        { op: 'underload' },
        { op: 'remove' },
      ],
    });
  });

  it('reports every error with its line number', () => {
    const r = parseScaleScript('put\nput 1.2345kg\nwait soon\nremove 3\nfly\nnoise 999999\nput 12 ct');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('a blank or comment line is nothing', () => {
    expect(parseScaleStep('   ')).toEqual({});
    expect(parseScaleStep('# put 5')).toEqual({});
  });
});
