/**
 * `wastetrail-edge <command>`: the station's command line. Each command returns its exit code:
 * 0 done, 1 failed while running, 2 bad arguments or configuration.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { STATION_ROLES, type StationRole } from '@wastetrail/firmware-protocol';
import { createRootLogger } from '@wastetrail/runtime';
import { outboxPath, startAgent } from './agent.ts';
import { startVehicleAgent } from './vehicle/agent.ts';
import { ConfigError, loadConfigFile, type AgentConfig } from './config/config.ts';
import { generateDeviceKey, KeyFileError, keyringEntry } from './keys/device-key.ts';
import { Outbox, OutboxError, envelopeLine } from './outbox/outbox.ts';
import { LogWitness } from './witness/witness.ts';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `run` stops the agent then. */
  stopSignal?: Promise<string>;
}

const USAGE = `usage: wastetrail-edge <command> [options]

commands:
  run --config FILE              run the station (serial devices, workflow, outbox, uplink, kiosk)
  keygen --out DIR [--config FILE | --device ID --institution CODE --station ROLE[,ROLE] [--site CODE]]
                                 create device.key (0600) and device.pub; print the keyring entry
  status --config FILE [--json]  backlog, last acknowledged record, connection
  export --config FILE --out FILE [--from SEQ]
                                 write the chain as JSONL envelopes (check it: wastetrail verify FILE --keys KEYRING)
  audit --config FILE            audit the server's verifiable log (verifiableLog in the config): exit 1 and
                                 the failure's code on stdout if it does not hold this device's records
`;

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await run(rest, io);
      case 'keygen':
        return keygen(rest, io);
      case 'status':
        return status(rest, io);
      case 'export':
        return await exportChain(rest, io);
      case 'audit':
        return await audit(rest, io);
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`wastetrail-edge: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof KeyFileError || e instanceof UsageError || e instanceof OutboxError) {
      io.stderr.write(`wastetrail-edge ${command}: ${e.message}\n`);
      return 2;
    }
    io.stderr.write(`wastetrail-edge ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

class UsageError extends Error {}

type Spec = Record<string, { type: 'string' | 'boolean' }>;

function args<S extends Spec>(argv: string[], spec: S, required: (keyof S & string)[] = []) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const values = parsed.values as { [K in keyof S]?: S[K]['type'] extends 'string' ? string : boolean };
  for (const r of required) if (values[r] === undefined) throw new UsageError(`--${r} is required\n\n${USAGE}`);
  return values;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const a = args(argv, { config: { type: 'string' } }, ['config']);
  const config = loadConfigFile(a.config!);
  const agent = config.station.role === 'vehicle' ? await startVehicleAgent(config) : await startAgent(config);
  io.stdout.write(`running ${config.deviceId} (${config.station.role})${agent.kioskUrl ? `; kiosk ${agent.kioskUrl}` : ''}${agent.metricsUrl ? `; metrics ${agent.metricsUrl}` : ''}\n`);
  const signal = await (io.stopSignal ?? stopSignal());
  io.stderr.write(`wastetrail-edge: ${signal}: stopping\n`);
  await agent.stop();
  return 0;
}

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function keygen(argv: string[], io: CliIo): number {
  const a = args(argv, { out: { type: 'string' }, config: { type: 'string' }, device: { type: 'string' }, institution: { type: 'string' }, station: { type: 'string' }, site: { type: 'string' } }, ['out']);
  let identity: { deviceId: string; institution: string; stations: StationRole[]; site?: string } | undefined;
  if (a.config !== undefined) {
    const c = loadConfigFile(a.config);
    identity = { deviceId: c.deviceId, institution: c.institution, stations: [c.station.role], ...(c.site ? { site: c.site } : {}) };
  } else if (a.device !== undefined || a.institution !== undefined || a.station !== undefined) {
    const stations = (a.station ?? '').split(',').filter(Boolean);
    if (!a.device || !a.institution || stations.length === 0) throw new UsageError('--device, --institution and --station go together');
    const bad = stations.find((s) => !(STATION_ROLES as readonly string[]).includes(s));
    if (bad) throw new UsageError(`--station: "${bad}" is not one of ${STATION_ROLES.join(', ')}`);
    identity = { deviceId: a.device, institution: a.institution, stations: stations as StationRole[], ...(a.site ? { site: a.site } : {}) };
  }
  if (existsSync(`${a.out}/device.key`)) throw new UsageError(`${a.out}/device.key exists already: a device keeps its key (move it away first to replace it)`);
  const key = generateDeviceKey(a.out!);
  io.stderr.write(`wrote ${key.privateKeyFile} (mode 0600, keep it on this device) and ${key.publicKeyFile}; key id ${key.kid}\n`);
  const entry = keyringEntry(identity ?? { deviceId: '<device-id>', institution: '<institution>', stations: ['department'] }, key.publicKeySpki);
  if (!identity) io.stderr.write('no --config or --device given: replace the <placeholders> and the station role below\n');
  io.stderr.write('add this entry under "devices" in the server\'s keyring.json:\n');
  io.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
  return 0;
}

