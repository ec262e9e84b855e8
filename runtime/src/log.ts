/**
 * One root logger per process: pino, configured from the process's config file (`log`: level,
 * destination, format). JSON lines by default, for journald or a log shipper; `pretty` for a person at a
 * terminal (the demo). Components log through child loggers with structured fields (`component`,
 * `device`, `seq`, `code`, ...). Secrets are redacted wherever they appear in a line's fields.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type PinoPretty from 'pino-pretty';
import { Type, type Static } from 'typebox';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The `log` section of every config file. */
export const LogSettingsSchema = Type.Object(
  {
    level: Type.Union(
      [Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')],
      { default: 'info', description: 'The least severe level written: fatal, error, warn, info, debug, trace, or silent (nothing).' },
    ),
    destination: Type.String({
      minLength: 1,
      default: 'stderr',
      description: '"stderr", "stdout", or a file path (relative to the config file) that lines are appended to.',
      'x-expected': '"stderr", "stdout" or a file path',
    }),
    format: Type.Union([Type.Literal('json'), Type.Literal('pretty')], {
      default: 'json',
      description: '"json": one JSON object a line (for journald or a log shipper); "pretty": readable lines for a terminal.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Where and how much the process logs.' },
);
export type LogSettings = Static<typeof LogSettingsSchema>;

/** For a config file's `x-not-here`: what to say to a file that still has the old top-level `logLevel`. */
export const LOG_LEVEL_MOVED = { logLevel: `is now "log": { "level": "info" } (levels ${LOG_LEVELS.join(', ')})` } as const;

export const DEFAULT_LOG_SETTINGS: LogSettings = { level: 'info', destination: 'stderr', format: 'json' };

/**
 * Paths pino blanks in every line: passwords, tokens, cookies, secrets and private keys, at the top of a
 * line's fields, one or two objects down, and in the request and response headers fastify logs.
 */
export const REDACTED_PATHS: readonly string[] = [
  ...['password', 'token', 'secret', 'privateKey', 'cookie', 'authorization', 'passwordHash'].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

export interface RootLoggerOptions {
  /** The process's name, on every line (`wastetrail-server`, `wastetrail-edge`, ...). */
  name: string;
  /** Where relative destinations resolve (the config file's folder). */
  baseDir?: string;
  /** Instead of the configured destination: tests capture lines here. */
  stream?: DestinationStream;
  /** Fields on every line (a device id, say). */
  base?: Record<string, unknown>;
  /**
   * Instead of the configured destination: each line, formatted as configured, without its newline
   * (the demo prints the server's lines above its progress display).
   */
  lines?: (line: string) => void;
}

export function createRootLogger(settings: Partial<LogSettings>, o: RootLoggerOptions): Logger {
  const s = { ...DEFAULT_LOG_SETTINGS, ...settings };
  const options: LoggerOptions = {
    name: o.name,
    level: s.level,
    base: { pid: process.pid, ...o.base },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    // Error objects keep their type, message, stack and code in any field named err or error.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  return pino(options, o.stream ?? (o.lines ? lineSink(s, o.lines) : destination(s, o.baseDir)));
}

function lineSink(s: LogSettings, sink: (line: string) => void): DestinationStream {
  const format = s.format === 'pretty' ? loadPretty().prettyFactory({ colorize: false, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : (line: string) => line;
  return { write: (line: string) => sink(format(line).replace(/\n$/, '')) };
}

function destination(s: LogSettings, baseDir: string | undefined): DestinationStream {
  const fd = s.destination === 'stdout' ? 1 : s.destination === 'stderr' ? 2 : undefined;
  const dest = fd ?? (baseDir && !s.destination.startsWith('/') ? `${baseDir}/${s.destination}` : s.destination);
  if (s.format === 'pretty') {
    const colorize = fd !== undefined && Boolean((fd === 1 ? process.stdout : process.stderr).isTTY);
    return loadPretty()({ destination: dest, colorize, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  }
  // Synchronous writes: a line logged just before a crash is on disk, and lines keep their order.
  return pino.destination({ dest, sync: true, mkdir: true });
}

/** A logger that drops everything: for library defaults and tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });

export interface CapturedLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A root logger whose lines land parsed in `lines` (with the same redaction as the real one): for tests. */
export function createCapturingLogger(level: LogLevel = 'debug', name = 'test'): Logger & { lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const stream: DestinationStream = { write: (line: string) => void lines.push(JSON.parse(line) as CapturedLine) };
  return Object.assign(createRootLogger({ level }, { name, stream }), { lines });
}

/** pino-pretty (30 modules) only for a process that asked for pretty lines: a service never loads it. */
function loadPretty(): typeof PinoPretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
}
