import { describe, expect, it } from 'vitest';
import { crc16Mcrf4xx } from '../../src/crc/crc16-mcrf4xx.ts';
import { hex } from './bytes.ts';

describe('CRC-16/MCRF4XX', () => {
  it('gives the catalogue check value for "123456789"', () => {
    expect(crc16Mcrf4xx(new TextEncoder().encode('123456789'))).toBe(0x6f91);
  });

  it('is the preset for no bytes', () => {
    expect(crc16Mcrf4xx(new Uint8Array(0))).toBe(0xffff);
  });

  it('matches the CRC bytes of the Chafon command vectors (low byte first on the wire)', () => {
    expect(crc16Mcrf4xx(hex('04 FF 01'))).toBe(0xb41b);
    expect(crc16Mcrf4xx(hex('04 FF 21'))).toBe(0x9519);
  });

  it('covers only the requested range', () => {
    const bytes = hex('AA 04 FF 01 BB');
    expect(crc16Mcrf4xx(bytes, 1, 4)).toBe(0xb41b);
  });
});
