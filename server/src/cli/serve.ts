/**
 * `wastetrail server --config FILE`: gateway + server as a service. Prints where it listens on stdout
 * (one `listening <what> <url>` line each, so scripts can read them) and the verifiable log's verifier key
 * (`log key <origin>+<key id>+<base64 key>`), logs where the config's `log` says
 * (JSON lines on stderr by default), and shuts down cleanly on SIGINT/SIGTERM (server.ts has the order),
 * within `shutdownTimeoutMs`.
 */
import { ConfigError } from '@wastetrail/runtime';
import { loadServerConfig } from '../config/index.ts';
import { startServer, type RunningServer } from '../server.ts';
import { parseCommandArgs } from './args.ts';

export async function runServe(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { config: { type: 'string' } });
  if (!args.ok || typeof args.values.config !== 'string' || args.positionals.length > 0) {
    process.stderr.write(`wastetrail server: ${args.ok ? 'expected --config FILE' : args.message}\nusage: wastetrail server --config FILE   (example: server/config/example.jsonc)\n`);
    return 2;
  }
  let server: RunningServer;
  try {
    server = await startServer(loadServerConfig(args.values.config));
  } catch (err) {
    process.stderr.write(`wastetrail server: ${err instanceof ConfigError ? '' : 'cannot start: '}${(err as Error).message}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  if (server.mqttUrl) process.stdout.write(`listening mqtt ${server.mqttUrl}\n`);
  for (const line of server.listening()) process.stdout.write(`listening ${line}\n`);
  process.stdout.write(`log key ${server.logKey}\n`);
  const signal = await untilSignalled();
  server.log.info({ signal }, 'shutting down');
  await closeWithin(server, server.config.shutdownTimeoutMs);
  return 0;
}

/**
 * Closes the server. A second signal, or `timeoutMs` without having closed, exits at once with 1:
 * a request that never ends or a stuck store would otherwise keep the process alive.
 */
async function closeWithin(server: RunningServer, timeoutMs: number): Promise<void> {
  const giveUp = (why: string) => {
    server.log.fatal(`${why}: exiting before everything is closed`);
    process.exit(1);
  };
  const timer = setTimeout(() => giveUp(`not closed after ${timeoutMs} ms`), timeoutMs);
  const again = (signal: NodeJS.Signals) => giveUp(`${signal} again`);
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  try {
    await server.close();
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', again);
    process.off('SIGTERM', again);
  }
}

export function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
