/**
 * `wastetrail-sim vehicle`: a vehicle's GNSS receiver and cargo I/O module on two fresh pty pairs,
 * driving one of the demo city's rounds. Prints the two device paths, then plays the round's fixes and
 * door events at `--speed` times real time (the fixes carry the round's own times), then exits.
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '@wastetrail/firmware-protocol';
import { planGeography } from '../city/geography.ts';
import { planCity } from '../city/layout.ts';
import { openPtyDevice } from '../serial/pty.ts';
import { CargoIoSimulator, GnssSimulator, playTrip } from './devices.ts';
import { dailyRound, tripFixes } from './trip.ts';

export const VEHICLE_USAGE = `usage: wastetrail-sim vehicle [options]

  --institutions N     the demo city's size (default 3), as wastetrail-demo --institutions
  --seed N             the city's seed (default 1) and the round's (noise, red lights)
  --vehicle N          which of the city's vehicles, from 1 (default 1)
  --incident NAME      dump-detour or scrapyard-stop (default none)
  --start TIME         the round's start, RFC 3339 (default now)
  --speed N            times real time (default 60: a two-hour round in two minutes)

The first two lines on stdout are the paths to open: the GNSS receiver (NMEA 0183, 9600 8N1), then the
cargo module ($PWTIO, 9600 8N1); put them in a vehicle station's config (edge-agent/config/vehicle.example.jsonc).`;

export async function runVehicleCli(argv: string[]): Promise<number> {
  let a;
  try {
    a = parseArgs({
      args: argv,
      options: { institutions: { type: 'string' }, seed: { type: 'string' }, vehicle: { type: 'string' }, incident: { type: 'string' }, start: { type: 'string' }, speed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`wastetrail-sim vehicle: ${(e as Error).message}\n\n${VEHICLE_USAGE}\n`);
    return 2;
  }
  if (a.help) {
    process.stdout.write(`${VEHICLE_USAGE}\n`);
    return 0;
  }
  const int = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const institutions = int(a.institutions, 3);
  const seed = int(a.seed, 1);
  const speed = int(a.speed, 60);
  const start = a.start === undefined ? Date.now() : Date.parse(a.start);
  const incident = a.incident;
  if (![institutions, seed, speed].every((n) => Number.isFinite(n) && n > 0) || Number.isNaN(start) || (incident !== undefined && incident !== 'dump-detour' && incident !== 'scrapyard-stop')) {
    process.stderr.write(`wastetrail-sim vehicle: bad option value\n\n${VEHICLE_USAGE}\n`);
    return 2;
  }
  const layout = planCity({ institutions, seed });
  const v = layout.transport.vehicles[int(a.vehicle, 1) - 1];
  if (!v) {
    process.stderr.write(`wastetrail-sim vehicle: the city has ${layout.transport.vehicles.length} vehicle(s)\n`);
    return 2;
  }
  const random = seededRandom(seed);
  const trip = tripFixes(dailyRound(planGeography(layout), { plate: v.plate, random, ...(incident ? { incident } : {}) }), { startMs: start, stepSeconds: 1, random });
  const gnssPty = await openPtyDevice({ baudRate: 9600 });
  const cargoPty = await openPtyDevice({ baudRate: 9600 });
  process.stdout.write(`${gnssPty.devicePath}\n${cargoPty.devicePath}\n`);
  process.stderr.write(`vehicle ${v.plate}: ${trip.fixes.length} fixes, ${trip.doors.length} door events${incident ? `, ${incident}` : ''}, at ${speed}x\n`);
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
      const due = (e.atMs - start) / speed - (performance.now() - t0);
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
