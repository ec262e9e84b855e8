/**
 * How a device's serial line is set up. The values are what the device is configured to (its menu or
 * DIP switches), so every one of them is a setting; the defaults are the factory settings seen most
 * often and only a starting point.
 */
import type { Result } from '../record/errors.ts';
import { SCALE_PROTOCOLS, type ScaleProtocol } from '../scale/reading.ts';

export const PARITIES = ['none', 'even', 'odd'] as const;
export type Parity = (typeof PARITIES)[number];
export type DataBits = 7 | 8;
export type StopBits = 1 | 2;

export interface SerialLineSettings {
  baudRate: number;
  dataBits: DataBits;
  parity: Parity;
  stopBits: StopBits;
}

export interface SerialSettings<P extends string = ScaleProtocol> extends SerialLineSettings {
  /** What the agent opens: /dev/ttyUSB0, /dev/serial/by-id/..., COM3, or a simulator's pty. */
  path: string;
  protocol: P;
}

/**
 * MT-SICS and XK3190 ship at 9600 8N1. A&D balances and indicators ship at 2400 7E1 on many models
 * and are often changed on site (CAS indicators: commonly 9600 8N1): check the indicator's menu.
 */
export const SCALE_LINE_DEFAULTS: Readonly<Record<ScaleProtocol, Readonly<SerialLineSettings>>> = Object.freeze({
  'mt-sics': Object.freeze({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }),
  xk3190: Object.freeze({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }),
  and: Object.freeze({ baudRate: 2400, dataBits: 7, parity: 'even', stopBits: 1 }),
});

/** Problems with line settings from a config file or a command line, one sentence each; [] when fine. */
export function checkSerialLineSettings(s: Partial<Record<keyof SerialLineSettings, unknown>>): string[] {
  const problems: string[] = [];
  if (s.baudRate !== undefined && !(Number.isInteger(s.baudRate) && (s.baudRate as number) >= 50 && (s.baudRate as number) <= 4_000_000)) {
    problems.push(`baudRate must be an integer from 50 to 4000000, got ${String(s.baudRate)}`);
  }
  if (s.dataBits !== undefined && s.dataBits !== 7 && s.dataBits !== 8) problems.push(`dataBits must be 7 or 8, got ${String(s.dataBits)}`);
  if (s.parity !== undefined && !(PARITIES as readonly unknown[]).includes(s.parity)) {
    problems.push(`parity must be one of ${PARITIES.join(', ')}, got ${String(s.parity)}`);
  }
  if (s.stopBits !== undefined && s.stopBits !== 1 && s.stopBits !== 2) problems.push(`stopBits must be 1 or 2, got ${String(s.stopBits)}`);
  return problems;
}

/** A scale's settings: the protocol's defaults with `overrides` on top, checked. */
export function scaleSerialSettings(
  protocol: ScaleProtocol,
  path: string,
  overrides: Partial<SerialLineSettings> = {},
): Result<SerialSettings, { message: string }> {
  if (!(SCALE_PROTOCOLS as readonly string[]).includes(protocol)) {
    return { ok: false, error: { message: `protocol must be one of ${SCALE_PROTOCOLS.join(', ')}, got ${String(protocol)}` } };
  }
  if (typeof path !== 'string' || path.length === 0) return { ok: false, error: { message: 'path must name a serial port' } };
  const problems = checkSerialLineSettings(overrides);
  if (problems.length > 0) return { ok: false, error: { message: problems.join('; ') } };
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<SerialLineSettings>;
  return { ok: true, value: { ...SCALE_LINE_DEFAULTS[protocol], ...defined, path, protocol } };
}
