/** The city's storage-room climate: a summer where every day is above 25 °C, cold rooms that hold, and one that fails. */
import { describe, expect, it } from 'vitest';
import { COLD_ROOM_TENTHS, outdoorTenths, storageRoomReading } from '../../src/city/climate.ts';
import { CITY_UTC_OFFSET_MS, HOUR_MS, MINUTE_MS } from '../../src/city/time.ts';

const MIDNIGHT = Date.parse('2026-07-20T00:00:00.000Z') - CITY_UTC_OFFSET_MS;
const every10min = (fromH: number, toH: number) => Array.from({ length: ((toH - fromH) * 60) / 10 }, (_, i) => MIDNIGHT + fromH * HOUR_MS + i * 10 * MINUTE_MS);

describe('city climate', () => {
  it('outdoors: 15 °C at 03:00, 33 °C at 15:00, so every day is above 25 °C', () => {
    expect(outdoorTenths(MIDNIGHT + 15 * HOUR_MS)).toBe(330);
    expect(outdoorTenths(MIDNIGHT + 3 * HOUR_MS)).toBe(150);
    expect(Math.max(...every10min(0, 24).map(outdoorTenths))).toBeGreaterThan(250);
  });

  it('a cold room that holds stays within 17.7-18.3 °C all day, well under the 20 °C limit', () => {
    const temps = every10min(0, 48).map((t) => storageRoomReading(t).temperature);
    expect(Math.min(...temps)).toBeGreaterThanOrEqual(COLD_ROOM_TENTHS - 3);
    expect(Math.max(...temps)).toBeLessThanOrEqual(COLD_ROOM_TENTHS + 3);
    for (const t of every10min(0, 24)) expect(storageRoomReading(t).humidity).toBeGreaterThanOrEqual(550);
  });

  it('a failed cold room passes 20 °C within the hour, holds about 24.5 °C, and cools back once repaired', () => {
    const failure = { fromMs: MIDNIGHT + 19 * HOUR_MS, toMs: MIDNIGHT + 31 * HOUR_MS };
    const at = (h: number) => storageRoomReading(MIDNIGHT + h * HOUR_MS, failure).temperature;
    expect(at(18.9)).toBeLessThan(200);
    expect(at(19.5)).toBeGreaterThanOrEqual(200);
    expect(at(24)).toBeGreaterThanOrEqual(242);
    expect(at(24)).toBeLessThanOrEqual(248);
    expect(at(32.1)).toBeLessThan(200);
  });
});