function openForReading(config: AgentConfig): Outbox {
  const file = outboxPath(config);
  if (!existsSync(file)) throw new UsageError(`no outbox at ${file}: the agent has not run with this dataDir yet`);
  return new Outbox(file, { deviceId: config.deviceId });
}

function status(argv: string[], io: CliIo): number {
  const a = args(argv, { config: { type: 'string' }, json: { type: 'boolean' } }, ['config']);
  const config = loadConfigFile(a.config!);
  const outbox = openForReading(config);
  try {
    const head = outbox.head();
    const acked = outbox.ackedSeq();
    const uplink = parseJson(outbox.getMeta('uplink_status'));
    const pid = Number(outbox.getMeta('agent_pid'));
    const running = Number.isSafeInteger(pid) && pid > 0 && isAlive(pid);
    const connection = running ? (uplink?.state ?? 'unknown') : 'agent not running';
    const report = { device: config.deviceId, head: head.seq, headHash: head.hash, acknowledged: acked, backlog: head.seq - acked, connection, ...(running && uplink ? { since: uplink.since } : {}), ...(uplink?.lastError ? { lastError: uplink.lastError } : {}), ...(uplink?.conflict ? { conflict: uplink.conflict } : {}) };
    if (a.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      io.stdout.write(
        [
          `device:        ${report.device}`,
          `records:       ${report.head} (chain head ${head.hash.slice(0, 16)}…)`,
          `acknowledged:  up to #${report.acknowledged}`,
          `backlog:       ${report.backlog}`,
          `connection:    ${report.connection}${report.since ? ` since ${report.since}` : ''}${report.lastError ? ` (last error: ${report.lastError})` : ''}`,
          ...(report.conflict ? [`CONFLICT:      ${report.conflict}`] : []),
        ].join('\n') + '\n',
      );
    }
    return 0;
  } finally {
    outbox.close();
  }
}

async function exportChain(argv: string[], io: CliIo): Promise<number> {
  const a = args(argv, { config: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' } }, ['config', 'out']);
  const from = a.from === undefined ? 1 : Number(a.from);
  if (!Number.isSafeInteger(from) || from < 1) throw new UsageError('--from must be a sequence number from 1');
  const config = loadConfigFile(a.config!);
  const outbox = openForReading(config);
  const tmp = `${a.out}.partial`;
  let count = 0;
  let last = 0;
  try {
    const out = createWriteStream(tmp, { flags: 'w' });
    const opened = once(out, 'open');
    await opened;
    for (const r of outbox.iterate(from)) {
      if (!out.write(`${envelopeLine(r)}\n`)) await once(out, 'drain');
      count++;
      last = r.seq;
    }
    out.end();
    await once(out, 'finish');
    renameSync(tmp, a.out!);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    outbox.close();
  }
  io.stderr.write(`exported ${count} records${count ? ` (seq ${from}..${last})` : ''} to ${a.out}${from > 1 ? '; verify a partial chain with --partial' : ''}\n`);
  return 0;
}

async function audit(argv: string[], io: CliIo): Promise<number> {
  const a = args(argv, { config: { type: 'string' } }, ['config']);
  const config = loadConfigFile(a.config!);
  if (!config.verifiableLog) throw new UsageError(`${a.config} has no verifiableLog section: give the server's url and its log key`);
  const outbox = openForReading(config);
  try {
    // Log lines go to stderr here: stdout carries only the verdict.
    const logger = createRootLogger(config.log, { name: 'wastetrail-edge', lines: (line) => io.stderr.write(`${line}\n`) }).child({ device: config.deviceId });
    const r = await new LogWitness({ outbox, url: config.verifiableLog.url, key: config.verifiableLog.key, logger }).audit();
    if (!r.ok) {
      io.stdout.write(`${r.code} ${r.message}\n`);
      return 1;
    }
    io.stdout.write(`OK checkpoint size ${r.size} (held before: ${r.previousSize}); ${r.proven} record(s) proven in it, ${r.waiting} waiting for a later checkpoint\n`);
    return 0;
  } finally {
    outbox.close();
  }
}

function parseJson(s: string | undefined): Record<string, string> | undefined {
  if (!s) return undefined;
  try {
    return JSON.parse(s) as Record<string, string>;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
