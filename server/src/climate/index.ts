/**
 * Storage rooms' climate on the server (docs/transport/storage-climate.md): the samples of signed
 * `climate` records as the store keeps them, and the rooms' readings as the rules see them. Pure.
 */
import type { DecodedRecord } from '@wastetrail/firmware-protocol';
import type { RoomClimate } from '../rules/index.ts';
import type { ClimateRoom, ClimateSampleRow } from '../store/index.ts';

/** Readings the rules look at: the 25/20 °C rule needs the days a bag was held over, at most a few. */
export const CLIMATE_WINDOW_MS = 4 * 24 * 3_600_000;

/** The rows to keep for the climate records among these; `institutionOf` says whose room a device's is. */
export function climateSamplesOf(records: readonly DecodedRecord[], institutionOf: (device: string) => string | undefined): ClimateSampleRow[] {
  const rows: ClimateSampleRow[] = [];
  for (const r of records) {
    const e = r.record;
    if (e.type !== 'climate') continue;
    const body = e.body;
    const institution = institutionOf(e.device);
    if (institution === undefined) continue;
    body.samples.forEach((s, i) =>
      rows.push({ device: e.device, seq: e.seq, sample: i, hash: r.hash, institution, room: body.room, time: s.time, temperature: s.temperature, humidity: s.humidity, outdoor: s.outdoor ?? null }),
    );
  }
  return rows;
}

/** The rooms with a sensor and their readings in the window (rows ordered by institution, room, time). */
export function roomClimates(rooms: readonly ClimateRoom[], rows: readonly ClimateSampleRow[]): RoomClimate[] {
  const byRoom = new Map<string, RoomClimate & { readings: RoomClimate['readings'][number][] }>();
  for (const r of rooms) byRoom.set(`${r.institution}/${r.room}`, { institution: r.institution, room: r.room, readings: [], lastReadingMs: Date.parse(r.lastTime) });
  for (const row of rows) {
    byRoom.get(`${row.institution}/${row.room}`)?.readings.push({
      timeMs: Date.parse(row.time),
      temperature: row.temperature,
      ...(row.outdoor !== null ? { outdoor: row.outdoor } : {}),
      record: { device: row.device, seq: row.seq, hash: row.hash },
    });
  }
  return [...byRoom.values()];
}
