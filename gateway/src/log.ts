/**
 * The gateway logs through an injected interface so the embedding server can hand over its own logger;
 * standalone it writes one line per event to stderr (stdout carries only the bound addresses).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Record<string, unknown>;

export interface GatewayLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const noop = () => {};
export const silentLogger: GatewayLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** `2026-01-31T08:00:00.000Z warn wt:gateway publish refused {"client":"ward-3","reason":"acl_publish"}` */
export function createStderrLogger(
  options: { namespace?: string; level?: LogLevel; write?: (line: string) => void } = {},
): GatewayLogger {
  const namespace = options.namespace ?? 'wt:gateway';
  const min = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const at = (level: LogLevel) =>
    LOG_LEVELS.indexOf(level) < min
      ? noop
      : (message: string, fields?: LogFields) =>
          write(`${new Date().toISOString()} ${level} ${namespace} ${message}${fields ? ` ${safeJson(fields)}` : ''}\n`);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function safeJson(fields: LogFields): string {
  try {
    return JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : v));
  } catch {
    return '{}';
  }
}

/** Topics and client ids come off the wire: keep a hostile 64 KiB topic out of the log. */
export function clip(text: string | undefined, max = 160): string | undefined {
  if (text === undefined || text.length <= max) return text;
  return `${text.slice(0, max)}...(${text.length} chars)`;
}
