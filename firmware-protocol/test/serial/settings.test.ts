import { describe, expect, it } from 'vitest';
import { checkSerialLineSettings, SCALE_LINE_DEFAULTS, scaleSerialSettings } from '../../src/scale/index.ts';

describe('scale serial settings', () => {
  it('defaults per protocol', () => {
    expect(SCALE_LINE_DEFAULTS['mt-sics']).toEqual({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    expect(SCALE_LINE_DEFAULTS.xk3190).toEqual({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    expect(SCALE_LINE_DEFAULTS.and).toMatchObject({ dataBits: 7, parity: 'even' });
  });

  it('overrides on top of the defaults, undefined ones ignored', () => {
    expect(scaleSerialSettings('and', '/dev/ttyUSB0', { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: undefined })).toEqual({
      ok: true,
      value: { path: '/dev/ttyUSB0', protocol: 'and', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
    });
  });

  it('says what is wrong', () => {
    expect(checkSerialLineSettings({ baudRate: 9600.5, dataBits: 9, parity: 'mark', stopBits: 1.5 })).toHaveLength(4);
    expect(checkSerialLineSettings({})).toEqual([]);
    const r = scaleSerialSettings('xk3190', '/dev/ttyS0', { dataBits: 6 as 7 });
    expect(r).toMatchObject({ ok: false, error: { message: expect.stringContaining('dataBits') } });
    expect(scaleSerialSettings('modbus' as 'and', '/dev/ttyS0').ok).toBe(false);
    expect(scaleSerialSettings('and', '').ok).toBe(false);
  });
});
