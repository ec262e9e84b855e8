/**
 * The soak's city: every station a real edge agent (the demo's station wiring, compiled dist/), in its
 * own process so the driver can SIGKILL all of them at once, mid-commit and mid-publish. Continues
 * after a kill: the same keys and outboxes (each chain goes on), and the city's state saved after every
 * finished step, so a restarted city does not seal a bag serial or hand over a bag a second time.
 *
 * argv[2]: JSON {dataDir, institutions, seed, speed, simStart, realStart, brokerPort}.
 * Prints "ready" when its stations run; over IPC it takes {network: deviceId, up} and sends
 * {progress} every 500 ms. SIGTERM: the steps in hand finish, the backlog is delivered, state saved.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { edgeStationFactory, incidentHooks, provisionStations } from '@wastetrail/demo';
import { AcceleratedTime, CityModel, CityRun, MockSerialPorts, planCity } from '@wastetrail/simulators';

const o = JSON.parse(process.argv[2] ?? '{}');
const stateFile = join(o.dataDir, 'city.json');
const simNow = () => Math.floor(o.simStart + o.speed * (Date.now() - o.realStart));
const clock = new AcceleratedTime({ startMs: simNow(), speed: o.speed, realNow: () => Date.now() });
const now = () => clock.now();
const layout = planCity({ institutions: o.institutions, seed: o.seed });
const keys = await provisionStations({ devices: async () => [], registerDevice: async () => {} }, layout.stations, join(o.dataDir, 'devices'));
const saved = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : undefined;
const model = new CityModel({ layout, runStartMs: now(), incidents: [], ...(saved ? { saved, firstSerial: saved.nextSerial } : {}) });
const save = () => {
  const tmp = `${stateFile}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...model.snapshot(), simTime: now() }));
  renameSync(tmp, stateFile);
};
// Saved the moment a step is finished (its records are in the outbox by then): a kill just after
// must not make the city repeat it.
const finish = model.finish.bind(model);
model.finish = (id, outcome) => {
  const r = finish(id, outcome);
  save();
  return r;
};
save();
const agents = new Map();
const broker = { host: '127.0.0.1', port: o.brokerPort };
const run = await CityRun.start({
  model,
  clock,
  startStation: edgeStationFactory({ agentsDir: join(o.dataDir, 'agents'), broker, keys, wallClock: now, speed: o.speed, agents }),
  hooks: incidentHooks({ mqttUrl: `mqtt://127.0.0.1:${o.brokerPort}`, agents, keys, wallClock: now }),
  serial: { kind: 'mock', ports: new MockSerialPorts() },
  log: (line) => process.send?.({ note: line }),
});
const saver = setInterval(save, 1000);
const reporter = setInterval(() => process.send?.({ progress: run.progress() }), 500);
process.on('message', (m) => {
  if (m && typeof m.network === 'string') void run.station(m.network)?.setNetwork(m.up === true);
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  clearInterval(saver);
  clearInterval(reporter);
  void run.stop(15_000).then(
    () => {
      save();
      process.send?.({ progress: run.progress() });
      process.exit(0);
    },
    () => process.exit(1),
  );
});
