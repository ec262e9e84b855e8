/**
 * The soak's server: `wastetrail server` as the demo configures it (embedded gateway, SQLite under the
 * data folder), in its own process so the driver can SIGKILL it, on the compiled server (dist/). Plain
 * JavaScript so what is killed is the product, not a TypeScript loader. Its clock is the soak's shared
 * accelerated clock (sim = simStart + speed * (Date.now() - realStart)), the one the city runs on, so a
 * restart never moves time backwards and device logins stay within the gateway's skew.
 *
 * argv[2]: JSON {dataDir, institutions, seed, speed, simStart, realStart, mqttPort, httpPort}.
 * Prints one JSON line {mqttUrl, httpUrl} when listening; SIGTERM closes cleanly.
 */
import { join } from 'node:path';
import { demoServerConfig, provisionStations, seedReferenceData } from '@wastetrail/demo';
import { startServer } from '@wastetrail/server';
import { planCity } from '@wastetrail/simulators';

const o = JSON.parse(process.argv[2] ?? '{}');
const now = () => Math.floor(o.simStart + o.speed * (Date.now() - o.realStart));
const config = demoServerConfig(join(o.dataDir, 'server'), { mqttPort: o.mqttPort, httpPort: o.httpPort }, o.speed);
const server = await startServer({ ...config, log: { level: 'error', format: 'json' } }, { now });
const layout = planCity({ institutions: o.institutions, seed: o.seed });
await seedReferenceData(server.store, layout);
await provisionStations(server.store, layout.stations, join(o.dataDir, 'devices'));
await server.reloadKeyring();
process.stdout.write(`${JSON.stringify({ mqttUrl: server.mqttUrl, httpUrl: server.httpUrl })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0), () => process.exit(1));
});
