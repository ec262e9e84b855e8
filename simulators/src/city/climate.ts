/**
 * The storage rooms' climate in the simulated city, as a pure function of the time: a summer in
 * Hangzhou (outdoors 15 °C at dawn to 33 °C mid-afternoon, so every day is above 25 °C) and cold rooms
 * held at about 18 °C, 55-65 %RH. A failed cold room warms towards 24.5 °C within the hour and cools
 * back as fast once repaired. Values in tenths, as the sensor registers hold them.
 */
import { CITY_UTC_OFFSET_MS, HOUR_MS, MINUTE_MS } from './time.ts';

export interface ClimateReadingTenths {
  temperature: number;
  humidity: number;
  outdoor: number;
}

/** Hours after the failure started (or ended) over which the room's temperature moves. */
const SWING_MS = HOUR_MS;
export const COLD_ROOM_TENTHS = 180;
export const FAILED_ROOM_TENTHS = 245;

/** The outdoor probe: peak at 15:00 local. */
export function outdoorTenths(utcMs: number): number {
  const hour = (((utcMs + CITY_UTC_OFFSET_MS) % (24 * HOUR_MS)) + 24 * HOUR_MS) % (24 * HOUR_MS) / HOUR_MS;
  return Math.round(240 + 90 * Math.cos(((hour - 15) / 24) * 2 * Math.PI));
}

/**
 * The room at `utcMs`, when its cold room failed over `failure` (from, to; to may be still ahead).
 * A small wobble (±0.3 °C over 40 minutes) keeps the chart honest without crossing any limit.
 */
export function storageRoomReading(utcMs: number, failure?: { fromMs: number; toMs: number }): ClimateReadingTenths {
  const wobble = Math.round(3 * Math.sin((utcMs / (40 * MINUTE_MS)) * 2 * Math.PI));
  let temperature = COLD_ROOM_TENTHS + wobble;
  if (failure && utcMs >= failure.fromMs) {
    const warming = Math.min(1, (utcMs - failure.fromMs) / SWING_MS);
    const cooling = utcMs >= failure.toMs ? Math.min(1, (utcMs - failure.toMs) / SWING_MS) : 0;
    temperature += Math.round((FAILED_ROOM_TENTHS - COLD_ROOM_TENTHS) * warming * (1 - cooling));
  }
  const humidity = 600 + Math.round(50 * Math.sin((utcMs / (3 * HOUR_MS)) * 2 * Math.PI));
  return { temperature, humidity, outdoor: outdoorTenths(utcMs) };
}
