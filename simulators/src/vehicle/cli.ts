/**
 * `wastetrail-sim vehicle`: a vehicle's GNSS receiver and cargo I/O module on two fresh pty pairs,
 * driving one of the demo city's rounds. Prints the two device paths, then plays the round's fixes and
 * door events at `--speed` times real time (the fixes carry the round's own times), then exits.
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '@wastetrail/firmware-protocol';
import { planGeography } from '../city/geography.ts';
import { MAX_INSTITUTIONS, planCity } from '../city/layout.ts';
import { failCli, wholeOption, type Io } from '../cli-args.ts';
import { openPtyDevice } from '../serial/pty.ts';
import { CargoIoSimulator, GnssSimulator, playTrip } from './devices.ts';
import { dailyRound, tripFixes } from './trip.ts';

/** A date and time with a zone (Z or ±hh:mm), as RFC 3339 writes it. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const VEHICLE_USAGE = `usage: wastetrail-sim vehicle [options]

  --institutions N     the demo city's size (default 3), as wastetrail-demo --institutions
  --seed N             the city's seed (default 1) and the round's (noise, red lights)
  --vehicle N          which of the city's vehicles, from 1 (default 1)
  --incident NAME      dump-detour or scrapyard-stop (default none)
  --start TIME         the round's start, RFC 3339 (default now)
  --speed N            times real time (default 60: a two-hour round in two minutes)

The first two lines on stdout are the paths to open: the GNSS receiver (NMEA 0183, 9600 8N1), then the
cargo module ($PWTIO, 9600 8N1); put them in a vehicle station's config (edge-agent/config/vehicle.example.jsonc).`;

export async function runVehicleCli(argv: string[], io: Pick<Io, 'stdout' | 'stderr'> = process): Promise<number> {
  const fail = (message: string) => failCli(io, 'vehicle', message);
  let a;
  try {
    a = parseArgs({
      args: argv,
      options: { institutions: { type: 'string' }, seed: { type: 'string' }, vehicle: { type: 'string' }, incident: { type: 'string' }, start: { type: 'string' }, speed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (e) {
    return fail(`${(e as Error).message}\n\n${VEHICLE_USAGE}`);
  }
  if (a.help) {
    io.stdout.write(`${VEHICLE_USAGE}\n`);
    return 0;
  }
  const institutions = wholeOption(a.institutions, 'institutions', 1, MAX_INSTITUTIONS, 3);
  const seed = wholeOption(a.seed, 'seed', 0, 2 ** 31 - 1, 1);
  const speed = wholeOption(a.speed, 'speed', 1, 100_000, 60);
  const which = wholeOption(a.vehicle, 'vehicle', 1, 1000, 1);
  for (const v of [institutions, seed, speed, which]) if (typeof v === 'string') return fail(v);
  const [cityInstitutions, citySeed, times, vehicleNo] = [institutions, seed, speed, which] as number[] as [number, number, number, number];
  const start = a.start === undefined ? Date.now() : Date.parse(a.start);
  if (a.start !== undefined && (!RFC3339.test(a.start) || Number.isNaN(start))) return fail(`--start must be an RFC 3339 time such as 2026-03-02T08:00:00Z, got "${a.start}"`);
  const incident = a.incident;
  if (incident !== undefined && incident !== 'dump-detour' && incident !== 'scrapyard-stop') return fail(`--incident must be dump-detour or scrapyard-stop, got "${incident}"`);
  const layout = planCity({ institutions: cityInstitutions, seed: citySeed });
  const v = layout.transport.vehicles[vehicleNo - 1];
  if (!v) return fail(`--vehicle must be from 1 to ${layout.transport.vehicles.length}: the city has ${layout.transport.vehicles.length} vehicle(s)`);
  const random = seededRandom(citySeed);
  const trip = tripFixes(dailyRound(planGeography(layout), { plate: v.plate, random, ...(incident ? { incident } : {}) }), { startMs: start, stepSeconds: 1, random });
  const gnssPty = await openPtyDevice({ baudRate: 9600 });
  const cargoPty = await openPtyDevice({ baudRate: 9600 });
  io.stdout.write(`${gnssPty.devicePath}\n${cargoPty.devicePath}\n`);
  io.stderr.write(`vehicle ${v.plate}: ${trip.fixes.length} fixes, ${trip.doors.length} door events${incident ? `, ${incident}` : ''}, at ${times}x\n`);
  const cargo = new CargoIoSimulator(cargoPty.endpoint, { tenthsC: 60 });
  cargo.start();
  // Paced on the round's own times: each fix waits until its moment at this speed.
  const t0 = performance.now();
  const gnss = new GnssSimulator(gnssPty.endpoint);
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const paced: Pick<GnssSimulator, 'epoch'> = {
    async epoch(e) {
      if (stopped) return;
      const due = (e.atMs - start) / times - (performance.now() - t0);
      if (due > 0) await new Promise((r) => setTimeout(r, due));
      if (!stopped) await gnss.epoch(e);
    },
  };
  try {
    await playTrip(trip, { gnss: paced, cargo });
  } finally {
    cargo.stop();
    await gnssPty.endpoint.close();
    await cargoPty.endpoint.close();
  }
  return 0;
}
