// An institution's figures as the pages show them (pure): its jurisdiction path, the daily mass balance
// as chart series over every day of the period, its storage rooms' climate as series, and the overview's
// row of today's weights and open alerts.
import type { Answer, Institution, InstitutionDetail } from './api.ts';

export type MassBalance = InstitutionDetail['massBalance'];
export type MassBalanceDay = MassBalance['days'][number];
export type Climate = Answer<'/api/v1/institutions/{id}/rooms/{room}/climate'>;
export type Device = Answer<'/api/v1/devices'>['devices'][number];

/** The storage-room limit the climate chart draws (the storage-climate rule's default, °C). */
export const STORAGE_LIMIT_C = 20;

/** City › district › grid, by name where the API has one. */
export const jurisdictionText = (path: Institution['jurisdictionPath']): string => path.map((j) => j.name ?? j.id).join(' › ');

/** Every local day from `from` to `to` (YYYY-MM-DD), both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length <= 366; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * The mass balance as chart series: one point per day of the period (the API lists only days with
 * sealed bags; the others are zero), kg sealed and kg received at disposal.
 */
export function massBalanceSeries(mb: MassBalance): { days: string[]; sealedKg: number[]; receivedKg: number[] } {
  const byDay = new Map(mb.days.map((d) => [d.day, d]));
  const days = daysBetween(mb.from, mb.to);
  return {
    days,
    sealedKg: days.map((d) => (byDay.get(d)?.sealedGrams ?? 0) / 1000),
    receivedKg: days.map((d) => (byDay.get(d)?.receivedGrams ?? 0) / 1000),
  };
}

/** The day the institution's today is (the server's, the last of the mass balance) and its figures, zero when nothing was sealed. */
export function todayOf(mb: MassBalance): { day: string; sealedGrams: number; receivedGrams: number; bags: number } {
  const d = mb.days.find((x) => x.day === mb.to);
  return { day: mb.to, sealedGrams: d?.sealedGrams ?? 0, receivedGrams: d?.receivedGrams ?? 0, bags: d?.bags ?? 0 };
}

/** A storage room's readings as [time ms, °C] series: the room, the outdoor probe (gaps where none). */
export function climateSeries(c: { samples: readonly Pick<Climate['samples'][number], 'time' | 'temperature' | 'outdoor'>[] }): { room: [number, number][]; outdoor: [number, number | null][] } {
  return {
    room: c.samples.map((s) => [Date.parse(s.time), s.temperature / 10]),
    outdoor: c.samples.map((s) => [Date.parse(s.time), s.outdoor === null ? null : s.outdoor / 10]),
  };
}

/** The newest reading of a room and how long before the answer's end (the server's now) it was taken, in ms. */
export function lastReading(c: Pick<Climate, 'samples' | 'to'>): { temperature: number; humidity: number; agoMs: number } | null {
  const last = c.samples.at(-1);
  if (!last) return null;
  return { temperature: last.temperature / 10, humidity: last.humidity / 10, agoMs: Math.max(0, Date.parse(c.to) - Date.parse(last.time)) };
}

/** A reading in tenths as the pages write it: one decimal. */
export const oneDecimal = (n: number): string => n.toFixed(1);

/** "Name (id)" for an institution of the list, or the id alone for one it does not hold. */
export function namesWithIds(list: readonly { id: string; name: string }[]): (id: string) => string {
  const names = new Map(list.map((i) => [i.id, i.name]));
  return (id) => (names.has(id) ? `${names.get(id)} (${id})` : id);
}

/** The handover register CSV of one institution's bags sealed on one local day. */
export const registerCsvUrl = (institution: string, day: string): string =>
  `/api/v1/register.csv?${new URLSearchParams({ institution, from: day, to: day }).toString()}`;
