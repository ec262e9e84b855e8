/**
 * `wastetrail-gateway`: the gateway on its own, for deployments where the server runs elsewhere.
 *
 *   wastetrail-gateway --keyring FILE [--port PORT] [--host HOST] [--config FILE] [--log-level LEVEL] [--metrics-port PORT]
 *   wastetrail-gateway hash-password        reads a password on stdin, prints its scrypt hash
 *
 * stdout carries one `listening <kind> <url>` line per listener (port 0 shows the port it got), the
 * /metrics listener's included; logs (pino, the config's `log` section) go to stderr by default.
 * SIGHUP re-reads the keyring file; SIGINT and SIGTERM close gracefully.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseKeyring, type Keyring } from '@wastetrail/firmware-protocol';
import { hashPassword } from './auth/password.ts';
import { GatewayConfigFileSchema, readGatewayConfigFile, type GatewayConfigFile } from './config.ts';
import { startGateway, type Gateway } from './gateway.ts';
import { checkConfig, ConfigError, createMetricsRegistry, createRootLogger, LOG_LEVELS, serveMetrics, type LogLevel, type Logger, type MetricsListener } from '@wastetrail/runtime';
import { ListenError, PortInUseError } from './transport/listeners.ts';

const USAGE = `usage: wastetrail-gateway --keyring FILE [--port PORT] [--host HOST] [--config FILE] [--log-level ${LOG_LEVELS.join('|')}] [--metrics-port PORT]
       wastetrail-gateway hash-password   (reads the server password on stdin, prints the hash for server.passwordHash)

--port 0 picks a free port; --metrics-port serves Prometheus metrics at http://127.0.0.1:PORT/metrics.
--log-level (fatal, error, warn, info, debug, trace, silent) overrides the file's log.level.
Everything else (TLS, WebSocket, server identity, limits, log, metrics) goes in the --config file (JSONC); its
schema is gateway/config/gateway-config.schema.json and docs/gateway/README.md describes it.`;

class UsageError extends Error {}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

/** Runs the command. Resolves to an exit code, or undefined when the gateway is up and running. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number | undefined> {
  if (argv[0] === 'hash-password') return hashPasswordCommand(io);
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const { gateway, keyringFile, log, metrics } = await startFromArgs(argv, io);
    process.on('SIGHUP', () => {
      try {
        gateway.setKeyring(readKeyring(keyringFile));
      } catch (err) {
        log.error({ file: keyringFile, err }, 'keyring reload failed; keeping the previous keyring');
      }
    });
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      void Promise.all([gateway.close(), metrics?.close()]).then(() => {
        // Anything still holding the event loop open after close() is a bug; do not hang on it.
        setTimeout(() => process.exit(0), 2000).unref();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return undefined;
  } catch (err) {
    io.stderr(`wastetrail-gateway: ${describeStartError(err)}\n`);
    // 2: fix the command line or the config file; 1: something on the machine (a port taken, say).
    return err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
  }
}

interface Started {
  gateway: Gateway;
  keyringFile: string;
  log: Logger;
  metrics: MetricsListener | undefined;
}

async function startFromArgs(argv: string[], io: CliIo): Promise<Started> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        keyring: { type: 'string' },
        config: { type: 'string' },
        'log-level': { type: 'string' },
        'metrics-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }

  const read = values.config !== undefined ? readGatewayConfigFile(values.config) : undefined;
  const file: GatewayConfigFile = read ? read.value : checkConfig(GatewayConfigFileSchema, {});
  const keyringFile = values.keyring ?? file.keyringFile;
  if (keyringFile === undefined) throw new UsageError(`--keyring FILE is required\n${USAGE}`);
  const level = values['log-level'];
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  let metricsAt = file.metrics;
  if (values['metrics-port'] !== undefined) metricsAt = { host: metricsAt?.host ?? '127.0.0.1', port: portArg('--metrics-port', values['metrics-port']) };
  let tcp = file.tcp === false ? undefined : file.tcp;
  if (values.port !== undefined) {
    tcp = { ...tcp, port: portArg('--port', values.port) };
  }
  if (values.host !== undefined) tcp = { port: tcp?.port ?? 1883, host: values.host };

  const log = createRootLogger({ ...file.log, ...(level !== undefined ? { level: level as LogLevel } : {}) }, { name: 'wastetrail-gateway', ...(read ? { baseDir: read.dir } : {}) });
  const registry = createMetricsRegistry();
  const { keyringFile: _k, log: _l, metrics: _m, ...rest } = file;
  const gateway = await startGateway({ ...rest, ...(tcp ? { tcp } : {}), keyring: readKeyring(keyringFile), logger: log, metrics: registry });
  let metrics: MetricsListener | undefined;
  try {
    metrics = metricsAt ? await serveMetrics(registry, metricsAt) : undefined;
  } catch (err) {
    await gateway.close();
    throw new ConfigError(`metrics: cannot listen on ${metricsAt!.host}:${metricsAt!.port}: ${(err as Error).message}; choose another with --metrics-port or "metrics.port"`);
  }
  for (const [kind, address] of Object.entries(gateway.addresses)) {
    if (address) io.stdout(`listening ${kind} ${address.url}\n`);
  }
  if (metrics) io.stdout(`listening metrics ${metrics.url}\n`);
  return { gateway, keyringFile, log, metrics };
}

function portArg(flag: string, value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`${flag} must be 0-65535, got "${value}"`);
  return Number(value);
}

function readKeyring(file: string): Keyring {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`keyring ${file}: ${(err as Error).message}`);
  }
  const parsed = parseKeyring(json);
  if (!parsed.ok) throw new ConfigError(`keyring ${file}: ${parsed.error.message}`);
  return parsed.value;
}

function describeStartError(err: unknown): string {
  if (err instanceof PortInUseError) {
    const how = err.listener === 'tcp' ? '--port' : `"${err.listener}.port" in the --config file`;
    return `${err.message}; choose another with ${how}`;
  }
  if (err instanceof ListenError || err instanceof ConfigError || err instanceof UsageError) return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

async function hashPasswordCommand(io: CliIo): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password.length < 12) {
    io.stderr('wastetrail-gateway: give a password of at least 12 characters on stdin\n');
    return 2;
  }
  io.stdout(`${await hashPassword(password)}\n`);
  return 0;
}
