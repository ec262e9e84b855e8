/**
 * `wastetrail server --config FILE`: gateway + server as a service. Prints where it listens on stdout
 * (one `listening <what> <url>` line each, so scripts can read them), logs where the config's `log` says
 * (JSON lines on stderr by default), and shuts down
 * cleanly on SIGINT/SIGTERM.
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
  await untilSignalled();
  server.log.info('shutting down');
  await server.close();
  return 0;
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
