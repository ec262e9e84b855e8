/**
 * The agent's logger: an injected interface, one namespace per component (`edge:uplink`), so tests can
 * capture lines and the service writes one line per event to stderr (journald adds the time).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(namespace: string): Logger;
}

export interface LogLine {
  level: LogLevel;
  namespace: string;
  message: string;
  fields?: LogFields;
}

/** A logger that hands every line at or above `level` to `sink`. */
export function createLogger(sink: (line: LogLine) => void, level: LogLevel = 'info', namespace = 'edge'): Logger {
  const min = LOG_LEVELS.indexOf(level);
  const at = (l: LogLevel) => (message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(l) >= min) sink({ level: l, namespace, message, ...(fields ? { fields } : {}) });
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (ns) => createLogger(sink, level, `${namespace}:${ns}`),
  };
}

export function formatLogLine(line: LogLine): string {
  const fields = line.fields ? ` ${JSON.stringify(line.fields, (_k, v: unknown) => (v instanceof Error ? v.message : v))}` : '';
  return `${line.level.toUpperCase()} ${line.namespace}: ${line.message}${fields}`;
}

export function createStderrLogger(level: LogLevel = 'info'): Logger {
  return createLogger((line) => process.stderr.write(`${formatLogLine(line)}\n`), level);
}

export const silentLogger: Logger = createLogger(() => {}, 'error');

/** Collects lines in memory, for tests. */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return Object.assign(createLogger((l) => lines.push(l), level), { lines });
}
